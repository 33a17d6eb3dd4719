"""Account: ``GET /account`` (tier, billing with per-resource usage, brands)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..errors import json_response
from ..state import SandboxState, get_state

router = APIRouter()


@router.get("/account", tags=["Account"], summary="Get account details")
def get_account(state: SandboxState = Depends(get_state)) -> Response:
    """The account with its brands and billing."""
    return json_response(state.account())
