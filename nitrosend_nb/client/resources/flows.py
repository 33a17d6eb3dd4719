"""Automation flows: ``/flows``."""

from __future__ import annotations

from nitrosend_nb.client.frames import FLOWS
from nitrosend_nb.client.resources.base import Resource


class Flows(Resource):
    """Automation flows. Pass the record's ``updated_at`` to ``update`` for optimistic concurrency
    (a stale value gets ConflictError)."""

    path = "/flows"
    label = "flows"
    schema = FLOWS
