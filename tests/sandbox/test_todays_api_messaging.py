"""Today's API for messages, test sends, campaigns and flows (API-NOTES.md, "Today's API"), over HTTP: shapes and
enums, the campaign_id / flow_id / date filters against sent_count, tags, contact_id and from on send, failure
reasons, send_test per recipient, campaign statuses, approval, duplicate, flow idempotency and the two specs."""

from __future__ import annotations

import pytest
from sandbox_helpers import assert_error, change_brand, deliverable, email_of, every
from todays_api import CAMPAIGN, FLOW, MESSAGE, SEND_TEST, assert_today

EMAIL = {"channel": "email", "to": "ada@example.com", "subject": "Hello", "html": "<p>Hi</p>"}
CONTENT = {
    "subject": "Hi {{ contact.first_name }}",
    "design": {"sections": [{"type": "text", "props": {"text": "Hello {{ contact.first_name }}"}}]},
}


# -- shapes --------------------------------------------------------------------------------------------------
def test_seeded_messages_campaigns_and_flows_speak_todays_api(api):
    assert_today(every(api, "/messages", source_type="all"), MESSAGE, "Message")
    assert_today(every(api, "/campaigns"), CAMPAIGN, "Campaign")
    assert_today(every(api, "/flows"), FLOW, "Flow")
    assert_today(api.get("/campaigns/1").json(), CAMPAIGN, "Campaign")


@pytest.mark.parametrize(
    "broken",
    [
        lambda m: m.pop("failure_category"),
        lambda m: m.update(source_type="robot"),
        lambda m: m.update(status_reason_category="weather"),
    ],
)
def test_the_shape_check_catches_a_missing_field_or_a_stray_enum(api, broken):
    message = api.get("/messages/1").json()
    broken(message)
    with pytest.raises(AssertionError):
        assert_today(message, MESSAGE, "Message")


def test_seeded_failures_and_waits_carry_reasons(api):
    messages = every(api, "/messages", source_type="all")
    failed = [m for m in messages if m["status"] == "failed"]
    assert failed and all(
        m["failure_code"]
        and m["failure_reason"]
        and m["failure_category"]
        and m["status_reason_code"] == m["failure_code"]
        and m["sent_at"] is None
        for m in failed
    )
    assert len({m["failure_category"] for m in failed}) >= 3
    sent = [m for m in messages if m["status"] == "sent"]
    assert all(m["failure_code"] is None and m["failure_category"] is None and m["sent_at"] for m in sent)
    assert "rate_limit" in {m["status_reason_category"] for m in messages if m["status"] == "queued"}
    assert {m["brand_id"] for m in messages} == {1}


# -- filters -------------------------------------------------------------------------------------------------
def test_campaign_id_returns_exactly_that_campaigns_messages_and_sent_count(api):
    campaigns = every(api, "/campaigns")
    seen: set[int] = set()
    for campaign in campaigns:
        mine = every(api, "/messages", campaign_id=campaign["id"])
        assert len(mine) == campaign["sent_count"], campaign["name"]
        assert every(api, "/messages", campaign_id=campaign["id"], source_type="all") == mine
        assert all(
            m["source_type"] == "campaign"
            and m["source_name"] == campaign["name"]
            and m["flow_id"] == campaign["trigger"]["flow_id"]
            for m in mine
        )
        assert not seen & {m["id"] for m in mine}
        seen |= {m["id"] for m in mine}
    assert sum(c["sent_count"] for c in campaigns) == len(every(api, "/messages", source_type="campaign")) > 0
    assert api.get("/messages", params={"campaign_id": 4, "source_type": "flow"}).json() == []


def test_flow_id_returns_exactly_that_flows_messages_and_sent_count(api):
    flows = every(api, "/flows")
    for flow in flows:
        mine = every(api, "/messages", flow_id=flow["id"])
        assert len(mine) == flow["sent_count"]
        assert all(m["source_type"] == "flow" and m["source_name"] == flow["name"] for m in mine)
    assert sum(f["sent_count"] for f in flows) == len(every(api, "/messages", source_type="flow")) > 0


