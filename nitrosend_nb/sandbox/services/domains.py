"""Sending domains of a brand: adding one (with the DNS records to publish) and verifying it.

Verification follows the deterministic rule of :mod:`nitrosend_nb.sandbox.services.dns` (a domain under ``.test``
verifies; any other stays ``pending`` with ``dns_setup_status`` ``incomplete``).
"""

from __future__ import annotations

from ..errors import invalid
from ..state import SandboxState
from .dns import checked, dns_records
from .models import DomainCreate
from .resource import Resource

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
    deletable = False  # DELETE answers 204 without a body (its own route)

    def build(self, state: SandboxState, body: DomainCreate, now: str) -> dict:
        name = body.domain.name
        if state.store.count(self.table, state.in_brand("name = ?"), (name,)):
            raise invalid({"domain.name": [f"{name} has already been added"]})
        return {
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


def verify(state: SandboxState, ident: int) -> dict:
    """Check the domain's records now: ``verified`` (under ``.test``) or still ``pending`` with ``incomplete``
    DNS."""
    with state.store.atomic():
        doc = checked(domains.fetch(state, ident), state.store.tick())
        state.store.replace(domains.table, doc)
    return doc
