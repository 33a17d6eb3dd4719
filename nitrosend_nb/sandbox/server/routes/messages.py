"""Messages: send one transactional email or SMS (idempotent), list with filters, get.

List filters: ``source_type`` (all|campaign|flow|transactional|test; omitted means transactional, or all when
``campaign_id`` / ``flow_id`` already name the source), ``campaign_id`` (the messages that campaign's send created;
its test sends are ``source_type=test`` and not among them), ``flow_id``, ``date`` (one UTC day, YYYY-MM-DD),
``channel`` and ``status``. How a send is addressed and refused: :mod:`nitrosend_nb.sandbox.services.messages`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import json_response
from ...services.idempotency import DEPRECATION_HEADERS, request_key
from ...services.messages import accepted, messages, send
from ...services.models import MessageCreate
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register
from ..schemas import resource_model

router = APIRouter()
LISTED = (messages,)  # its list route is the generic one, put first by the app


@router.post(
    "/messages",
    tags=["Messages"],
    status_code=201,
    summary="Send a transactional message",
    response_model=resource_model(messages),
)
def send_message(body: MessageCreate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Send now: 201 with status ``queued`` (later reads show ``sent``), or ``failed`` with its reason when a rule
    of :mod:`...engine.outcomes` refuses it; a sent email lands in the outbox. A replayed Idempotency-Key answers
    201 with the message as it was accepted."""
    key = request_key(request, body.idempotency_key)
    doc = send(state, body, key)
    return json_response(accepted(state, doc), 201, None if key else DEPRECATION_HEADERS)


register(router, messages)