def test_date_filter_is_one_utc_day(api):
    messages = every(api, "/messages", source_type="all")
    day = messages[len(messages) // 2]["created_at"][:10]
    on_day = every(api, "/messages", source_type="all", date=day)
    assert on_day and [m["id"] for m in on_day] == [m["id"] for m in messages if m["created_at"].startswith(day)]
    transactional = every(api, "/messages", date=day)
    assert {m["source_type"] for m in transactional} <= {None}


def test_filters_combine(api):
    failed_email = every(api, "/messages", source_type="all", channel="email", status="failed")
    assert failed_email and all(m["channel"] == "email" and m["status"] == "failed" for m in failed_email)
    tests = every(api, "/messages", source_type="test")
    assert tests and all(m["subject"].startswith("[Test] ") for m in tests)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"date": "2026-13-01"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"campaign_id": "x"}, "campaign_id"),
        ({"flow_id": "0"}, "flow_id"),
        ({"source_type": "robots"}, "source_type"),
    ],
)
def test_bad_message_filters_are_422(api, params, field):
    assert field in assert_error(api.get("/messages", params=params), 422)["validation_errors"]


# -- sending -------------------------------------------------------------------------------------------------
def test_tags_are_an_object_of_scalars(fresh_sandbox, fresh_api):
    ok = fresh_api.send("tags-ok", **EMAIL, tags={"order": "A-1", "total": 12.5, "vip": True})
    assert ok.status_code == 201, ok.text
    cases = [
        ({"tags": ["a", "b"]}, "tags"),
        ({"tags": {"nested": {"x": 1}}}, "tags.nested"),
        ({"tags": {"list": [1]}}, "tags.list"),
        ({"tags": {"account_id": 1}}, "tags.account_id"),
        ({"tags": {"brand_id": "x", "message_id": 2}}, "tags.message_id"),
    ]
    for index, (extra, field) in enumerate(cases):
        body = assert_error(fresh_api.send(f"tags-{index}", **EMAIL, **extra), 422)
        assert field in body["validation_errors"], body
    reserved = assert_error(fresh_api.send("tags-r", **EMAIL, tags={"brand_id": 1}), 422)["validation_errors"]
    assert "reserved" in reserved["tags.brand_id"][0]
    assert len(fresh_sandbox.outbox()) == 1


def test_contact_id_sends_to_that_contact_personalised(fresh_sandbox, fresh_api):
    contact = fresh_api.get("/contacts/12").json()
    sent = fresh_api.send("c-1", channel="email", contact_id=12, subject="Hi {{ contact.first_name }}", body="x")
    assert sent.status_code == 201, sent.text
    assert sent.json()["to"] == email_of(contact) and sent.json()["subject"] == f"Hi {contact['first_name']}"
    [email] = fresh_sandbox.outbox()
    assert email["to"] == email_of(contact) and email["contact_id"] == 12
    assert (
        "contact_id"
        in assert_error(fresh_api.send("c-2", channel="email", contact_id=999999, subject="s", body="x"), 422)[
            "validation_errors"
        ]
    )
    assert (
        "to"
        in assert_error(
            fresh_api.send("c-3", channel="email", contact_id=12, to="other@example.com", subject="s", body="x"), 422
        )["validation_errors"]
    )
    no_phone = next(
        c
        for c in fresh_api.get("/contacts", params={"limit": 100}).json()
        if not any(ch["kind"] == "phone" for ch in c["channels"])
    )
    assert (
        "contact_id"
        in assert_error(fresh_api.send("c-4", channel="sms", contact_id=no_phone["id"], body="x"), 422)[
            "validation_errors"
        ]
    )
    assert "to" in assert_error(fresh_api.send("c-5", channel="email", subject="s", body="x"), 422)["validation_errors"]
    assert len(fresh_sandbox.outbox()) == 1


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"from": "Ops Team <ops@acme.test>"}, "Ops Team <ops@acme.test>"),
        ({"from": '"Ops, Team" <ops@acme.test>'}, "Ops, Team <ops@acme.test>"),
        ({"from": "ops@acme.test"}, "Acme Coffee <ops@acme.test>"),
        ({"from": "Ops <ops@acme.test>", "from_name": "Night shift"}, "Night shift <ops@acme.test>"),
        ({"from_name": "Only a name"}, "Only a name <hello@acme.test>"),
    ],
)
def test_from_is_parsed(fresh_sandbox, fresh_api, fields, expected):
    assert fresh_api.send("from", **EMAIL, **fields).status_code == 201
    assert fresh_sandbox.outbox()[0]["from"] == expected


@pytest.mark.parametrize("value", ["Ops <not-an-address>", "Ops <ops@acme.test", "<>", "two words@x.io"])
def test_a_bad_from_is_422(fresh_sandbox, fresh_api, value):
    assert "from" in assert_error(fresh_api.send("bad-from", **EMAIL, **{"from": value}), 422)["validation_errors"]
    assert fresh_sandbox.outbox() == []


