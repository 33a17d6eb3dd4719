"""Messages: sending (html, body, template), merge tags, idempotency, deprecation headers, filters, get."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error, email_of

EMAIL = {"channel": "email", "to": "ada@example.com", "subject": "Hello", "html": "<p>Hi</p>"}


def test_send_is_queued_then_sent_and_lands_in_the_outbox(fresh_sandbox, fresh_api):
    response = fresh_api.send("k-1", **EMAIL)
    assert response.status_code == 201
    message = response.json()
    assert message["status"] == "queued" and message["sent_at"] is None and message["source_type"] is None
    again = fresh_api.get(f"/messages/{message['id']}").json()
    assert again["status"] == "sent" and again["sent_at"] == message["created_at"]
    [email] = fresh_sandbox.outbox()
    assert (
        email["kind"] == "transactional" and email["to"] == "ada@example.com" and email["message_id"] == message["id"]
    )
    assert email["from"] == "Acme Coffee <hello@acme.test>" and email["html"] == "<p>Hi</p>" and email["text"] == "Hi"


def test_merge_tags_come_from_data_and_the_recipient_contact(fresh_sandbox, fresh_api):
    contact = fresh_api.get("/contacts/12").json()
    fresh_api.send(
        "k-2",
        channel="email",
        to=email_of(contact),
        subject="Hi {{ contact.first_name }}",
        html="<p>{{ contact.first_name }}, order {{ data.order }} <b>{{ data.note }}</b></p>",
        data={"order": "A-17", "note": "<script>"},
    )
    [email] = fresh_sandbox.outbox()
    assert email["subject"] == f"Hi {contact['first_name']}"
    assert email["html"] == f"<p>{contact['first_name']}, order A-17 <b>&lt;script&gt;</b></p>"
    assert email["contact_id"] == 12


def test_body_only_email_gets_html_and_text(fresh_sandbox, fresh_api):
    fresh_api.send("k-3", channel="email", to="bob@example.com", subject="Plain", body="Line one\n\nLine <two>")
    [email] = fresh_sandbox.outbox()
    assert email["text"] == "Line one\n\nLine <two>"
    assert "<p>Line one</p>" in email["html"] and "Line &lt;two&gt;" in email["html"]


def test_template_send_renders_the_design(fresh_sandbox, fresh_api):
    message = fresh_api.send(
        "k-4", channel="email", to="eve@example.com", template_id=2, data={"order_id": "B-9", "total": "£12"}
    ).json()
    assert message["subject"] == "Order B-9 confirmed"
    [email] = fresh_sandbox.outbox()
    assert email["template_id"] == 2 and "We received order B-9 for £12." in email["html"]
    assert "Track your order" in email["text"]


def test_sms_is_recorded_without_an_email(fresh_sandbox, fresh_api):
    used = fresh_api.get("/account").json()["billing"]["resources"]["sms"]["used"]
    message = fresh_api.send("k-5", channel="sms", to="+447700900123", body="Code 1234").json()
    assert message["channel"] == "sms" and message["subject"] is None
    assert fresh_sandbox.outbox() == []
    assert fresh_api.get("/account").json()["billing"]["resources"]["sms"]["used"] == used + 1


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"channel": "email", "to": "a@b.co", "html": "<p>x</p>"}, "subject"),
        ({"channel": "email", "to": "a@b.co", "subject": "s"}, "html"),
        ({"channel": "email", "to": "a@b.co", "template_id": 999}, "template_id"),
        ({"channel": "sms", "to": "+447700900123"}, "body"),
        ({"channel": "sms", "to": "a@b.co", "body": "x"}, "to"),
    ],
)
def test_channel_rules_are_422(fresh_sandbox, fresh_api, payload, field):
    assert field in assert_error(fresh_api.send("k-bad", **payload), 422)["validation_errors"]
    assert fresh_sandbox.outbox() == []


def test_same_key_same_payload_returns_the_original_without_resending(fresh_sandbox, fresh_api):
    first = fresh_api.send("order-42", **EMAIL)
    second = fresh_api.send("order-42", **EMAIL)
    assert first.status_code == 201 and second.status_code == 201  # the spec's answer to a replay, too
    assert second.json() == first.json() and first.json()["status"] == "queued"
    assert len(fresh_sandbox.outbox()) == 1


def test_body_field_key_works_like_the_header(fresh_sandbox, fresh_api):
    first = fresh_api.post("/messages", json={**EMAIL, "idempotency_key": "body-key"})
    second = fresh_api.post("/messages", json={**EMAIL, "idempotency_key": "body-key"})
    assert first.json()["id"] == second.json()["id"] and len(fresh_sandbox.outbox()) == 1
    assert "Deprecation" not in first.headers


def test_same_key_different_payload_is_409(fresh_sandbox, fresh_api):
    fresh_api.send("order-43", **EMAIL)
    body = assert_error(fresh_api.send("order-43", **{**EMAIL, "subject": "Other"}), 409, "idempotency_conflict")
    assert "Idempotency-Key" in body["message"]
    assert len(fresh_sandbox.outbox()) == 1


def test_keyless_send_is_served_with_deprecation_headers(fresh_sandbox, fresh_api):
    response = fresh_api.post("/messages", json=EMAIL)
    assert response.status_code == 201
    assert response.headers["Deprecation"] and response.headers["Sunset"].endswith("GMT")
    assert "Deprecation" not in fresh_api.send("k-6", **EMAIL).headers


def test_lost_response_retry_with_the_key_sends_once(fresh_sandbox, fresh_api):
    fresh_sandbox.inject_faults(count=1, status=503, when="after", path="/messages", method="POST")
    assert_error(fresh_api.send("retry-me", **EMAIL), 503)
    retried = fresh_api.send("retry-me", **EMAIL)
    assert retried.status_code == 201 and retried.json()["status"] == "queued"  # the answer that was lost
    assert fresh_api.get(f"/messages/{retried.json()['id']}").json()["status"] == "sent"
    assert len(fresh_sandbox.outbox()) == 1


def test_default_list_is_transactional_only(api):
    messages = api.get("/messages", params={"limit": 100}).json()
    assert messages and all(m["source_type"] is None for m in messages)


@pytest.mark.parametrize(
    "source,allowed",
    [
        ("all", {None, "flow", "campaign", "test"}),
        ("flow", {"flow"}),
        ("campaign", {"campaign"}),
        ("test", {"test"}),
        ("transactional", {None}),
    ],
)
def test_source_type_filter(api, source, allowed):
    messages = [
        m
        for page in range(1, 6)
        for m in api.get("/messages", params={"source_type": source, "limit": 100, "page": page}).json()
    ]
    assert {m["source_type"] for m in messages} == allowed


@pytest.mark.parametrize(
    "name,value", [("channel", "sms"), ("channel", "email"), ("status", "failed"), ("status", "sent")]
)
def test_channel_and_status_filters(api, name, value):
    response = api.get("/messages", params={name: value, "source_type": "all", "limit": 100})
    assert int(response.headers["X-Total-Count"]) > 0 and {m[name] for m in response.json()} == {value}


@pytest.mark.parametrize("params", [{"source_type": "robots"}, {"channel": "fax"}, {"status": "lost"}])
def test_bad_filters_are_422(api, params):
    assert set(params) <= set(assert_error(api.get("/messages", params=params), 422)["validation_errors"])
