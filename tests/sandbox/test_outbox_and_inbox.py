"""The outbox: contract record shape, HTTP and Python views, clearing, usage (the inbox: test_inbox.py)."""

from __future__ import annotations

import requests
from sandbox_helpers import Api

RECORD_KEYS = [
    "id",
    "kind",
    "to",
    "from",
    "reply_to",
    "subject",
    "html",
    "text",
    "message_id",
    "template_id",
    "campaign_id",
    "contact_id",
    "created_at",
]


def fill(sb) -> None:
    """One email of each kind."""
    api = Api(sb)
    api.send(
        "o1",
        channel="email",
        to="first@example.com",
        subject="First <one>",
        html="<h1>One</h1>",
        reply_to="reply@example.com",
        **{"from": "Ops <ops@acme.test>"},
    )
    api.post("/templates/2/send_test", json={"email": "second@example.com"})
    campaign = api.post(
        "/campaigns",
        json={
            "name": "Tiny",
            "template_attributes": {"subject": "Third", "body": "3"},
            "trigger_attributes": {"contact_list_ids": [3]},
        },
    ).json()
    api.post(f"/campaigns/{campaign['id']}/send")


def test_records_have_the_contract_shape(fresh_sandbox):
    fill(fresh_sandbox)
    outbox = fresh_sandbox.outbox()
    assert all(list(record) == RECORD_KEYS for record in outbox)
    assert [r["id"] for r in outbox] == sorted(r["id"] for r in outbox)
    first, second = outbox[0], outbox[1]
    assert first["kind"] == "transactional" and first["from"] == "Ops <ops@acme.test>"
    assert first["reply_to"] == "reply@example.com" and first["created_at"].endswith("Z")
    assert second["kind"] == "test" and second["template_id"] == 2 and second["message_id"] > first["message_id"]
    assert {r["kind"] for r in outbox[2:]} == {"campaign"} and all(r["campaign_id"] for r in outbox[2:])


def test_http_outbox_equals_python_outbox_and_clears(fresh_sandbox):
    fill(fresh_sandbox)
    over_http = requests.get(fresh_sandbox.root_url + "/_sandbox/outbox", timeout=30).json()
    assert over_http == fresh_sandbox.outbox() and len(over_http) > 2
    cleared = Api(fresh_sandbox).control("DELETE", "/outbox").json()
    assert cleared == {"deleted": len(over_http)} and fresh_sandbox.outbox() == []
    Api(fresh_sandbox).send("o2", channel="email", to="a@b.co", subject="s", body="b")
    fresh_sandbox.clear_outbox()
    assert fresh_sandbox.outbox() == []


def test_usage_counters_follow_deliveries(fresh_sandbox):
    api = Api(fresh_sandbox)
    before = api.get("/account").json()["billing"]
    fill(fresh_sandbox)
    after = api.get("/account").json()["billing"]
    delivered = len(fresh_sandbox.outbox())
    assert after["resources"]["email"]["used"] == before["resources"]["email"]["used"] + delivered
    assert after["lifetime"]["email_sent"] == before["lifetime"]["email_sent"] + delivered
