"""Brands (keyed by ``sid``): list (whole array), create, get, update, delete and onboarding. Account-level: not
filtered by ``X-Brand-SID`` (the rules: :mod:`nitrosend_nb.sandbox.services.brands`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...errors import json_response
from ...services.brands import FIELDS, create, delete, every_brand, fetch, onboarding, present, update
from ...services.models import BrandCreate, BrandUpdate
from ...state import SandboxState
from ..dependencies import get_state
from ..schemas import document_model

router = APIRouter()
LISTED = ()  # no generic list route
Brand = document_model("Brand", FIELDS)


@router.get("/brands", tags=["Brands"], summary="List brands", response_model=list[Brand])
def list_brands(state: SandboxState = Depends(get_state)) -> Response:
    """Every brand of the account, oldest first (a whole array, not paginated)."""
    return json_response(every_brand(state))


@router.post("/brands", tags=["Brands"], status_code=201, summary="Create a brand", response_model=Brand)
def create_brand(body: BrandCreate, state: SandboxState = Depends(get_state)) -> Response:
    """A new brand (402 ``payment_required`` once the plan's brand allowance is used up)."""
    return json_response(create(state, body), 201)


@router.get("/brands/{sid}", tags=["Brands"], summary="Get a brand", response_model=Brand)
def get_brand(sid: str, state: SandboxState = Depends(get_state)) -> Response:
    """One brand by sid."""
    return json_response(present(state, [fetch(state, sid)])[0])


@router.patch("/brands/{sid}", tags=["Brands"], summary="Update a brand", response_model=Brand)
def update_brand(sid: str, body: BrandUpdate, state: SandboxState = Depends(get_state)) -> Response:
    """Change the fields sent; a from address on another domain needs that domain verified again."""
    return json_response(update(state, sid, body))


@router.delete("/brands/{sid}", tags=["Brands"], summary="Delete a brand", response_model=Brand)
def delete_brand(sid: str, state: SandboxState = Depends(get_state)) -> Response:
    """Delete a brand and everything it owns (409 ``conflict`` for the default brand, which is also the last)."""
    return json_response(delete(state, sid))


@router.get("/brands/{sid}/onboarding", tags=["Brands"], summary="Get brand onboarding state")
def get_onboarding(sid: str, state: SandboxState = Depends(get_state)) -> Response:
    """``{steps, progress}`` for the brand."""
    return json_response(onboarding(state, fetch(state, sid)))
