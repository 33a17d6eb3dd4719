"""Segments: ``/segments`` (the list endpoint returns the whole array) plus count."""

from __future__ import annotations

from collections.abc import Sequence

from nitrosend_nb.client.frames import SEGMENTS
from nitrosend_nb.client.pagination import SinglePagePaginator
from nitrosend_nb.client.resources.base import Resource


class Segments(Resource):
    """Saved contact filters. A filter is ``{"name": "contact_country", "predicate": "eq", "value": "NZ"}``."""

    path = "/segments"
    label = "segments"
    schema = SEGMENTS
    paginator = SinglePagePaginator()

    def count(self, filters: Sequence[dict]) -> int:
        """How many contacts match ``filters`` right now, without saving a segment."""
        return int(self._call("POST", "/count", json={"filters": list(filters)})["count"])
