"""Campaigns: CRUD, sending to an explicit audience (subscribed contacts only), one message per recipient,
sent counts, and content locking after the send."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error, deliverable, email_of, every, suppressed_emails

CONTENT = {
    "subject": "Hi {{ contact.first_name }}",
    "design": {
        "sections": [{"type": "text", "props": {"text": "Hello {{ contact.first_name }} from {{ brand.name }}"}}]
    },
}


def new_campaign(api, **fields) -> dict:
    """Create a campaign named Launch with ``fields``."""
    response = api.post("/campaigns", json={"name": "Launch", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_seeded_campaigns_span_statuses(api):
    campaigns = every(api, "/campaigns")
    assert len({c["name"] for c in campaigns}) == len(campaigns)  # names are unique: utm_campaign slugs
    assert {c["status"] for c in campaigns} == {
        "draft",
        "scheduled",
        "paused",
        "live",
        "completed",
        "cancelled",
        "archived",
    }
    went_out = ("live", "completed", "archived")
    assert all(c["sent_count"] > 0 and not c["editable"] for c in campaigns if c["status"] in went_out)
    assert all(c["sent_count"] == 0 and c["editable"] for c in campaigns if c["status"] not in went_out)
    assert {c["approval_state"] for c in campaigns} == {"pending_review", "approved", "rejected"}


def test_create_defaults(fresh_api):
    campaign = new_campaign(fresh_api)
    assert campaign["status"] == "draft" and campaign["channel"] == "email" and campaign["sent_count"] == 0
    assert (
        campaign["template"] is None and campaign["templates"] == [] and campaign["trigger"]["contact_list_ids"] == []
    )


def test_update_content_and_audience(fresh_api):
    campaign = new_campaign(fresh_api)
    updated = fresh_api.patch(
        f"/campaigns/{campaign['id']}",
        json={
            "name": "Launch v2",
            "scheduled_at": "2026-12-01T09:00:00+00:00",
            "trigger_attributes": {"contact_list_ids": [3, 4]},
            "template_attributes": CONTENT,
        },
    ).json()
    assert updated["name"] == "Launch v2" and updated["scheduled_at"] == "2026-12-01T09:00:00Z"
    assert updated["trigger"]["contact_list_ids"] == [3, 4] and updated["trigger"]["contact_list_id"] == 3
    assert updated["template"]["subject"] == CONTENT["subject"] and updated["templates"] == [updated["template"]]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"trigger_attributes": {"contact_list_ids": [99]}}, "trigger_attributes.contact_list_ids"),
        ({"trigger_attributes": {"segment_id": 99}}, "trigger_attributes.segment_id"),
        ({"status": "exploded"}, "status"),
        ({"scheduled_at": "next tuesday"}, "scheduled_at"),
        ({"template_attributes": {"from_email": "nope"}}, "template_attributes.from_email"),
    ],
)
def test_invalid_updates_are_422(fresh_api, payload, field):
    campaign = new_campaign(fresh_api)
    assert (
        field in assert_error(fresh_api.patch(f"/campaigns/{campaign['id']}", json=payload), 422)["validation_errors"]
    )


def test_send_without_audience_is_422_and_sends_nothing(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    body = assert_error(fresh_api.post(f"/campaigns/{campaign['id']}/send", json={}), 422)
    assert "audience" in body["validation_errors"]
    assert fresh_sandbox.outbox() == [] and fresh_api.get(f"/campaigns/{campaign['id']}").json()["status"] == "draft"


def test_send_without_content_is_422(fresh_api):
    campaign = new_campaign(fresh_api)
    body = assert_error(
        fresh_api.post(f"/campaigns/{campaign['id']}/send", json={"trigger_attributes": {"contact_list_ids": [3]}}), 422
    )
    assert "template_attributes.subject" in body["validation_errors"]


def test_send_to_a_list_reaches_subscribed_members_only(fresh_sandbox, fresh_api):
    members = every(fresh_api, "/contacts", list_id=2)  # Customers: some never subscribed, some left
    suppressed = set(suppressed_emails(fresh_api))
    subscribed = [c for c in members if c["subscribed_email"] and email_of(c) not in suppressed]
    assert 0 < len(subscribed) < len(members)
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    sent = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={"trigger_attributes": {"contact_list_ids": [2]}})
    assert sent.status_code == 200, sent.text
    result = sent.json()
    assert result["status"] == "completed" and result["sent_count"] == len(subscribed)
    assert result["trigger"]["triggered_count"] == 1 and result["trigger"]["last_triggered_at"] == result["updated_at"]
    outbox = fresh_sandbox.outbox()
    assert sorted(e["to"] for e in outbox) == sorted(email_of(c) for c in subscribed)
    by_contact = {c["id"]: c for c in subscribed}
    for email in outbox:
        contact = by_contact[email["contact_id"]]
        assert email["kind"] == "campaign" and email["campaign_id"] == campaign["id"]
        assert email["subject"] == f"Hi {contact['first_name']}"
        assert f"Hello {contact['first_name']} from Acme Coffee" in email["html"]
    messages = fresh_api.get("/messages", params={"source_type": "campaign", "limit": 100}).json()
    mine = [m for m in messages if m["source_name"] == "Launch"]
    assert len(mine) == len(subscribed) and {m["id"] for m in mine} == {e["message_id"] for e in outbox}
    assert all(m["status"] == "sent" and m["flow_id"] == result["trigger"]["flow_id"] for m in mine)


def test_send_to_a_segment_matches_the_segment_count(fresh_sandbox, fresh_api):
    segment = fresh_api.get("/segments/1").json()
    filters = segment["filters"]
    expected = fresh_api.post("/segments/count", json={"filters": filters + deliverable(fresh_api)}).json()["count"]
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    result = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={"trigger_attributes": {"segment_id": 1}}).json()
    assert result["sent_count"] == expected == len(fresh_sandbox.outbox()) > 0


def test_lists_and_segment_together_intersect(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    result = fresh_api.post(
        f"/campaigns/{campaign['id']}/send", json={"trigger_attributes": {"contact_list_ids": [1], "segment_id": 3}}
    ).json()
    for email in fresh_sandbox.outbox():
        contact = fresh_api.get(f"/contacts/{email['contact_id']}").json()
        assert 1 in contact["list_ids"] and "vip" in contact["data"]["tags"] and contact["subscribed_email"]
    assert result["sent_count"] == len(fresh_sandbox.outbox())


def test_send_to_all_needs_confirmation(fresh_sandbox, fresh_api):
    total_subscribed = fresh_api.post("/segments/count", json={"filters": deliverable(fresh_api)}).json()["count"]
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    result = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={"confirm_send_to_all": True}).json()
    assert result["sent_count"] == total_subscribed == len(fresh_sandbox.outbox())


def test_sent_campaign_is_locked_but_can_be_renamed(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT, trigger_attributes={"contact_list_ids": [3]})
    fresh_api.post(f"/campaigns/{campaign['id']}/send")
    delivered = len(fresh_sandbox.outbox())
    for payload in ({"template_attributes": {"subject": "Changed"}}, {"trigger_attributes": {"contact_list_ids": [1]}}):
        assert_error(fresh_api.patch(f"/campaigns/{campaign['id']}", json=payload), 422, "campaign_locked")
    assert_error(fresh_api.post(f"/campaigns/{campaign['id']}/send"), 422, "campaign_locked")
    renamed = fresh_api.patch(f"/campaigns/{campaign['id']}", json={"name": "Launch (sent)"}).json()
    assert renamed["name"] == "Launch (sent)" and renamed["template"]["subject"] == CONTENT["subject"]
    assert len(fresh_sandbox.outbox()) == delivered


def test_send_with_idempotency_key_replays(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT, trigger_attributes={"contact_list_ids": [3]})
    fresh_sandbox.inject_faults(when="after", path=f"/campaigns/{campaign['id']}/send")
    path = f"/campaigns/{campaign['id']}/send"
    assert_error(fresh_api.post(path, headers={"Idempotency-Key": "c1"}), 503)
    delivered = len(fresh_sandbox.outbox())
    retry = fresh_api.post(path, headers={"Idempotency-Key": "c1"})
    assert retry.status_code == 200 and retry.json()["status"] == "completed"
    assert len(fresh_sandbox.outbox()) == delivered > 0


def test_sms_campaign_records_messages_without_emails(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, channel="sms", template_attributes={"body": "Sale today"})
    result = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={"confirm_send_to_all": True}).json()
    assert result["sent_count"] > 0 and fresh_sandbox.outbox() == []
    sms = fresh_api.get("/messages", params={"source_type": "campaign", "channel": "sms", "limit": 100})
    assert int(sms.headers["X-Total-Count"]) >= result["sent_count"]


def test_delete(fresh_api):
    campaign = new_campaign(fresh_api)
    assert fresh_api.delete(f"/campaigns/{campaign['id']}").json()["id"] == campaign["id"]
    assert_error(fresh_api.get(f"/campaigns/{campaign['id']}"), 404)


def test_campaign_template_is_a_template_record(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    template = fresh_api.get(f"/templates/{campaign['template']['id']}").json()
    assert template == campaign["template"] and template["flow_id"] == campaign["trigger"]["flow_id"]
    assert template["id"] not in [t["id"] for t in fresh_api.get("/templates").json()]  # list = standalone only
    result = fresh_api.post(f"/templates/{template['id']}/send_test", json={"email": "qa@example.com"}).json()
    assert result["sent"] == 1 and fresh_sandbox.outbox()[0]["subject"] == "[Test] Hi "
    assert fresh_api.get(f"/campaigns/{campaign['id']}").json()["status"] == "draft"


def test_a_sent_campaigns_template_is_locked_too(fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT, trigger_attributes={"contact_list_ids": [3]})
    fresh_api.post(f"/campaigns/{campaign['id']}/send")
    assert_error(
        fresh_api.patch(f"/templates/{campaign['template']['id']}", json={"subject": "New"}), 422, "campaign_locked"
    )


def test_deleting_a_campaign_deletes_its_template(fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT)
    fresh_api.delete(f"/campaigns/{campaign['id']}")
    assert_error(fresh_api.get(f"/templates/{campaign['template']['id']}"), 404)


def test_clearing_a_sent_campaigns_schedule_is_refused_too(fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT, trigger_attributes={"contact_list_ids": [3]})
    fresh_api.post(f"/campaigns/{campaign['id']}/send")
    assert_error(fresh_api.patch(f"/campaigns/{campaign['id']}", json={"scheduled_at": None}), 422, "campaign_locked")
    assert fresh_api.get(f"/campaigns/{campaign['id']}").json()["scheduled_at"] is not None
