"""Suppressions: ``/suppressions`` (read-only)."""

from __future__ import annotations

from nitrosend_nb.client.frames import SUPPRESSIONS
from nitrosend_nb.client.resources.base import Resource


class Suppressions(Resource):
    """Addresses email is no longer sent to (hard bounces, complaints, manual blocks). Active ones unless
    ``active=False`` (then the expired ones). Filters: ``id``, ``email``, ``reason`` (hard_bounce, soft_bounce,
    complaint, manual, admin), ``source_provider``, ``active``. Read-only: the service creates them."""

    path = "/suppressions"
    label = "suppressions"
    schema = SUPPRESSIONS
    item_methods = frozenset()

    def create(self, **fields: object) -> dict:
        """Not possible: suppressions come from bounces and complaints."""
        raise NotImplementedError("the Nitrosend API has no POST /suppressions: bounces and complaints create them")
