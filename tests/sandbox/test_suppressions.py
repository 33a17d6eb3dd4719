"""Suppressions over HTTP: the read-only list and its filters, and how sends create and honour them
(transactional messages, campaigns, flows), with the deterministic rules and the bounce/complaint knobs."""

from __future__ import annotations

import pytest
from sandbox_helpers import Api, every

FIELDS = {
    "id",
    "email",
    "reason",
    "scope",
    "active",
    "contact_id",
    "source_provider",
    "source_event_id",
    "provider_diagnostic",
    "bounce_type",
    "bounce_subtype",
    "complaint_feedback_type",
    "event_occurred_at",
    "expires_at",
    "created_at",
    "updated_at",
}
HTML = {"channel": "email", "subject": "Hello", "html": "<p>Hello</p>"}


def suppressions(api: Api, **params) -> list[dict]:
    response = api.get("/suppressions", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


def validation_errors(response) -> dict:
    assert response.status_code == 422, response.text
    return response.json()["validation_errors"]


# -- the list -------------------------------------------------------------------------------------------------
def test_active_suppressions_by_default_and_expired_ones_on_request(api):
    active, expired = suppressions(api), suppressions(api, active="false")
    assert active and expired
    assert all(s["active"] is True for s in active) and all(s["active"] is False for s in expired)
    assert all(set(s) == FIELDS for s in active + expired)
    assert {s["reason"] for s in active} >= {"hard_bounce", "complaint", "manual"}
    assert all(s["expires_at"] for s in expired)  # soft bounces whose suppression ran out
    response = api.get("/suppressions")
    assert response.headers["X-Total-Count"] == str(len(active)) and len(response.json()) == min(25, len(active))


@pytest.mark.parametrize("name", ["id", "email", "reason", "source_provider"])
def test_every_filter_keeps_exactly_the_matching_suppressions(api, name):
    every = suppressions(api)
    value = every[-1][name]
    found = suppressions(api, **{name: value})
    assert found and found == [s for s in every if s[name] == value]


def test_email_filter_ignores_case_and_filters_combine(api):
    complaint = suppressions(api, reason="complaint")[0]
    assert suppressions(api, email=complaint["email"].upper()) == [complaint]
    assert suppressions(api, email=complaint["email"], reason="hard_bounce") == []


@pytest.mark.parametrize(
    "params, field", [({"reason": "bounced"}, "reason"), ({"active": "maybe"}, "active"), ({"id": "x"}, "id")]
)
def test_a_malformed_filter_is_a_422_naming_it(api, params, field):
    assert field in validation_errors(api.get("/suppressions", params=params))


def test_suppressions_are_read_only(api):
    assert api.post("/suppressions", json={"email": "a@b.test"}).status_code == 405
    assert api.delete("/suppressions/1").status_code == 405


def test_seeded_suppressions_match_the_seeded_failed_messages(api):
    messages = every(api, "/messages", source_type="all")
    failed = [m for m in messages if m["status"] == "failed"]
    assert failed and all(m["failure_code"] and m["failure_reason"] and m["failure_category"] for m in failed)
    assert all(m["failure_code"] is None for m in messages if m["status"] != "failed")
    by_email = {s["email"]: s for s in suppressions(api) + suppressions(api, active="false")}
    bounced = {m["to"] for m in failed if m["failure_code"] == "hard_bounce"}
    assert bounced and all(by_email[to]["reason"] == "hard_bounce" for to in bounced)
    assert {s["email"] for s in by_email.values() if s["reason"] in ("hard_bounce", "soft_bounce")} == {
        m["to"] for m in failed if m["failure_code"] in ("hard_bounce", "mailbox_full")
    }
    sent_to = {m["to"] for m in messages if m["status"] == "sent" and m["channel"] == "email"}
    assert {s["email"] for s in by_email.values() if s["reason"] == "complaint"} <= sent_to


# -- sends create and honour suppressions ---------------------------------------------------------------------
def test_a_hard_bounce_fails_the_message_and_suppresses_the_address(fresh_sandbox, fresh_api):
    sent = fresh_api.send("b1", to="gone@bounce.test", **HTML)
    assert sent.status_code == 201
    message = fresh_api.get(f"/messages/{sent.json()['id']}").json()
    assert message["status"] == "failed" and message["sent_at"] is None
    assert message["failure_category"] == "recipient" and message["failure_code"] == "hard_bounce"
    assert message["failure_reason"].startswith("550")
    assert fresh_sandbox.outbox() == []
    (suppression,) = suppressions(fresh_api, email="gone@bounce.test")
    assert suppression["reason"] == "hard_bounce" and suppression["bounce_type"] == "hard"
    assert suppression["source_provider"] == "sandbox" and suppression["event_occurred_at"] == message["created_at"]


def test_a_send_to_a_suppressed_address_fails_without_reaching_the_outbox(fresh_sandbox, fresh_api):
    blocked = suppressions(fresh_api, reason="manual")[0]["email"]
    before = fresh_api.get("/account").json()["billing"]["resources"]["email"]["used"]
    sent = fresh_api.send("s1", to=blocked.upper(), **HTML)
    assert sent.status_code == 201 and sent.json()["status"] == "queued"  # accepted, then failed
    message = fresh_api.get(f"/messages/{sent.json()['id']}").json()
    assert (message["status"], message["failure_category"], message["failure_code"]) == (
        "failed",
        "recipient",
        "suppressed",
    )
    assert "manual" in message["failure_reason"]
    assert fresh_sandbox.outbox() == []
    assert fresh_api.get("/account").json()["billing"]["resources"]["email"]["used"] == before
    assert len(suppressions(fresh_api, email=blocked)) == 1  # no second suppression


def test_a_complaint_is_delivered_and_then_suppresses(fresh_sandbox, fresh_api):
    sent = fresh_api.send("c1", to="angry@complaint.test", **HTML)
    assert fresh_api.get(f"/messages/{sent.json()['id']}").json()["status"] == "sent"
    assert [e["to"] for e in fresh_sandbox.outbox()] == ["angry@complaint.test"]
    (suppression,) = suppressions(fresh_api, email="angry@complaint.test")
    assert suppression["reason"] == "complaint" and suppression["complaint_feedback_type"] == "abuse"
    again = fresh_api.send("c2", to="angry@complaint.test", **HTML)
    assert fresh_api.get(f"/messages/{again.json()['id']}").json()["failure_code"] == "suppressed"
    assert len(fresh_sandbox.outbox()) == 1


def test_campaigns_skip_suppressed_recipients(fresh_sandbox, fresh_api):
    ids = [
        fresh_api.post("/contacts", json={"email": email, "subscribed_email": True}).json()["id"]
        for email in ("ok@example.test", "gone@bounce.test", "angry@complaint.test")
    ]
    audience = fresh_api.post("/lists", json={"name": "Rehearsal", "contact_ids": ids}).json()["id"]
    content = {"subject": "News", "body": "Hello", "from_email": "news@acme.test"}

    def send_campaign(name: str) -> dict:
        campaign = fresh_api.post("/campaigns", json={"name": name, "template_attributes": content}).json()
        sent = fresh_api.post(
            f"/campaigns/{campaign['id']}/send", json={"trigger_attributes": {"contact_list_ids": [audience]}}
        )
        assert sent.status_code == 200, sent.text
        return sent.json()

    first = send_campaign("First")
    assert first["sent_count"] == 3
    statuses = {
        m["to"]: (m["status"], m["failure_code"])
        for m in fresh_api.get("/messages", params={"source_type": "campaign", "limit": 100}).json()
        if m["source_name"] == "First"
    }
    assert statuses == {
        "ok@example.test": ("sent", None),
        "gone@bounce.test": ("failed", "hard_bounce"),
        "angry@complaint.test": ("sent", None),
    }
    assert sorted(e["to"] for e in fresh_sandbox.outbox()) == ["angry@complaint.test", "ok@example.test"]
    second = send_campaign("Second")
    assert second["sent_count"] == 1
    assert [e["to"] for e in fresh_sandbox.outbox() if e["campaign_id"] == second["id"]] == ["ok@example.test"]


def test_a_test_send_that_bounces_is_reported_as_failed(fresh_sandbox, fresh_api):
    result = fresh_api.post(
        "/templates/1/send_test",
        json={"email": ["qa@acme.test", "gone@bounce.test"]},
        headers={"Idempotency-Key": "bounce-test"},
    ).json()
    good, bounced = result["results"]
    assert result["sent"] == 1 and good["success"] and good["status"] == "delivered"
    assert bounced["success"] is False and bounced["status"] == "failed" and bounced["code"] == "hard_bounce"
    assert fresh_api.get(f"/messages/{bounced['message_id']}").json()["failure_category"] == "recipient"
    assert [e["to"] for e in fresh_sandbox.outbox()] == ["qa@acme.test"]


def test_a_flow_email_to_a_suppressed_contact_fails(fresh_sandbox, fresh_api):
    contact = fresh_api.post("/contacts", json={"email": "gone@bounce.test", "subscribed_email": True}).json()
    fresh_api.post(
        "/flows",
        json={
            "name": "Hi",
            "status": "live",
            "trigger": {"event": "signed_up"},
            "steps": [{"type": "email", "subject": "Hi"}],
        },
    )
    fresh_api.post(
        "/events", json={"event": "signed_up", "contact_id": contact["id"]}, headers={"Idempotency-Key": "signup"}
    )
    (message,) = fresh_api.get("/messages", params={"source_type": "flow", "status": "failed"}).json()[:1]
    assert message["to"] == "gone@bounce.test" and message["failure_category"] == "recipient"
    assert fresh_sandbox.outbox() == []


# -- the knobs --------------------------------------------------------------------------------------------------
def failed_addresses(sb) -> set[str]:
    api = Api(sb)
    for n in range(60):
        api.send(f"k{n}", to=f"person{n}@example.test", **HTML)
    return {s["email"] for s in suppressions(api) if s["source_provider"] == "sandbox"}


def test_bounce_and_complaint_rates_are_proportional_and_seeded(make_sandbox):
    runs = [make_sandbox(contacts=5, seed=seed, bounce_rate=0.25, complaint_rate=0.2) for seed in (1, 1, 2)]
    first, same, other = (failed_addresses(sb) for sb in runs)
    assert 10 <= len(first) <= 40 and first == same and first != other
    reasons = {s["reason"] for s in suppressions(Api(runs[0])) if s["source_provider"] == "sandbox"}
    assert reasons == {"hard_bounce", "complaint"}


def test_rates_are_configurable_at_runtime(make_sandbox):
    sb = make_sandbox(contacts=5)
    config = Api(sb).control("POST", "/config", json={"bounce_rate": 1, "complaint_rate": 0.5}).json()
    assert config["bounce_rate"] == 1 and config["complaint_rate"] == 0.5
    api = Api(sb)
    sent = api.send("k", to="anyone@example.test", **HTML).json()
    assert api.get(f"/messages/{sent['id']}").json()["failure_code"] == "hard_bounce"
    sb.configure(bounce_rate=0, complaint_rate=0)
    assert (
        api.get(f"/messages/{api.send('k2', to='someone@example.test', **HTML).json()['id']}").json()["status"]
        == "sent"
    )
    response = Api(sb).control("POST", "/config", json={"complaint_rate": 1.5})
    assert "complaint_rate" in validation_errors(response)
