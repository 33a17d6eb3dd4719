"""Account: ``GET /account`` (tier, safe mode, access, team, billing with the brands allowance and per-resource
usage), ``PATCH /account`` and ``GET /account/reach?audience=N``. Account-level: never brand-filtered."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..errors import invalid, json_response
from ..models import AccountUpdate
from ..pagination import MAX_QUERY_INT
from ..plans import brand_allowance, reach
from ..state import SandboxState, get_state

router = APIRouter()
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


def present_account(state: SandboxState) -> dict:
    """The account as the API returns it (the brands allowance computed from the brands table)."""
    account = state.account()
    body = {k: account.get(k) for k in FIELDS}
    body["billing"] = {**account["billing"], "brands": brand_allowance(account, state.store.count("brands"))}
    return body


@router.get("/account", tags=["Account"], summary="Get account details")
def get_account(state: SandboxState = Depends(get_state)) -> Response:
    """The account with its team, access and billing (brands are at /brands)."""
    return json_response(present_account(state))


@router.patch("/account", tags=["Account"], summary="Update account settings")
def update_account(body: AccountUpdate, state: SandboxState = Depends(get_state)) -> Response:
    """Change name, avatar, banner and/or safe_mode_enabled (the fields sent)."""
    changes = body.changes()
    if "name" in changes and changes["name"] is None:
        raise invalid({"name": ["can't be blank"]})
    if "safe_mode_enabled" in changes and changes["safe_mode_enabled"] is None:
        raise invalid({"safe_mode_enabled": ["must be true or false"]})
    with state.store.atomic():
        account = state.account()
        account.update(changes, updated_at=state.store.tick())
        state.store.set_meta("account", account)
    return json_response(present_account(state))


@router.get("/account/reach", tags=["Account"], summary="Whether the plan covers sending to an audience")
def get_reach(request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """``?audience=N`` (0 or more recipients): audience, cohort, current, recommended, covered and summary
    (the rule is described in ``sandbox/plans.py``)."""
    raw = request.query_params.get("audience", "").strip()
    if not raw:
        raise invalid({"audience": ["is required"]})
    if not raw.isdigit():
        raise invalid({"audience": ["must be a whole number of recipients (0 or more)"]})
    if int(raw) > MAX_QUERY_INT:
        raise invalid({"audience": [f"must be at most {MAX_QUERY_INT}"]})
    return json_response(reach(state.account(), int(raw)))
