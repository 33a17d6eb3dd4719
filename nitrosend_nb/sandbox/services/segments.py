"""Segments: saved filter sets, evaluated live against contacts (the filters are checked when saved)."""

from __future__ import annotations

from ..state import SandboxState
from .models import SegmentCreate, SegmentUpdate
from .resource import Resource
from .segment_filters import compile_filters

FIELDS = ("id", "account_id", "brand_id", "name", "filters", "created_at", "updated_at")


class Segments(Resource):
    """Saved filter sets, evaluated live against contacts."""

    table, label, fields = "segments", "Segment", FIELDS
    create_model, update_model = SegmentCreate, SegmentUpdate
    paginated = False

    def build(self, state: SandboxState, body: SegmentCreate, now: str) -> dict:
        filters = body.changes().get("filters", [])
        compile_filters(filters)
        return {"name": body.name, "filters": filters, "created_at": now, "updated_at": now}

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: SegmentUpdate, now: str) -> dict:
        if changes.get("filters") is not None:
            compile_filters(changes["filters"])
        doc.update({k: v for k, v in changes.items() if v is not None})
        return doc


segments = Segments()


def count_matching(state: SandboxState, filters: list[dict]) -> int:
    """How many of the brand's contacts ``filters`` match, without saving a segment."""
    where, params = compile_filters(filters)
    return state.store.count("contacts", state.in_brand(where), params)
