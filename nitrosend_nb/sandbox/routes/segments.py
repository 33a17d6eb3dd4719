"""Segments: list (whole array), create, get, update, delete, and ``POST /segments/count``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..crud import Resource, register
from ..errors import json_response
from ..models import SegmentCount, SegmentCreate, SegmentUpdate
from ..segment_filters import compile_filters
from ..state import SandboxState, get_state

FIELDS = ("id", "account_id", "brand_id", "name", "filters", "created_at", "updated_at")


class Segments(Resource):
    """Saved filter sets, evaluated live against contacts."""

    table, label, fields = "segments", "Segment", FIELDS
    create_model, update_model = SegmentCreate, SegmentUpdate
    paginated = False

    def build(self, state: SandboxState, body: SegmentCreate, now: str) -> dict:
        filters = body.changes().get("filters", [])
        compile_filters(filters)
        return {**state.owner(), "name": body.name, "filters": filters, "created_at": now, "updated_at": now}

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: SegmentUpdate, now: str) -> dict:
        if changes.get("filters") is not None:
            compile_filters(changes["filters"])
        doc.update({k: v for k, v in changes.items() if v is not None})
        return doc


router = APIRouter()


@router.post("/segments/count", tags=["Segments"], summary="Count contacts matching filters")
def count_segment(body: SegmentCount, state: SandboxState = Depends(get_state)) -> Response:
    """``{"count": n}``: how many of the brand's contacts the filters match, without saving a segment."""
    where, params = compile_filters(body.changes().get("filters", []))
    return json_response({"count": state.store.count("contacts", state.in_brand(where), params)})


register(router, Segments())