def test_an_invalid_recipient_fails_with_a_reason(fresh_sandbox, fresh_api):
    response = fresh_api.send("inv", **{**EMAIL, "to": "nobody@bounce.invalid"})
    assert response.status_code == 201
    message = response.json()
    assert message["status"] == "failed" and message["failure_code"] == "invalid_recipient"
    assert message["failure_category"] == "recipient" and message["status_reason_category"] == "recipient"
    assert message["sent_at"] is None and message["provider_id"] is None and message["failure_reason"]
    assert fresh_api.get(f"/messages/{message['id']}").json() == message
    assert fresh_sandbox.outbox() == []


def test_sms_fails_when_the_brand_cannot_send_sms(fresh_sandbox, fresh_api):
    used = fresh_api.get("/account").json()["billing"]["resources"]["sms"]["used"]
    change_brand(fresh_sandbox, capabilities={"email": True, "sms": False, "ai": True})
    message = fresh_api.send("sms", channel="sms", to="+447700900123", body="Code 1").json()
    assert (message["status"], message["failure_code"], message["failure_category"]) == (
        "failed",
        "sms_not_enabled",
        "account",
    )
    assert fresh_api.get("/account").json()["billing"]["resources"]["sms"]["used"] == used
    assert fresh_api.send("mail", **EMAIL).json()["status"] == "queued"


def test_every_send_fails_when_the_brand_cannot_send(fresh_sandbox, fresh_api):
    change_brand(fresh_sandbox, can_send=False)
    message = fresh_api.send("nope", **EMAIL).json()
    assert (message["failure_code"], message["failure_category"]) == ("brand_cannot_send", "account")
    result = fresh_api.post(
        "/templates/1/send_test", json={"email": "me@example.com"}, headers={"Idempotency-Key": "t"}
    ).json()
    assert result["sent"] == 0 and result["results"][0]["code"] == "brand_cannot_send"
    assert fresh_sandbox.outbox() == []


# -- test sends ----------------------------------------------------------------------------------------------
def test_send_test_reports_each_recipient_and_still_sends_to_the_others(fresh_sandbox, fresh_api):
    response = fresh_api.post(
        "/templates/1/send_test",
        headers={"Idempotency-Key": "mixed"},
        json={"email": ["ok@example.com", "nobody@bounce.invalid", "also@example.com"]},
    )
    result = response.json()
    assert_today(result, SEND_TEST, "SendTest")
    assert result["sent"] == 2
    ok, refused, also = result["results"]
    assert ok["success"] and ok["status"] == "delivered" and ok["code"] == "delivered" and "error" not in ok
    assert (
        refused
        == {
            "email": "nobody@bounce.invalid",
            "success": False,
            "status": "failed",
            "code": "invalid_recipient",
            "error": refused["error"],
        }
        and refused["error"]
    )
    assert [e["to"] for e in fresh_sandbox.outbox()] == ["ok@example.com", "also@example.com"]
    message = fresh_api.get(f"/messages/{ok['message_id']}").json()
    assert message["source_type"] == "test" and message["source_name"] == "Welcome" and message["to"] == ok["email"]
    tests = [m["id"] for m in fresh_api.get("/messages", params={"source_type": "test", "limit": 100}).json()]
    assert {ok["message_id"], also["message_id"]} <= set(tests)
    assert ok["message_id"] not in [m["id"] for m in fresh_api.get("/messages").json()]


def test_sample_contact_personalises_a_test_to_another_address(fresh_sandbox, fresh_api):
    contact = fresh_api.get("/contacts/9").json()
    result = fresh_api.post(
        "/templates/1/send_test",
        json={"email": "me@example.com", "sample_contact_id": 9},
        headers={"Idempotency-Key": "sample"},
    ).json()
    assert [r["email"] for r in result["results"]] == ["me@example.com"]
    [email] = fresh_sandbox.outbox()
    assert email["to"] == "me@example.com" and email["subject"] == f"[Test] Welcome to Acme, {contact['first_name']}!"
    assert email_of(contact) not in [e["to"] for e in fresh_sandbox.outbox()]
    for body, field in (
        ({"sample_contact_id": 9}, "email"),
        ({"email": "me@example.com", "sample_contact_id": 999999}, "sample_contact_id"),
        ({"contact_id": 9, "sample_contact_id": 9}, "sample_contact_id"),
    ):
        assert field in assert_error(fresh_api.post("/templates/1/send_test", json=body), 422)["validation_errors"]
    assert len(fresh_sandbox.outbox()) == 1


