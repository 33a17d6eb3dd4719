"""The objects of "Today's API", written from the vendor's TypeScript SDK (``nitrosend/typescript-sdk``,
``src/types.ts``, the newest version the code search reaches; camelCase there is snake_case here) and, where it is
silent, API-NOTES.md's last section; not from the sandbox's code: one dict per object, field -> what its value may
be, and :func:`assert_today` to check a response against one. Shared by the sandbox's conformance tests and the
client's frame tests.

A field maps to ``ANY`` (any value), ``OBJECT`` (any JSON object: the SDK's ``Record<string, unknown>``), a tuple
of allowed values (an enum; ``None`` listed when nullable), another object dict (a nested object), or a
one-element list holding an object dict (a list of such objects). A rule wrapped in :class:`Optional` may be
absent; one wrapped in :class:`Nullable` may be null (``access: null``). ``exact=True`` also refuses every field
the shape does not declare (a retired one, such as a brand's ``tone``), nested objects included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANY = object()
OBJECT = object()  # any JSON object


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
PLAN_FIT = {  # AudienceReachFit
    "plan_id": ANY,
    "slug": ANY,
    "name": ANY,
    "tier_group": ANY,
    "daily_cap": ANY,
    "capacity": ANY,
    "days_to_reach": ANY,
    "covers": (True, False),
}
BILLING = {  # AccountBilling
    "access_policy": ("free_allowed", "paid_required", None),
    "brands": BILLING_BRANDS,
    "funding": OBJECT,
    "provider_route": OBJECT,
    "plan_name": ANY,
    "plan": Nullable(OBJECT),
    "spend_cap_monthly_cents": ANY,
    "comped": (True, False),
    "overage": OBJECT,
    "resources": dict.fromkeys(("email", "sms", "ai"), BILLING_RESOURCE),
    "entitlements": OBJECT,
    "lifetime": LIFETIME,
}
#: Fields an older API had in ``billing``, which today's does not declare.
BILLING_RETIRED = ("wallet_balance_cents", "auto_topup")
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
REACH = {  # AudienceReach
    "audience": ANY,
    "cohort": ANY,
    "current": Nullable(PLAN_FIT),
    "recommended": Nullable(PLAN_FIT),
    "covered": (True, False),
    "summary": ANY,
}
BRAND_SUBDOMAIN = {  # BrandSubdomain (the fields it always has; the others come once a subdomain is reserved)
    "namespace_status": ("unreserved", "active", "replacement_pending", "retiring", "retired"),
    "status": (
        "brand_identity_required",
        "brand_identity_review_required",
        "namespace_reservation_required",
        "not_materialized",
        "root_unavailable",
        "ready",
        "unavailable",
    ),
    "ready": (True, False),
    "selected": Optional((True, False)),
    "preparation_required": (True, False),
    "from_email": Optional(ANY),
    "fqdn": Optional(ANY),
    "apex": Optional(ANY),
    "local_part": Optional(ANY),
    "local_part_editable": Optional((True, False)),
    "fqdn_changeable": (False,),
    "suggested_subdomain": Optional(ANY),
}
BRAND = {  # Brand
    "id": ANY,
    "sid": ANY,
    "account_id": ANY,
    "brand_color": ANY,
    "text_color": ANY,
    "bg_color": ANY,
    "font_heading": ANY,
    "font_body": ANY,
    "heading_size": ANY,
    "body_size": ANY,
    "radius": ANY,
    "spacing_density": ("compact", "normal", "spacious", None),
    "company_description": ANY,
    "default_header": Nullable(OBJECT),
    "default_footer": Nullable(OBJECT),
    "default_theme": Nullable(OBJECT),
    "physical_address": ANY,
    "company_name": ANY,
    "source_url": ANY,
    "last_scraped_at": ANY,
    "links": Nullable([{"url": Optional(ANY), "icon": Optional(ANY), "title": Optional(ANY)}]),
    "logo": ANY,
    "complete": (True, False),
    "email_from_name": ANY,
    "email_from_email": ANY,
    "email_reply_to": ANY,
    "email_view_online": (True, False),
    "email_track_opens": (True, False),
    "email_track_clicks": (True, False),
    "from_email_domain_status": ("blank", "verified", "unverified"),
    "effective_from_email": ANY,
    "effective_reply_to": ANY,
    "effective_sending_domain": ANY,
    "effective_source_email": ANY,
    "sender_configured": (True, False),
    "test_email_recipients": ANY,
    "brand_document": ANY,
    "onboarding_state": OBJECT,
    "onboarding": {"steps": OBJECT, "progress": {"completed": ANY, "total": ANY}},
    "domain_verified": (True, False),
    "can_send": (True, False),
    "byo_routing": {"mismatch": (True, False), "provider": ANY, "bypassing_domains": ANY, "message": ANY},
    "brand_subdomain": Nullable(BRAND_SUBDOMAIN),
    "subscribed_contacts_count": ANY,
    "logo_url": ANY,
    "screenshot_url": ANY,
    "capabilities": OBJECT,
    "sms_provisioned": (True, False),
    "created_at": ANY,
    "updated_at": ANY,
}
#: Fields an older Brand had (or the sandbox served), which today's does not declare.
BRAND_RETIRED = (
    "style_notes",
    "tone",
    "industry",
    "example_copy",
    "using_sandbox",
    "sandbox_email",
    "sandbox_monthly_cap",
    "sandbox_sends_remaining",
)
IMPORT_POLICY = {  # ImportPolicy
    "standing": ANY,
    "max_rows": ANY,
    "max_file_size_bytes": ANY,
    "max_file_size_mb": ANY,
    "max_active_imports": ANY,
    "create_rate_limit_per_minute": ANY,
    "direct_upload_rate_limit_per_minute": ANY,
    "write_modes": ANY,
}
IMPORT_SPEC = {  # ImportSpec
    "resource": ("contacts",),
    "parser": ("default",),
    "ui": OBJECT,
    "required_rules": OBJECT,
    "fields": [OBJECT],
    "guardrails": IMPORT_POLICY,
}
IMPORT_GUARDRAIL = {  # ImportGuardrail
    "tier": ("auto", "contact_us"),
    "status": ("ok", "contact_sales"),
    "standing": ANY,
    "max_rows": ANY,
}
IMPORT = {  # Import
    "id": ANY,
    "resource": ("contacts",),
    "parser": ("default",),
    "status": ("pending", "processing", "failed", "canceled", "complete", "contact_us"),
    "total_rows": ANY,
    "success_rows": ANY,
    "failed_rows": ANY,
    "rows_processed": ANY,
    "progress_pct": ANY,
    "import_errors": ANY,
    "columns": Nullable(OBJECT),
    "options": Nullable(OBJECT),
    "assigned_list_ids": ANY,
    "assigned_lists": [{"id": ANY, "name": ANY}],
    "guardrail": IMPORT_GUARDRAIL,
    "started_at": ANY,
    "ended_at": ANY,
    "created_at": ANY,
}
IMAGE_ASSET = {  # ImageAsset
    "media_kind": ("image",),
    "media_url": ANY,
    "image_url": ANY,
    "signed_id": ANY,
    "filename": ANY,
    "content_type": ANY,
    "byte_size": ANY,
    "width": ANY,
    "height": ANY,
}
DIRECT_UPLOAD = {  # DirectUpload
    "signed_id": ANY,
    "filename": Optional(ANY),
    "byte_size": Optional(ANY),
    "content_type": Optional(ANY),
    "direct_upload": {"url": ANY, "headers": Optional(OBJECT)},
}
#: ``data`` of an ``email.received`` event (the issue's list, and WebhookEvent's fields every event has).
RECEIVED_DATA = {
    "message_id": ANY,
    "to": ANY,
    "subject": ANY,
    "tags": OBJECT,
    "from": ANY,
    "text": ANY,
    "html": ANY,
    "truncated": (True, False),
    "auto_submitted": (True, False),
    "attachments": [{"id": ANY, "filename": ANY, "content_type": ANY, "size": ANY, "scanned": (True, False)}],
    "conversation_id": ANY,
    "conversation_message_id": ANY,
    "received_at": Optional(ANY),
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


def problems(value: Any, shape: dict, where: str, exact: bool = False) -> list[str]:
    """Every missing field and out-of-enum value of ``value`` against ``shape`` (empty when it conforms); with
    ``exact``, every field ``shape`` does not declare too."""
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {type(value).__name__}"]
    found = [f"{where}.{field}: not declared" for field in value if field not in shape] if exact else []
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
        elif rule is OBJECT:
            if not isinstance(value[field], dict):
                found.append(f"{here}: expected an object")
        elif isinstance(rule, tuple) and value[field] not in rule:
            found.append(f"{here}: {value[field]!r} is not one of {rule}")
        elif isinstance(rule, dict):
            found += problems(value[field], rule, here, exact)
        elif isinstance(rule, list):
            items = value[field]
            if not isinstance(items, list):
                found.append(f"{here}: expected a list")
            elif rule[0] is OBJECT:
                found += [
                    f"{here}.{i}: expected an object" for i, item in enumerate(items) if not isinstance(item, dict)
                ]
            else:
                for index, item in enumerate(items):
                    found += problems(item, rule[0], f"{here}.{index}", exact)
    return found


def assert_today(value: Any, shape: dict, name: str, exact: bool = False) -> None:
    """Assert ``value`` (an object, or a list of them) has every field of ``shape`` with values inside its enums
    (and, ``exact``, no other field)."""
    items = value if isinstance(value, list) else [value]
    found = [p for index, item in enumerate(items) for p in problems(item, shape, f"{name}[{index}]", exact)]
    assert not found, "; ".join(found[:8])
