"""Flows: CRUD, steps with split branches, templates of email steps, optimistic concurrency."""

from __future__ import annotations

from sandbox_helpers import assert_error

STEPS = [
    {"type": "email", "subject": "Welcome {{ contact.first_name }}"},
    {"type": "wait", "duration": 3600},
    {
        "type": "split",
        "filters": [{"name": "contact_tag", "predicate": "eq", "value": "vip"}],
        "yes": [{"type": "email", "subject": "VIP perks"}],
        "no": [{"type": "sms", "body": "Hi"}],
    },
    {"type": "emit_event", "event_name": "onboarded", "forward_event_data": True},
]


def test_seeded_flows(api):
    flows = api.get("/flows").json()
    assert [f["name"] for f in flows] == ["VIP birthday", "Abandoned cart", "Welcome series"]
    assert all(f["templates"] for f in flows)


def test_create_get_update_delete(fresh_api):
    created = fresh_api.post(
        "/flows",
        json={"name": "Onboarding", "trigger": {"event": "contact_add", "contact_list_ids": [1]}, "steps": STEPS},
    )
    assert created.status_code == 201, created.text
    flow = created.json()
    assert flow["status"] == "draft" and flow["trigger"]["contact_list_id"] == 1 and flow["steps"] == STEPS
    assert [t["subject"] for t in flow["templates"]] == ["Welcome {{ contact.first_name }}", "VIP perks"]
    assert all(t["flow_id"] == flow["id"] for t in flow["templates"])
    assert fresh_api.get(f"/flows/{flow['id']}").json() == flow
    updated = fresh_api.patch(f"/flows/{flow['id']}", json={"status": "live", "updated_at": flow["updated_at"]})
    assert flow["approval_state"] == "pending_review" and flow["sent_count"] == 0
    assert updated.status_code == 200 and updated.json()["status"] == "live"
    assert updated.json()["approval_state"] == "approved" and updated.json()["steps"] == STEPS
    assert fresh_api.delete(f"/flows/{flow['id']}").json()["id"] == flow["id"]
    assert_error(fresh_api.get(f"/flows/{flow['id']}"), 404)


def test_stale_updated_at_is_409_and_changes_nothing(fresh_api):
    flow = fresh_api.post("/flows", json={"name": "Race"}).json()
    first = fresh_api.patch(f"/flows/{flow['id']}", json={"name": "Mine", "updated_at": flow["updated_at"]})
    assert first.status_code == 200
    body = assert_error(
        fresh_api.patch(f"/flows/{flow['id']}", json={"name": "Theirs", "updated_at": flow["updated_at"]}),
        409,
        "stale_flow",
    )
    assert flow["updated_at"] in body["message"] or first.json()["updated_at"] in body["message"]
    assert fresh_api.get(f"/flows/{flow['id']}").json()["name"] == "Mine"


def test_updated_at_with_an_offset_is_the_same_instant(fresh_api):
    flow = fresh_api.post("/flows", json={"name": "Offsets"}).json()
    same_instant = flow["updated_at"].replace("Z", "+00:00")
    assert fresh_api.patch(f"/flows/{flow['id']}", json={"name": "ok", "updated_at": same_instant}).status_code == 200


def test_update_without_updated_at_always_applies(fresh_api):
    assert fresh_api.patch("/flows/1", json={"name": "Renamed"}).json()["name"] == "Renamed"


def test_flow_validation(fresh_api):
    assert (
        "updated_at"
        in assert_error(fresh_api.patch("/flows/1", json={"updated_at": "yesterday"}), 422)["validation_errors"]
    )
    assert (
        "trigger.contact_list_ids"
        in assert_error(fresh_api.post("/flows", json={"name": "x", "trigger": {"contact_list_ids": [77]}}), 422)[
            "validation_errors"
        ]
    )
    bad_split = {
        "name": "x",
        "steps": [{"type": "split", "filters": [{"name": "nope", "predicate": "eq", "value": 1}]}],
    }
    assert "steps.0.filters.0.name" in assert_error(fresh_api.post("/flows", json=bad_split), 422)["validation_errors"]


def test_step_templates_are_template_records_replaced_with_the_steps(fresh_api):
    flow = fresh_api.post("/flows", json={"name": "T", "steps": STEPS}).json()
    old_ids = [t["id"] for t in flow["templates"]]
    assert [fresh_api.get(f"/templates/{tid}").json()["flow_id"] for tid in old_ids] == [flow["id"]] * 2
    changed = fresh_api.patch(f"/flows/{flow['id']}", json={"steps": [{"type": "email", "subject": "Only"}]}).json()
    assert [t["subject"] for t in changed["templates"]] == ["Only"]
    for tid in old_ids:
        assert_error(fresh_api.get(f"/templates/{tid}"), 404)
    fresh_api.delete(f"/flows/{flow['id']}")
    assert_error(fresh_api.get(f"/templates/{changed['templates'][0]['id']}"), 404)


def test_split_filters_are_checked_in_nested_branches_too(fresh_api):
    bad = {"name": "contact_email", "predicate": "teleport", "value": "x"}
    steps = [
        {
            "type": "split",
            "filters": [{"name": "contact_tag", "predicate": "eq", "value": "vip"}],
            "yes": [{"type": "split", "filters": [bad], "yes": [], "no": []}],
            "no": [],
        }
    ]
    body = assert_error(fresh_api.post("/flows", json={"name": "Nested", "steps": steps}), 422)
    assert any(field.startswith("steps.0.yes.0.") for field in body["validation_errors"])
