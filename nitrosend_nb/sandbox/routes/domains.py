"""Sending domains: list, add (with the DNS records to publish), get, delete, verify.

Verification follows the deterministic rule of :mod:`nitrosend_nb.sandbox.dns` (a domain under ``.test``
verifies; any other stays ``pending`` with ``dns_setup_status`` ``incomplete``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..crud import Resource, register
from ..dns import checked, dns_records
from ..errors import invalid
from ..models import DomainCreate, ResourceId
from ..state import SandboxState, get_state

FIELDS = (
    "id",
    "brand_id",
    "name",
    "provider",
    "status",
    "dns_setup_status",
    "dns_records",
    "verified_at",
    "created_at",
)


class Domains(Resource):
    """The brand's sending domains."""

    table, label, fields = "domains", "Domain", FIELDS
    create_model = DomainCreate
    deletable = False  # DELETE answers 204 without a body (below)

    def build(self, state: SandboxState, body: DomainCreate, now: str) -> dict:
        name = body.domain.name
        if state.store.count(self.table, state.in_brand("name = ?"), (name,)):
            raise invalid({"domain.name": [f"{name} has already been added"]})
        return {
            **state.owner(),
            "name": name,
            "provider": "ses",
            "status": "pending",
            "dns_setup_status": "unchecked",
            "dns_records": dns_records(name),
            "verified_at": None,
            "created_at": now,
            "updated_at": now,
        }


domains = Domains()
router = APIRouter()


@router.post("/domains/{ident}/verify", tags=["Domains"], summary="Verify a domain's DNS records")
def verify_domain(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
    """Check the records now: ``verified`` (under ``.test``) or still ``pending`` with ``incomplete`` DNS."""
    with state.store.atomic():
        doc = checked(domains.fetch(state, ident), state.store.tick())
        state.store.replace(domains.table, doc)
    return domains.one(state, doc)


@router.delete("/domains/{ident}", tags=["Domains"], status_code=204, summary="Remove a sending domain")
def delete_domain(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
    """Remove the domain (204, no body)."""
    domains.delete(state, ident)
    return Response(status_code=204)


register(router, domains)
