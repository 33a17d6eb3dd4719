"""Segments: list (whole array), create, get, update, delete, and ``POST /segments/count``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...errors import json_response
from ...services.models import SegmentCount
from ...services.segments import count_matching, segments
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register

router = APIRouter()
LISTED = (segments,)  # its list route is the generic one, put first by the app


@router.post("/segments/count", tags=["Segments"], summary="Count contacts matching filters")
def count_segment(body: SegmentCount, state: SandboxState = Depends(get_state)) -> Response:
    """``{"count": n}``: how many of the brand's contacts the filters match, without saving a segment."""
    return json_response({"count": count_matching(state, body.changes().get("filters", []))})


register(router, segments)