def test_campaign_send_test_uses_its_content_and_is_not_a_campaign_message(fresh_sandbox, fresh_api):
    before = fresh_api.get("/campaigns/9").json()
    first = fresh_api.post(
        "/campaigns/9/send_test", json={"email": "me@example.com"}, headers={"Idempotency-Key": "ct"}
    )
    again = fresh_api.post(
        "/campaigns/9/send_test", json={"email": "me@example.com"}, headers={"Idempotency-Key": "ct"}
    )
    assert first.status_code == 200 and first.json() == again.json() and first.json()["sent"] == 1
    assert_today(first.json(), SEND_TEST, "SendTest")
    [email] = fresh_sandbox.outbox()
    assert (
        email["kind"] == "test"
        and email["subject"].startswith("[Test] ")
        and email["template_id"] == before["template"]["id"]
    )
    message = fresh_api.get(f"/messages/{first.json()['results'][0]['message_id']}").json()
    assert message["source_type"] == "test" and message["source_name"] == before["name"]
    after = fresh_api.get("/campaigns/9").json()
    assert after["sent_count"] == 0 and after["status"] == "draft"
    assert fresh_api.get("/messages", params={"campaign_id": 9}).json() == []
    keyless = fresh_api.post("/campaigns/9/send_test", json={"email": "me@example.com"})
    assert keyless.status_code == 200 and keyless.headers["Deprecation"]
    assert "channel" in assert_error(fresh_api.post("/campaigns/12/send_test", json={}), 422)["validation_errors"]
    assert_error(fresh_api.post("/campaigns/999/send_test", json={}), 404)


