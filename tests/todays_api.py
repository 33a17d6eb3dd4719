"""The objects of "Today's API" (API-NOTES.md, last section), written from the notes, not from the sandbox's code:
one dict per object, field -> what its value may be, and :func:`assert_today` to check a response against one.
Shared by the sandbox's conformance tests and the client's frame tests.

A field maps to ``ANY`` (any value), a tuple of allowed values (an enum; ``None`` listed when nullable), another
object dict (a nested object), or a one-element list holding an object dict (a list of such objects). A rule
wrapped in :class:`Optional` may be absent; one wrapped in :class:`Nullable` may be null (``access: null``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANY = object()


@dataclass(frozen=True)
class Optional:
    """A field that may be absent (``error?``, ``message_id?``)."""

    rule: Any


@dataclass(frozen=True)
class Nullable:
    """A field that may be null instead of what ``rule`` says (an object the API leaves out with null)."""

    rule: Any


TEAM = {
    "seat_limit": ANY,
    "seat_count": ANY,
    "member_count": ANY,
    "invite_count": ANY,
    "current_role": ("member", "admin", "owner", None),
    "can_manage_team": ANY,
}
ACCESS = {
    "source": ("owner", "membership", "platform_admin", "delegated", "management_credential", "api_key", "shopify"),
    "delegated": ANY,
}
BILLING_BRANDS = {"used": ANY, "limit": ANY, "remaining": ANY, "unlimited": ANY, "can_create": ANY}
BILLING_RESOURCE = {
    "used": ANY,
    "allowance": ANY,
    "remaining": ANY,
    "overage_rate": ANY,
    "mode": ("budget", "monthly", "unlimited"),
    "budget": ANY,
    "budget_used": ANY,
}
LIFETIME = {"email_sent": ANY, "sms_sent": ANY, "ai_used": ANY}
BILLING = {
    "access_policy": ("free_allowed", "paid_required", None),
    "brands": BILLING_BRANDS,
    "funding": ANY,
    "provider_route": ANY,
    "plan_name": ANY,
    "plan": ANY,
    "spend_cap_monthly_cents": ANY,
    "comped": ANY,
    "overage": ANY,
    "resources": dict.fromkeys(("email", "sms", "ai"), BILLING_RESOURCE),
    "entitlements": ANY,
    "lifetime": LIFETIME,
}
ACCOUNT = {
    "id": ANY,
    "name": ANY,
    "avatar": ANY,
    "banner": ANY,
    "commercial_tier": ("unsubscribed", "free", "pro", "ultra", "enterprise"),
    "safe_mode_enabled": ANY,
    "access": Nullable(ACCESS),
    "billing": BILLING,
    "team": TEAM,
    "created_at": ANY,
    "updated_at": ANY,
}
REACH = {"audience": ANY, "cohort": ANY, "current": ANY, "recommended": ANY, "covered": ANY, "summary": ANY}
BRAND = {
    "id": ANY,
    "sid": ANY,
    "account_id": ANY,
    "brand_color": ANY,
    "text_color": ANY,
    "bg_color": ANY,
    "font_heading": ANY,
    "font_body": ANY,
    "company_name": ANY,
    "physical_address": ANY,
    "links": ANY,
    "logo": ANY,
    "email_from_name": ANY,
    "email_from_email": ANY,
    "email_reply_to": ANY,
    "email_track_opens": ANY,
    "email_track_clicks": ANY,
    "from_email_domain_status": ("blank", "verified", "unverified"),
    "test_email_recipients": ANY,
    "domain_verified": ANY,
    "can_send": ANY,
    "subscribed_contacts_count": ANY,
    "created_at": ANY,
    "updated_at": ANY,
}
CHANNEL = {
    "id": ANY,
    "kind": ("email", "phone"),
    "value": ANY,
    "subscribed": ANY,
    "verified": ANY,
    "sent_count": ANY,
    "fail_count": ANY,
    "opt_in_at": ANY,
    "opt_out_at": ANY,
    "data": ANY,
    "contact_id": ANY,
    "created_at": ANY,
    "updated_at": ANY,
}
CONTACT = {
    "id": ANY,
    "brand_id": ANY,
    "uuid": ANY,
    "first_name": ANY,
    "last_name": ANY,
    "source": ANY,
    "country_code": ANY,
    "data": ANY,
    "subscribed_phone": ANY,
    "subscribed_email": ANY,
    "list_ids": ANY,
    "last_interacted_at": ANY,
    "channels": [CHANNEL],
    "created_at": ANY,
    "updated_at": ANY,
}
LIST = {
    "id": ANY,
    "brand_id": ANY,
    "name": ANY,
    "contacts_count": ANY,
    "segment_id": ANY,
    "stale": ANY,
    "last_populated_at": ANY,
    "created_at": ANY,
    "updated_at": ANY,
}

STATUS_REASON_CATEGORIES = (
    "content_review",
    "account",
    "internal",
    "recipient",
    "provider",
    "rate_limit",
    "delivery",
    None,
)
MESSAGE = {
    "id": ANY,
    "brand_id": ANY,
    "channel": ("email", "sms"),
    "to": ANY,
    "subject": ANY,
    "status": ("queued", "sent", "failed"),
    "provider_id": ANY,
    "flow_id": ANY,
    "source_type": ("campaign", "flow", "test", None),
    "source_name": ANY,
    "status_reason_code": ANY,
    "status_reason": ANY,
    "status_reason_category": STATUS_REASON_CATEGORIES,
    "failure_code": ANY,
    "failure_reason": ANY,
    "failure_category": tuple(c for c in STATUS_REASON_CATEGORIES if c != "rate_limit"),
    "sent_at": ANY,
    "created_at": ANY,
}
SEND_TEST_RESULT = {
    "email": ANY,
    "success": (True, False),
    "status": ("delivered", "pending", "failed"),
    "code": ANY,
    "error": Optional(ANY),
    "message_id": Optional(ANY),
}
SEND_TEST = {"sent": ANY, "results": [SEND_TEST_RESULT]}
TRIGGER = {
    "id": ANY,
    "flow_id": ANY,
    "audience_type": ("lists", "segment", "all_contacts", None),
    "segment_id": ANY,
    "resource_type": ANY,
    "resource_id": ANY,
    "name": ANY,
    "event": ANY,
    "data": ANY,
    "contact_list_id": ANY,
    "contact_list_ids": ANY,
    "triggered_count": ANY,
    "last_triggered_at": ANY,
    "created_at": ANY,
    "updated_at": ANY,
}
APPROVAL_STATES = ("pending_review", "approved", "rejected")
CAMPAIGN = {
    "id": ANY,
    "account_id": ANY,
    "brand_id": ANY,
    "status": ("draft", "scheduled", "live", "paused", "completed", "cancelled", "archived"),
    "approval_state": APPROVAL_STATES,
    "channel": ("email", "sms"),
    "name": ANY,
    "data": ANY,
    "scheduled_at": ANY,
    "sent_count": ANY,
    "editable": (True, False),
    "trigger": TRIGGER,
    "template": ANY,
    "templates": ANY,
    "created_at": ANY,
    "updated_at": ANY,
}
FLOW = {
    "id": ANY,
    "account_id": ANY,
    "brand_id": ANY,
    "status": ("draft", "live", "paused", "archived", "cancelled"),
    "approval_state": APPROVAL_STATES,
    "name": ANY,
    "goal": ANY,
    "trigger": ANY,
    "steps": ANY,
    "sent_count": ANY,
    "templates": ANY,
    "created_at": ANY,
    "updated_at": ANY,
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
        if isinstance(rule, Nullable):
            if value.get(field, ANY) is None:
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
