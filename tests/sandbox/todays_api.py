"""The objects of "Today's API" (../shared/API-NOTES.md, last section): for each, the field names a response must
carry and the values each enum field may take (dotted paths reach into nested objects; ``None`` in an enum means
null is allowed). One dict per object; :func:`assert_conforms` checks a response document against one."""

from __future__ import annotations

from typing import Any

OBJECTS: dict[str, dict[str, Any]] = {
    "Account": {
        "fields": ("id", "name", "avatar", "banner", "commercial_tier", "safe_mode_enabled", "access", "billing",
                   "team", "created_at", "updated_at"),
        "enums": {"commercial_tier": ("unsubscribed", "free", "pro", "ultra", "enterprise"),
                  "access.source": ("owner", "membership", "platform_admin", "delegated", "management_credential",
                                    "api_key", "shopify"),
                  "team.current_role": ("member", "admin", "owner", None)},
    },
    "Team": {
        "fields": ("seat_limit", "seat_count", "member_count", "invite_count", "current_role", "can_manage_team"),
        "enums": {"current_role": ("member", "admin", "owner", None)},
    },
    "Billing": {
        "fields": ("access_policy", "brands", "funding", "provider_route", "plan_name", "plan",
                   "spend_cap_monthly_cents", "comped", "overage", "resources", "entitlements", "lifetime"),
        "enums": {"access_policy": ("free_allowed", "paid_required", None)},
    },
    "BillingBrands": {"fields": ("used", "limit", "remaining", "unlimited", "can_create"), "enums": {}},
    "BillingResource": {
        "fields": ("used", "allowance", "remaining", "overage_rate", "mode", "budget", "budget_used"),
        "enums": {"mode": ("budget", "monthly", "unlimited")},
    },
    "Lifetime": {"fields": ("email_sent", "sms_sent", "ai_used"), "enums": {}},
    "Reach": {"fields": ("audience", "cohort", "current", "recommended", "covered", "summary"), "enums": {}},
    "Brand": {
        "fields": ("id", "sid", "account_id", "brand_color", "text_color", "bg_color", "font_heading", "font_body",
                   "company_name", "physical_address", "links", "logo", "email_from_name", "email_from_email",
                   "email_reply_to", "email_track_opens", "email_track_clicks", "from_email_domain_status",
                   "test_email_recipients", "domain_verified", "can_send", "subscribed_contacts_count",
                   "created_at", "updated_at"),
        "enums": {"from_email_domain_status": ("blank", "verified", "unverified")},
    },
    "Contact": {
        "fields": ("id", "brand_id", "uuid", "first_name", "last_name", "source", "country_code", "data",
                   "subscribed_phone", "subscribed_email", "list_ids", "last_interacted_at", "channels",
                   "created_at", "updated_at"),
        "enums": {},
    },
    "Channel": {
        "fields": ("id", "kind", "value", "subscribed", "verified", "sent_count", "fail_count", "opt_in_at",
                   "opt_out_at", "data", "contact_id", "created_at", "updated_at"),
        "enums": {"kind": ("email", "phone")},
    },
    "List": {
        "fields": ("id", "brand_id", "name", "contacts_count", "segment_id", "stale", "last_populated_at",
                   "created_at", "updated_at"),
        "enums": {},
    },
}


def _at(doc: dict, path: str) -> tuple[bool, Any]:
    """(found, value) at a dotted path; a null parent (e.g. ``access: null``) counts as not applicable."""
    value: Any = doc
    for part in path.split("."):
        if value is None:
            return False, None
        value = value[part]
    return True, value


def assert_conforms(name: str, doc: dict) -> None:
    """Assert ``doc`` carries every field of today's ``name`` object and every enum field holds an allowed value."""
    spec = OBJECTS[name]
    missing = [field for field in spec["fields"] if field not in doc]
    assert not missing, f"{name} lacks {missing}: {sorted(doc)}"
    for path, allowed in spec["enums"].items():
        applicable, value = _at(doc, path)
        assert not applicable or value in allowed, f"{name}.{path} = {value!r} is not one of {allowed}"
