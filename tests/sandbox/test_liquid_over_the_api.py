"""Liquid through the API: sends personalise with tags, filters and conditions; a bad template is a 422 naming
the field and the line, and nothing is stored or sent."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error

BAD = "Hello\n{% if contact.first_name %}never closed"


def test_a_send_renders_liquid_tags_filters_and_conditions(fresh_sandbox, fresh_api):
    contact = fresh_api.get("/contacts/3").json()
    html = (
        "<p>{{ contact.first_name | upcase }}</p>{% if data.vip %}<b>VIP</b>{% endif %}"
        "{% for item in data.items %}<i>{{ item }}</i>{% endfor %}<p>{{ contact.nope }}</p>"
    )
    sent = fresh_api.send(
        "liquid",
        channel="email",
        to=contact["channels"][0]["value"],
        subject="{{ brand.name }}: {{ data.items | size }} items",
        html=html,
        data={"vip": True, "items": ["a", "<b>"]},
    )
    assert sent.status_code == 201
    [email] = fresh_sandbox.outbox()
    assert email["subject"] == "Acme Coffee: 2 items"
    assert email["html"] == (f"<p>{contact['first_name'].upper()}</p><b>VIP</b><i>a</i><i>&lt;b&gt;</i><p></p>")


@pytest.mark.parametrize("field", ["subject", "html"])
def test_a_message_with_a_bad_template_is_refused_with_the_line(fresh_sandbox, fresh_api, field):
    payload = {"channel": "email", "to": "qa@example.com", "subject": "S", "html": "<p>ok</p>", field: BAD}
    before = fresh_api.get("/messages").headers["X-Total-Count"]
    body = assert_error(fresh_api.send(f"bad-{field}", **payload), 422)
    assert body["validation_errors"][field] == ["Liquid error on line 2: expected tag endif, found end of expression"]
    assert fresh_sandbox.outbox() == [] and fresh_api.get("/messages").headers["X-Total-Count"] == before


def test_a_render_time_failure_is_a_422_and_sends_nothing(fresh_sandbox, fresh_api):
    body = assert_error(
        fresh_api.send(
            "zero",
            channel="email",
            to="qa@example.com",
            subject="S",
            html="<p>{{ data.n | divided_by: 0 }}</p>",
            data={"n": 1},
        ),
        422,
    )
    assert "divided_by" in body["validation_errors"]["html"][0]
    assert fresh_sandbox.outbox() == []


def test_template_create_update_and_preview_refuse_bad_liquid(fresh_api):
    created = fresh_api.post("/templates", json={"name": "Bad", "body": BAD})
    assert "line 2" in assert_error(created, 422)["validation_errors"]["body"][0]
    good = fresh_api.post("/templates", json={"name": "Good", "subject": "Hi"}).json()
    updated = fresh_api.patch(f"/templates/{good['id']}", json={"subject": "Hi {{ contact.first_name | nope }}"})
    assert assert_error(updated, 422)["validation_errors"]["subject"] == [
        "Liquid error on line 1: unknown filter 'nope'"
    ]
    design = {
        "sections": [{"type": "text", "props": {"text": "ok"}}, {"type": "text", "props": {"text": "one\ntwo {{ x "}}]
    }
    preview = assert_error(fresh_api.post("/templates/preview", json={"document": design}), 422)
    assert preview["validation_errors"]["document"] == [
        "sections.1.props.text: Liquid error on line 2: expected '}}', found end of file"
    ]
    assert fresh_api.get(f"/templates/{good['id']}").json()["subject"] == "Hi"


def test_campaign_content_is_checked_too(fresh_api):
    response = fresh_api.post("/campaigns", json={"name": "C", "template_attributes": {"subject": "{{ oops"}})
    assert "template_attributes.subject" in assert_error(response, 422)["validation_errors"]


def test_template_variables_come_from_the_liquid_parse(fresh_api):
    template = fresh_api.post(
        "/templates",
        json={
            "name": "Vars",
            "subject": "{{ contact.first_name | default: 'you' }}",
            "body": "{% for item in data.items %}{{ item.name }}{% endfor %}{{ event.order.total }}",
        },
    ).json()
    assert template["variables"] == {"contact": ["first_name"], "data": ["items"], "event": ["order.total"]}
