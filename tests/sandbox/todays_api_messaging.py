"""Today's API (API-NOTES.md, section "Today's API") for messages, test sends, campaigns, triggers and flows: one
dict per object, field -> what its value may be, and :func:`assert_today` to check a response against one.

A field maps to ``ANY`` (any value), a tuple of allowed values (an enum; ``None`` listed when nullable), another
object dict (a nested object), or a one-element list holding an object dict (a list of such objects). Fields
wrapped in :class:`Optional` may be absent. Written from the notes, not from the sandbox's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANY = object()


@dataclass(frozen=True)
class Optional:
    """A field that may be absent (``error?``, ``message_id?``)."""

    rule: Any


STATUS_REASON_CATEGORIES = ("content_review", "account", "internal", "recipient", "provider", "rate_limit",
                            "delivery", None)
MESSAGE = {
    "id": ANY, "brand_id": ANY, "channel": ("email", "sms"), "to": ANY, "subject": ANY,
    "status": ("queued", "sent", "failed"), "provider_id": ANY, "flow_id": ANY,
    "source_type": ("campaign", "flow", "test", None), "source_name": ANY, "status_reason_code": ANY,
    "status_reason": ANY, "status_reason_category": STATUS_REASON_CATEGORIES, "failure_code": ANY,
    "failure_reason": ANY, "failure_category": tuple(c for c in STATUS_REASON_CATEGORIES if c != "rate_limit"),
    "sent_at": ANY, "created_at": ANY,
}
SEND_TEST_RESULT = {"email": ANY, "success": (True, False), "status": ("delivered", "pending", "failed"),
                    "code": ANY, "error": Optional(ANY), "message_id": Optional(ANY)}
SEND_TEST = {"sent": ANY, "results": [SEND_TEST_RESULT]}
TRIGGER = {
    "id": ANY, "flow_id": ANY, "audience_type": ("lists", "segment", "all_contacts", None), "segment_id": ANY,
    "resource_type": ANY, "resource_id": ANY, "name": ANY, "event": ANY, "data": ANY, "contact_list_id": ANY,
    "contact_list_ids": ANY, "triggered_count": ANY, "last_triggered_at": ANY, "created_at": ANY, "updated_at": ANY,
}
APPROVAL_STATES = ("pending_review", "approved", "rejected")
CAMPAIGN = {
    "id": ANY, "account_id": ANY, "brand_id": ANY,
    "status": ("draft", "scheduled", "live", "paused", "completed", "cancelled", "archived"),
    "approval_state": APPROVAL_STATES, "channel": ("email", "sms"), "name": ANY, "data": ANY, "scheduled_at": ANY,
    "sent_count": ANY, "editable": (True, False), "trigger": TRIGGER, "template": ANY, "templates": ANY,
    "created_at": ANY, "updated_at": ANY,
}
FLOW = {
    "id": ANY, "account_id": ANY, "brand_id": ANY, "status": ("draft", "live", "paused", "archived", "cancelled"),
    "approval_state": APPROVAL_STATES, "name": ANY, "goal": ANY, "trigger": ANY, "steps": ANY, "sent_count": ANY,
    "templates": ANY, "created_at": ANY, "updated_at": ANY,
}


def problems(value: Any, shape: dict, where: str) -> list[str]:
    """Every missing field and out-of-enum value of ``value`` against ``shape`` (empty when it conforms)."""
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {type(value).__name__}"]
    found = []
    for field, rule in shape.items():
        here = f"{where}.{field}"
        if isinstance(rule, Optional):
            if field not in value:
                continue
            rule = rule.rule
        if field not in value:
            found.append(f"{here}: missing")
        elif isinstance(rule, tuple) and value[field] not in rule:
            found.append(f"{here}: {value[field]!r} is not one of {rule}")
        elif isinstance(rule, dict):
            found += problems(value[field], rule, here)
        elif isinstance(rule, list):
            items = value[field]
            if not isinstance(items, list):
                found.append(f"{here}: expected a list")
            else:
                for index, item in enumerate(items):
                    found += problems(item, rule[0], f"{here}.{index}")
    return found


def assert_today(value: Any, shape: dict, name: str) -> None:
    """Assert ``value`` (an object, or a list of them) has every field of ``shape`` with values inside its enums."""
    items = value if isinstance(value, list) else [value]
    found = [p for index, item in enumerate(items) for p in problems(item, shape, f"{name}[{index}]")]
    assert not found, "; ".join(found[:8])
