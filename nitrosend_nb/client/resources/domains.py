"""Sending domains: ``/domains`` plus verify."""

from __future__ import annotations

from nitrosend_nb.client.frames import DOMAINS
from nitrosend_nb.client.resources.base import Resource


class Domains(Resource):
    """The brand's sending domains, with the DNS records to publish (``dns_records``) and their state
    (``status`` pending/verified, ``dns_setup_status`` unchecked/incomplete/ready/verified)."""

    path = "/domains"
    label = "domains"
    schema = DOMAINS
    item_methods = frozenset({"DELETE"})

    def create(self, name: str) -> dict:
        """Add the sending domain ``name`` (e.g. ``"send.example.com"``); returns it with its DNS records."""
        return self._call("POST", json={"domain": {"name": name}})

    def verify(self, id: int) -> dict:
        """Check the domain's DNS records now; returns the domain with its new status."""
        return self._call("POST", f"{self._item(id)}/verify")
