"""Automation flows: ``/flows`` plus the step schema."""

from __future__ import annotations

from nitrosend_nb.client.frames import FLOWS
from nitrosend_nb.client.idempotency import idempotency_key as content_key
from nitrosend_nb.client.resources.base import Resource

#: Flow statuses.
STATUSES = ("draft", "live", "paused", "archived", "cancelled")


class Flows(Resource):
    """Automation flows (``status`` one of :data:`STATUSES`; ``goal``, ``steps``, ``sent_count``). Pass the
    record's ``updated_at`` to ``update`` for optimistic concurrency (a stale value gets ConflictError)."""

    path = "/flows"
    label = "flows"
    schema = FLOWS

    def create(self, *, idempotency_key: str | None = None, **fields: object) -> dict:
        """Create a flow from ``fields`` (``name``, ``status``, ``goal``, ``trigger``, ``steps``) and return it.

        The Idempotency-Key is derived from the brand and the content unless given, so running the same cell
        again returns the flow it created instead of a second one (change any field, or pass a key, for another).
        """
        key = idempotency_key or content_key("POST /flows", {"brand_sid": self._client.brand_sid, "flow": fields})
        return self._call("POST", json=fields, idempotency_key=key)

    def spec(self) -> dict:
        """The step schema: the step types a flow may hold (email, sms, wait, split, emit_event) and their fields."""
        return self._call("GET", "/spec")
