"""Contact lists: ``/lists``."""

from __future__ import annotations

from nitrosend_nb.client.frames import LISTS
from nitrosend_nb.client.resources.base import Resource


class Lists(Resource):
    """Contact lists (create with ``name`` and optional ``contact_ids`` or ``segment_id``)."""

    path = "/lists"
    label = "lists"
    schema = LISTS
