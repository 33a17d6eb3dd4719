"""Rendering limits over HTTP (issue 21): the audit's templates and designs, sent, test-sent, sent as a campaign, run
by a flow and previewed, each answer a 422 in the error shape naming the field, the limit and (for Liquid) the
line, and nothing is stored or sent. The values are nitrosend_nb.rendering.limits'."""

from __future__ import annotations

import pytest
from sandbox_helpers import Api, assert_error

from nitrosend_nb.rendering.limits import LIQUID_LIMITS
from nitrosend_nb.sandbox import Sandbox

LOOP = LIQUID_LIMITS["loop_iterations"]


@pytest.fixture(scope="module")
def sb():
    """One sandbox for the module: every request here is refused, so none changes what the next one sees."""
    with Sandbox(seed=0, contacts=30) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb) -> Api:
    return Api(sb)


def counts(sb: Sandbox, api: Api) -> tuple[int, int]:
    """(emails in the outbox, messages of every kind)."""
    messages = api.get("/messages", params={"source_type": "all"}).headers["X-Total-Count"]
    return len(sb.outbox()), int(messages)


@pytest.mark.parametrize(
    ("field", "content", "message"),
    [
        ("html", "<p>\n{% for i in (1..10000000) %}x{% endfor %}</p>", f"Liquid error on line 2: {LOOP}"),
        ("html", "{% for i in (1..100000000) %}x{% endfor %}", f"Liquid error on line 1: {LOOP}"),
        (
            "html",
            "{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..3) %}x"
            "{% endfor %}{% endfor %}{% endfor %}",
            f"Liquid error on line 1: {LOOP}",
        ),
        (
            "html",
            '{% assign s = (1..3000000) | join: "," %}{{ s }}',
            f"Liquid error on line 1: {LIQUID_LIMITS['value_size']}",
        ),
        (
            "subject",
            "{% for i in (1..10000) %}0123456789{% endfor %}",
            "renders to 100,000 characters; a subject may be at most 998 characters",
        ),
    ],
    ids=["10M iterations", "100M iterations", "nested 1000x1000x3", "joined range", "100,000-character subject"],
)
def test_a_send_over_a_limit_is_a_422_and_sends_nothing(sb, api, field, content, message):
    before = counts(sb, api)
    payload = {"channel": "email", "to": "qa@example.com", "subject": "Hi", "html": "<p>Hi</p>", field: content}
    body = assert_error(api.send(f"limit-{field}-{len(content)}", **payload), 422)
    assert body["validation_errors"] == {field: [message]}
    assert counts(sb, api) == before


def test_a_campaign_over_a_limit_is_refused_before_any_recipient_gets_it(sb, api):
    before = counts(sb, api)
    campaign = api.post(
        "/campaigns",
        json={
            "name": "Loops",
            "template_attributes": {"subject": "Hi", "body": "<p>{% for i in (1..100000) %}x{% endfor %}</p>"},
        },
    ).json()
    body = assert_error(api.post(f"/campaigns/{campaign['id']}/send", json={"confirm_send_to_all": True}), 422)
    assert body["validation_errors"] == {"body": [f"Liquid error on line 1: {LOOP}"]}
    assert api.get(f"/campaigns/{campaign['id']}").json()["status"] == "draft"
    assert counts(sb, api) == before


def test_test_sends_of_templates_and_campaigns_over_a_limit_are_refused(sb, api):
    before = counts(sb, api)
    content = {"subject": "Hi", "body": "<p>{% for i in (1..3000000) %}x{% endfor %}</p>"}
    template = api.post("/templates", json={"name": "Loops", **content}).json()
    campaign = api.post("/campaigns", json={"name": "Loops test", "template_attributes": content}).json()
    recipients = {"emails": ["a@example.com", "b@example.com", "c@example.com"]}
    for path in (f"/templates/{template['id']}/send_test", f"/campaigns/{campaign['id']}/send_test"):
        body = assert_error(api.post(path, json=recipients), 422)
        assert body["validation_errors"] == {"body": [f"Liquid error on line 1: {LOOP}"]}
    assert counts(sb, api) == before


def test_an_event_whose_flow_renders_over_a_limit_is_refused(sb, api):
    before = counts(sb, api)
    step = {"type": "email", "transactional": True, "subject": "Hi", "body": "{% for i in (1..20000) %}x{% endfor %}"}
    api.post("/flows", json={"name": "Loops", "status": "live", "trigger": {"event": "loop_test"}, "steps": [step]})
    response = api.post("/events", json={"event": "loop_test", "contact_id": 1}, headers={"Idempotency-Key": "loop"})
    assert assert_error(response, 422)["validation_errors"] == {"body": [f"Liquid error on line 1: {LOOP}"]}
    assert counts(sb, api) == before


def test_a_design_of_40000_spacers_is_refused_before_it_renders(api):
    design = {"sections": [{"type": "spacer"}] * 40_000}  # 0.7 MB: 57 MB of HTML had it been rendered
    for path, payload in (
        ("/templates/preview", {"document": design}),
        ("/templates", {"name": "Tall", "design": design}),
    ):
        body = assert_error(api.post(path, json=payload), 422)
        (messages,) = body["validation_errors"].values()
        assert messages == ["has 40,000 sections; a design may have at most 200 (sections inside columns included)"]


def test_a_preview_over_a_liquid_limit_names_the_design_field(api):
    design = {"sections": [{"type": "text", "props": {"text": "{% for i in (1..20000) %}x{% endfor %}"}}]}
    body = assert_error(api.post("/templates/preview", json={"document": design, "data": {"x": 1}}), 422)
    assert body["validation_errors"] == {"design.sections.0.props.text": [f"Liquid error on line 1: {LOOP}"]}


def test_a_request_carrying_too_much_liquid_is_refused_at_the_edge(api):
    body = assert_error(api.post("/templates", json={"name": "Tags", "body": "{{ x }}" * 5001}), 422)
    assert body["validation_errors"] == {
        "body": [f"is past the Liquid a request may carry: {LIQUID_LIMITS['liquid_markup']}"]
    }
    assert api.post("/templates", json={"name": "Tags", "body": "{{ x }}" * 5000}).status_code == 201
