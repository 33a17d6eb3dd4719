"""A write whose response was lost is retried, and the retry's answer describes what the first attempt did: the
client reports that success, not a 404 or a 409 (the sandbox's ``when="after"`` faults lose the response)."""

from __future__ import annotations

import pytest

import nitrosend_nb as nb
from nitrosend_nb.client.retry_outcome import holds_changes


def test_a_delete_retried_after_a_lost_response_is_a_success(fresh_sandbox, fresh_ns):
    created = fresh_ns.lists.create(name="Short-lived")
    fresh_sandbox.inject_faults(count=1, status=503, when="after", path=f"/lists/{created['id']}", method="DELETE")
    assert fresh_ns.lists.delete(created["id"]) is None  # the retry found it gone: the first attempt deleted it
    with pytest.raises(nb.NotFoundError):
        fresh_ns.lists.get(created["id"])


def test_a_delete_of_a_missing_record_without_a_retry_still_fails(fresh_ns):
    with pytest.raises(nb.NotFoundError) as info:
        fresh_ns.lists.delete(10**6)
    assert info.value.retried is False


def test_a_flow_patch_retried_after_a_lost_response_is_a_success(fresh_sandbox, fresh_ns):
    flow = fresh_ns.flows.list()[0]
    fresh_sandbox.inject_faults(count=1, status=503, when="after", path=f"/flows/{flow['id']}", method="PATCH")
    updated = fresh_ns.flows.update(flow["id"], name="Renamed once", status="paused", updated_at=flow["updated_at"])
    assert updated["name"] == "Renamed once" and updated["status"] == "paused"
    assert updated["updated_at"] != flow["updated_at"]


def test_a_real_conflict_is_still_a_conflict(fresh_ns):
    flow = fresh_ns.flows.list()[0]
    fresh_ns.flows.update(flow["id"], name="Someone else's edit", updated_at=flow["updated_at"])
    with pytest.raises(nb.ConflictError):
        fresh_ns.flows.update(flow["id"], name="Mine", updated_at=flow["updated_at"])


def test_holds_changes_compares_what_was_sent():
    record = {
        "name": "A",
        "updated_at": "new",
        "trigger": {"event": "signup", "segment_id": None},
        "steps": [{"type": "wait", "duration": 60, "id": 4}],
    }
    assert holds_changes(
        record,
        {"name": "A", "updated_at": "old", "trigger": {"event": "signup"}, "steps": [{"type": "wait", "duration": 60}]},
    )
    assert not holds_changes(record, {"name": "B"})
    assert not holds_changes(record, {"steps": [{"type": "wait", "duration": 60}, {"type": "wait"}]})
    assert not holds_changes(record, {"trigger": {"event": "purchase"}})
