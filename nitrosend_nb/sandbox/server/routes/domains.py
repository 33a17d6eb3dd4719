"""Sending domains: list, add (with the DNS records to publish), get, delete, verify (the rules:
:mod:`nitrosend_nb.sandbox.services.domains`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...services.domains import domains, verify
from ...services.models import ResourceId
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register
from ..schemas import resource_model

router = APIRouter()
LISTED = (domains,)  # its list route is the generic one, put first by the app


@router.post(
    "/domains/{ident}/verify",
    tags=["Domains"],
    summary="Verify a domain's DNS records",
    response_model=resource_model(domains),
)
def verify_domain(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
    """Check the records now: ``verified`` (under ``.test``) or still ``pending`` with ``incomplete`` DNS."""
    return domains.one(state, verify(state, ident))


@router.delete("/domains/{ident}", tags=["Domains"], status_code=204, summary="Remove a sending domain")
def delete_domain(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
    """Remove the domain (204, no body)."""
    domains.delete(state, ident)
    return Response(status_code=204)


register(router, domains)
