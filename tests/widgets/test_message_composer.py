"""MessageComposer against a real sandbox: sends, bad input, server errors, duplicates, live-mode confirmation."""

from __future__ import annotations

import json

import pytest

import nitrosend_nb as nb
from nitrosend_nb.widgets import MessageComposer


def compose(ns, **values) -> MessageComposer:
    composer = ns.message_composer()
    defaults = {
        "to": "ada@example.com",
        "subject": "Order {{ data.order_id }}",
        "body": "<p>Order {{ data.order_id }} is on its way</p>",
        "data": '{"order_id": 42}',
    }
    for field, value in {**defaults, **values}.items():
        getattr(composer, field).value = value
    return composer


def test_sends_html_with_merge_data(ns, sb):
    composer = compose(ns)
    composer.send_button.click()
    [email] = sb.outbox()
    assert (email["kind"], email["to"], email["subject"]) == ("transactional", "ada@example.com", "Order 42")
    assert "Order 42 is on its way" in email["html"] and "<p>" in email["html"]
    assert composer.status.kind == "success" and f"#{email['message_id']}" in composer.status.text
    assert ns.messages.get(email["message_id"])["to"] == "ada@example.com"


def test_sends_a_plain_text_body(ns, sb):
    composer = compose(ns, body="Line one\n\n<b>not markup</b>", data="")
    composer.body_format.value = "plain"
    composer.send_button.click()
    [email] = sb.outbox()
    assert "<b>not markup</b>" in email["text"] and "&lt;b&gt;not markup&lt;/b&gt;" in email["html"]


def test_sends_a_stored_template_with_its_subject(ns, sb):
    template = next(t for t in ns.templates.list() if t["name"] == "Order confirmation")
    composer = compose(ns, subject="", body="")
    composer.template.value = template["id"]
    assert composer.subject.value == template["subject"] and composer.body.disabled
    composer.send_button.click()
    [email] = sb.outbox()
    assert email["template_id"] == template["id"] and email["subject"] == "Order 42 confirmed"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to", "ada@", "not a valid e-mail address"),
        ("to", "", "An e-mail address is required"),
        ("subject", "", "A subject is required"),
        ("body", "  ", "A body (or a template) is required"),
        ("data", '{"order_id": }', "Invalid JSON"),
        ("data", "[1, 2]", "JSON object"),
    ],
)
def test_bad_input_is_flagged_beside_the_field_and_sends_nothing(ns, sb, field, value, message):
    composer = compose(ns, **{field: value})
    messages_before = ns.messages.list(limit=1).total
    composer.send_button.click()
    assert sb.outbox() == [] and ns.messages.list(limit=1).total == messages_before
    assert message in composer.errors.messages()[field]
    assert composer.status.kind == "error" and getattr(composer, field).value == value


def test_server_rejections_land_beside_the_field(ns, sb):
    # The client checks a subject is there, the server also its length (the e-mail rules agree, so a malformed
    # address never reaches the server: see test_email_rule.py).
    composer = compose(ns, subject="S" * 999)
    composer.send_button.click()
    assert sb.outbox() == []
    assert "at most 998 characters" in composer.errors.messages()["subject"]
    assert composer.status.kind == "error" and not composer.send_button.disabled


def test_a_template_gone_meanwhile_is_reported_on_the_template_field(ns, sb):
    template = ns.templates.create(name="Short-lived", subject="Soon gone", body="Hi")
    composer = compose(ns)
    composer.template.value = template["id"]
    sb.reset()  # back to the seed: the template listed in the dropdown is gone
    composer.send_button.click()
    assert sb.outbox() == []
    assert f"unknown template {template['id']}" in composer.errors.messages()["template"]


def test_double_click_and_duplicated_events_send_once(ns, sb):
    composer = compose(ns)
    composer.send_button.click()
    composer.send_button.click()
    composer.send_button._click_handlers(composer.send_button)
    assert len(sb.outbox()) == 1 and "not sent again" in composer.status.text
    composer.data.value = json.dumps({"order_id": 43})
    composer.send_button.click()
    assert [e["subject"] for e in sb.outbox()] == ["Order 42", "Order 43"]


def test_a_lost_response_then_a_second_click_sends_once(ns, sb):
    composer = compose(ns)
    sb.inject_faults(count=1, status=501, when="after", method="POST")
    composer.send_button.click()
    assert composer.status.kind == "error" and composer.to.value == "ada@example.com"
    composer.send_button.click()
    assert len(sb.outbox()) == 1 and composer.status.kind == "success"


def test_rate_limiting_is_reported_and_a_later_click_sends_once(sb):
    composer = compose(nb.connect(sandbox=sb, max_wait=0.2))
    sb.configure(rate_limit=0.01)  # a bucket of one request per 100 s
    composer.send_button.click()
    composer.data.value = '{"order_id": 43}'
    composer.send_button.click()
    assert composer.status.kind == "error" and "rate limiting" in composer.status.text
    assert "wait about 100 s" in composer.status.text and composer.data.value == '{"order_id": 43}'
    sb.configure(rate_limit=None)
    composer.send_button.click()
    composer.send_button.click()
    assert [e["subject"] for e in sb.outbox()] == ["Order 42", "Order 43"]


def test_live_mode_sends_only_after_confirmation_naming_recipient_and_account(live_ns, sb):
    composer = compose(live_ns)
    assert composer.confirmation.layout.display == "none"
    composer.send_button.click()
    assert sb.outbox() == []
    assert composer.confirmation.layout.display != "none"
    assert "ada@example.com" in composer.confirm_text.value and "Acme Coffee" in composer.confirm_text.value
    composer.confirm_button.click()
    composer.confirm_button.click()
    composer.confirm_button._click_handlers(composer.confirm_button)
    assert len(sb.outbox()) == 1 and composer.status.kind == "success"
    assert composer.confirmation.layout.display == "none"


def test_live_mode_cancel_or_an_edit_withdraws_the_confirmation(live_ns, sb):
    composer = compose(live_ns)
    composer.send_button.click()
    composer.cancel_button.click()
    composer.confirm_button.click()
    assert sb.outbox() == [] and "nothing was sent" in composer.status.text

    composer.send_button.click()
    composer.to.value = "grace@example.com"  # what was confirmed is no longer what would be sent
    composer.confirm_button.click()
    assert sb.outbox() == [] and composer.confirmation.layout.display == "none"
