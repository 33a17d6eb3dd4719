"""Account: ``GET /account`` (tier, safe mode, access, team, billing with the brands allowance and per-resource
usage), ``PATCH /account`` and ``GET /account/reach?audience=N``. Account-level: never brand-filtered."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import invalid, json_response
from ...services.account import FIELDS, change_account, present_account
from ...services.models import AccountUpdate
from ...services.pagination import MAX_QUERY_INT
from ...services.plans import reach
from ...state import SandboxState
from ..dependencies import get_state
from ..schemas import document_model

router = APIRouter()
LISTED = ()  # no generic list route
Account = document_model("Account", FIELDS)


@router.get("/account", tags=["Account"], summary="Get account details", response_model=Account)
def get_account(state: SandboxState = Depends(get_state)) -> Response:
    """The account with its team, access and billing (brands are at /brands)."""
    return json_response(present_account(state))


@router.patch("/account", tags=["Account"], summary="Update account settings", response_model=Account)
def update_account(body: AccountUpdate, state: SandboxState = Depends(get_state)) -> Response:
    """Change name, avatar, banner and/or safe_mode_enabled (the fields sent)."""
    return json_response(change_account(state, body))


@router.get("/account/reach", tags=["Account"], summary="Whether the plan covers sending to an audience")
def get_reach(request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """``?audience=N`` (0 or more recipients): audience, cohort, current, recommended, covered and summary
    (the rule is described in ``sandbox/services/plans.py``)."""
    raw = request.query_params.get("audience", "").strip()
    if not raw:
        raise invalid({"audience": ["is required"]})
    if not raw.isdigit():
        raise invalid({"audience": ["must be a whole number of recipients (0 or more)"]})
    if int(raw) > MAX_QUERY_INT:
        raise invalid({"audience": [f"must be at most {MAX_QUERY_INT}"]})
    return json_response(reach(state.account(), int(raw)))
