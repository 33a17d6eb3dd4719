"""Events: track a contact event (Idempotency-Key required), list with filters and a time window, get, delete
(filters, windows and the flows an event starts: :mod:`nitrosend_nb.sandbox.services.events`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...services.events import events, track
from ...services.idempotency import request_key
from ...services.models import EventCreate
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register
from ..schemas import resource_model

router = APIRouter()
LISTED = (events,)  # its list route is the generic one, put first by the app


@router.post(
    "/events", tags=["Events"], status_code=201, summary="Track a contact event", response_model=resource_model(events)
)
def track_event(body: EventCreate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """201 with the new event; 200 with the stored one when ``event`` was already tracked with this
    Idempotency-Key (header or ``idempotency_key``), however often and concurrently it is retried."""
    doc, created = track(state, body, request_key(request, body.idempotency_key))
    return events.one(state, doc, 201 if created else 200)


register(router, events)
