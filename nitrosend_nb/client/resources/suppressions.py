"""Suppressions: ``/suppressions`` (read-only)."""

from __future__ import annotations

from nitrosend_nb.client.filters import Choice, Filters, Flag, Id, Text
from nitrosend_nb.client.frames import SUPPRESSIONS
from nitrosend_nb.client.resources.base import Resource


class Suppressions(Resource):
    """Addresses email is no longer sent to (hard bounces, complaints, manual blocks). Active ones unless
    ``active=False`` (then the expired ones), e.g. ``ns.suppressions.df(reason="complaint")``. Read-only: the
    service creates them."""

    path = "/suppressions"
    label = "suppressions"
    schema = SUPPRESSIONS
    filters = Filters(
        Id("id", "one suppression"),
        Text("email", "one address (any case)"),
        Choice("reason", "why it is suppressed", values=tuple(SUPPRESSIONS.columns["reason"].categories)),
        Text("source_provider", "who reported it (ses, sandbox, dashboard...)"),
        Flag("active", "False: the expired ones (omitted: the active ones)"),
    )
    item_methods = frozenset()

    def create(self, **fields: object) -> dict:
        """Not possible: suppressions come from bounces and complaints."""
        raise NotImplementedError("the Nitrosend API has no POST /suppressions: bounces and complaints create them")
