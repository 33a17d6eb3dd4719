"""Brands (keyed by ``sid``): list (whole array), create, get, update, delete, onboarding and scrape.
Account-level: not filtered by ``X-Brand-SID`` (the rules: :mod:`nitrosend_nb.sandbox.services.brands`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import json_response
from ...services.brands import FIELDS, create, delete, every_brand, fetch, onboarding, present, scrape, update
from ...services.models import BrandCreate, BrandScrape, BrandUpdate
from ...state import SandboxState
from ..dependencies import get_state
from ..schemas import document_model

router = APIRouter()
LISTED = ()  # no generic list route
Brand = document_model("Brand", FIELDS)


@router.get("/brands", tags=["Brands"], summary="List brands", response_model=list[Brand])
def list_brands(request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Every brand of the account, oldest first (a whole array, not paginated)."""
    return json_response(every_brand(state, str(request.base_url)))


@router.post("/brands", tags=["Brands"], status_code=201, summary="Create a brand", response_model=Brand)
def create_brand(body: BrandCreate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """A new brand (402 ``payment_required`` once the plan's brand allowance is used up)."""
    return json_response(create(state, body, str(request.base_url)), 201)


@router.get("/brands/{sid}", tags=["Brands"], summary="Get a brand", response_model=Brand)
def get_brand(sid: str, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """One brand by sid."""
    return json_response(present(state, [fetch(state, sid)], str(request.base_url))[0])


@router.patch("/brands/{sid}", tags=["Brands"], summary="Update a brand", response_model=Brand)
def update_brand(sid: str, body: BrandUpdate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Change the fields sent; the sender fields follow the from address's domain."""
    return json_response(update(state, sid, body, str(request.base_url)))


@router.delete("/brands/{sid}", tags=["Brands"], summary="Delete a brand", response_model=Brand)
def delete_brand(sid: str, state: SandboxState = Depends(get_state)) -> Response:
    """Delete a brand and everything it owns (409 ``conflict`` for the default brand, which is also the last)."""
    return json_response(delete(state, sid))


@router.get("/brands/{sid}/onboarding", tags=["Brands"], summary="Get brand onboarding state")
def get_onboarding(sid: str, state: SandboxState = Depends(get_state)) -> Response:
    """``{steps, progress}`` for the brand."""
    return json_response(onboarding(state, fetch(state, sid)))


@router.post("/brands/{sid}/scrape", tags=["Brands"], status_code=202, summary="Read the brand's website")
def scrape_brand(sid: str, body: BrandScrape, state: SandboxState = Depends(get_state)) -> Response:
    """202 ``{status: "scraping", url}``, as the service's queued job answers; offline, the sandbox keeps at once
    what the URL says (its source_url, a Website link, a company name from the host when there is none) and
    stamps ``last_scraped_at``, so the next ``GET /brands/{sid}`` shows the result."""
    return json_response(scrape(state, sid, body), 202)