# -- campaigns -----------------------------------------------------------------------------------------------
def new_campaign(api, **fields) -> dict:
    response = api.post("/campaigns", json={"name": "Launch", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_campaign_is_an_editable_draft_pending_review(fresh_api):
    campaign = new_campaign(fresh_api)
    assert_today(campaign, CAMPAIGN, "Campaign")
    assert (campaign["status"], campaign["approval_state"], campaign["editable"]) == ("draft", "pending_review", True)
    trigger = campaign["trigger"]
    assert trigger["audience_type"] is None and trigger["resource_type"] == "Campaign"
    assert trigger["resource_id"] == campaign["id"] and trigger["name"] == "Launch"


def test_status_transitions(fresh_api):
    cid = new_campaign(fresh_api)["id"]

    def patch(**body):
        return fresh_api.patch(f"/campaigns/{cid}", json=body)

    assert patch(scheduled_at="2027-01-05T09:00:00Z").json()["status"] == "scheduled"
    assert patch(scheduled_at=None).json()["status"] == "draft"
    body = assert_error(patch(status="paused"), 422)
    assert "cannot change from draft to paused" in body["validation_errors"]["status"][0]
    assert "scheduled_at" in assert_error(patch(status="scheduled"), 422)["validation_errors"]
    assert "send" in assert_error(patch(status="live"), 422)["validation_errors"]["status"][0]
    assert "completed" in assert_error(patch(status="completed"), 422)["validation_errors"]["status"][0]
    assert "'live'" in assert_error(patch(status="active"), 422)["validation_errors"]["status"][0]
    assert patch(status="scheduled", scheduled_at="2027-01-05T09:00:00Z").json()["status"] == "scheduled"
    for status in ("paused", "cancelled", "archived"):
        assert patch(status=status).json()["status"] == status
    assert "archived is final" in assert_error(patch(status="draft"), 422)["validation_errors"]["status"][0]
    assert "status" in assert_error(fresh_api.post(f"/campaigns/{cid}/send", json={}), 422)["validation_errors"]


def test_send_makes_a_campaign_completed_with_exactly_its_messages(fresh_sandbox, fresh_api):
    campaign = new_campaign(fresh_api, template_attributes=CONTENT, trigger_attributes={"contact_list_ids": [4]})
    assert campaign["trigger"]["audience_type"] == "lists"
    sent = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={}).json()
    assert (sent["status"], sent["approval_state"], sent["editable"]) == ("completed", "approved", False)
    mine = every(fresh_api, "/messages", campaign_id=campaign["id"])
    assert len(mine) == sent["sent_count"] == len(fresh_sandbox.outbox()) > 0
    assert {m["id"] for m in mine} == {e["message_id"] for e in fresh_sandbox.outbox()}
    assert_today(mine, MESSAGE, "Message")
    assert sent["scheduled_at"] == sent["updated_at"]
    assert fresh_api.patch(f"/campaigns/{campaign['id']}", json={"status": "archived"}).json()["status"] == "archived"


def test_a_future_scheduled_send_stays_scheduled(fresh_sandbox, fresh_api):
    campaign = new_campaign(
        fresh_api,
        template_attributes=CONTENT,
        scheduled_at="2027-03-01T09:00:00Z",
        trigger_attributes={"contact_list_ids": [4]},
    )
    assert campaign["status"] == "scheduled"
    sent = fresh_api.post(f"/campaigns/{campaign['id']}/send", json={}).json()
    assert (sent["status"], sent["approval_state"], sent["sent_count"], sent["editable"]) == (
        "scheduled",
        "approved",
        0,
        True,
    )
    assert fresh_sandbox.outbox() == []


def test_approval_rejected_campaign_cannot_send_until_its_content_changes(fresh_sandbox, fresh_api):
    rejected = fresh_api.get("/campaigns/11").json()
    assert rejected["approval_state"] == "rejected"
    body = assert_error(
        fresh_api.post("/campaigns/11/send", json={"trigger_attributes": {"contact_list_ids": [3]}}), 422
    )
    assert "approval_state" in body["validation_errors"] and fresh_sandbox.outbox() == []
    changed = fresh_api.patch("/campaigns/11", json={"template_attributes": {"subject": "Back soon"}}).json()
    assert changed["approval_state"] == "pending_review"
    sent = fresh_api.post("/campaigns/11/send", json={"trigger_attributes": {"contact_list_ids": [3]}}).json()
    assert sent["approval_state"] == "approved" and sent["status"] == "completed"


def test_audience_type_all_contacts_needs_the_confirmation(fresh_sandbox, fresh_api):
    campaign = new_campaign(
        fresh_api, template_attributes=CONTENT, trigger_attributes={"audience_type": "all_contacts"}
    )
    assert campaign["trigger"]["audience_type"] == "all_contacts"
    path = f"/campaigns/{campaign['id']}/send"
    assert "confirm_send_to_all" in assert_error(fresh_api.post(path, json={}), 422)["validation_errors"]
    sent = fresh_api.post(path, json={"confirm_send_to_all": True}).json()
    subscribed = fresh_api.post("/segments/count", json={"filters": deliverable(fresh_api)}).json()["count"]
    assert sent["sent_count"] == subscribed and sent["trigger"]["audience_type"] == "all_contacts"
    segment = new_campaign(fresh_api, trigger_attributes={"audience_type": "segment"})
    assert (
        "trigger_attributes.segment_id"
        in assert_error(fresh_api.post(f"/campaigns/{segment['id']}/send", json={"template_attributes": CONTENT}), 422)[
            "validation_errors"
        ]
    )


def test_duplicate_copies_a_campaign_as_a_new_draft(fresh_api):
    source = fresh_api.get("/campaigns/2").json()
    response = fresh_api.post("/campaigns/2/duplicate", json={})
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["id"] != source["id"] and copy["name"] == f"{source['name']} (copy)"
    assert (copy["status"], copy["approval_state"], copy["editable"], copy["sent_count"]) == (
        "draft",
        "pending_review",
        True,
        0,
    )
    assert copy["trigger"]["contact_list_ids"] == source["trigger"]["contact_list_ids"]
    assert copy["trigger"]["flow_id"] != source["trigger"]["flow_id"]
    assert copy["template"]["subject"] == source["template"]["subject"]
    assert copy["template"]["id"] != source["template"]["id"]
    assert fresh_api.get("/campaigns/2").json() == source
    edited = fresh_api.patch(f"/campaigns/{copy['id']}", json={"template_attributes": {"subject": "New"}}).json()
    assert edited["template"]["subject"] == "New" and fresh_api.get("/campaigns/2").json() == source


def test_duplicate_can_cancel_the_source(fresh_api):
    copy = fresh_api.post("/campaigns/9/duplicate", json={"cancel_source": True, "name": "Winter blend v2"}).json()
    assert copy["name"] == "Winter blend v2" and copy["status"] == "draft"
    assert fresh_api.get("/campaigns/9").json()["status"] == "cancelled"
    total = fresh_api.get("/campaigns").headers["X-Total-Count"]
    body = assert_error(fresh_api.post("/campaigns/2/duplicate", json={"cancel_source": True}), 422)
    assert "cancel_source" in body["validation_errors"]
    assert fresh_api.get("/campaigns").headers["X-Total-Count"] == total
    assert fresh_api.get("/campaigns/2").json()["status"] == "completed"
    assert_error(fresh_api.post("/campaigns/999/duplicate", json={}), 404)


# -- flows ---------------------------------------------------------------------------------------------------
def test_post_flows_is_idempotent_with_a_key(fresh_api):
    body = {"name": "Onboarding", "goal": "First order", "steps": [{"type": "email", "subject": "Hi"}]}
    first = fresh_api.post("/flows", json=body, headers={"Idempotency-Key": "flow-1"})
    again = fresh_api.post("/flows", json=body, headers={"Idempotency-Key": "flow-1"})
    assert first.status_code == 201 and again.status_code == 200 and again.json() == first.json()
    assert first.json()["goal"] == "First order"
    assert_today(first.json(), FLOW, "Flow")
    conflict = assert_error(
        fresh_api.post("/flows", json={**body, "name": "Other"}, headers={"Idempotency-Key": "flow-1"}),
        409,
        "idempotency_conflict",
    )
    assert "idempotency_conflict" in conflict["message"]
    by_field = fresh_api.post("/flows", json={**body, "idempotency_key": "flow-1"})
    assert by_field.json()["id"] == first.json()["id"]
    assert fresh_api.get("/flows").headers["X-Total-Count"] == "4"
    keyless = [fresh_api.post("/flows", json=body).json()["id"] for _ in range(2)]
    assert keyless[0] != keyless[1]


def test_flow_statuses(fresh_api):
    flow = fresh_api.post("/flows", json={"name": "S"}).json()
    for status in ("live", "paused", "cancelled", "archived"):
        changed = fresh_api.patch(f"/flows/{flow['id']}", json={"status": status}).json()
        assert changed["status"] == status and changed["approval_state"] == "approved"
    assert (
        "'live'"
        in assert_error(fresh_api.post("/flows", json={"name": "x", "status": "active"}), 422)["validation_errors"][
            "status"
        ][0]
    )


# -- specs ---------------------------------------------------------------------------------------------------
def test_template_spec_lists_every_section_the_renderer_renders(api):
    spec = api.get("/templates/spec").json()
    kinds = [c["type"] for c in spec["components"]]
    assert len(kinds) == len(set(kinds)) >= 10 and "align" in spec["common_styles"]
    assert "contact.first_name" in spec["variables"] and "brand_color" in spec["theme_fields"]
    for component in spec["components"]:
        props = {
            name: (
                [{"url": "https://acme.test", "title": "x"}]
                if prop["type"] == "array"
                else "https://acme.test/x.png"
                if name in ("src", "url")
                else "Sample"
            )
            for name, prop in component["props"].items()
            if prop["required"]
        }
        html = api.post(
            "/templates/preview", json={"document": {"sections": [{"type": component["type"], "props": props}]}}
        ).json()["html"]
        assert f'class="ns-{component["type"]}"' in html, component["type"]
    assert_error(api.post("/templates/preview", json={"document": {"sections": [{"type": "carousel"}]}}), 422)


def test_flow_spec_lists_accepted_steps_and_filters(fresh_api):
    spec = fresh_api.get("/flows/spec").json()
    samples = {
        "string": "x",
        "integer": 60,
        "boolean": True,
        "object": {},
        "array": [{"name": "contact_tag", "predicate": "eq", "value": "vip"}],
    }
    for step in spec["steps"]:
        params = {name: samples[p["type"]] for name, p in step["params"].items() if p["required"]}
        created = fresh_api.post("/flows", json={"name": step["title"], "steps": [{"type": step["type"], **params}]})
        assert created.status_code == 201, (step["type"], created.text)
    assert {t["event"] for t in spec["triggers"]} >= {"contact_add"}
    for name in spec["filters"]:
        counted = fresh_api.post(
            "/segments/count", json={"filters": [{"name": name, "predicate": "present", "value": None}]}
        )
        assert counted.status_code == 200, (name, counted.text)
    assert (
        "steps.0.type"
        in assert_error(fresh_api.post("/flows", json={"name": "x", "steps": [{"type": "fax"}]}), 422)[
            "validation_errors"
        ]
    )
