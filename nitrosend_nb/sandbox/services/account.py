"""The account as ``/account`` shows and changes it (tier, safe mode, access, team, billing with its plan, the
brands allowance and per-resource usage). Account-level: never brand-filtered."""

from __future__ import annotations

from ..errors import invalid
from ..state import SandboxState
from .models import AccountUpdate
from .plans import account_plan, brand_allowance, plan_record

FIELDS = (
    "id",
    "name",
    "avatar",
    "banner",
    "commercial_tier",
    "safe_mode_enabled",
    "access",
    "billing",
    "team",
    "created_at",
    "updated_at",
)
#: ``billing``'s fields, as today's API declares them (``AccountBilling``).
BILLING_FIELDS = (
    "access_policy",
    "brands",
    "funding",
    "provider_route",
    "plan_name",
    "plan",
    "spend_cap_monthly_cents",
    "comped",
    "overage",
    "resources",
    "entitlements",
    "lifetime",
)


def present_account(state: SandboxState) -> dict:
    """The account as the API returns it: its plan (the one its ``commercial_tier`` names) and the brands
    allowance (from the brands table) computed."""
    account = state.account()
    body = {k: account.get(k) for k in FIELDS}
    plan = account_plan(account)
    computed = {
        "brands": brand_allowance(account, state.store.count("brands")),
        "plan": plan_record(plan),
        "plan_name": plan.name if plan else None,
    }
    body["billing"] = {k: computed[k] if k in computed else account["billing"].get(k) for k in BILLING_FIELDS}
    return body


def change_account(state: SandboxState, body: AccountUpdate) -> dict:
    """Change name, avatar, banner and/or safe_mode_enabled (the fields sent); returns the account presented."""
    changes = body.changes()
    if "name" in changes and changes["name"] is None:
        raise invalid({"name": ["can't be blank"]})
    if "safe_mode_enabled" in changes and changes["safe_mode_enabled"] is None:
        raise invalid({"safe_mode_enabled": ["must be true or false"]})
    with state.store.atomic():
        account = state.account()
        account.update(changes, updated_at=state.store.tick())
        state.store.set_meta("account", account)
    return present_account(state)
