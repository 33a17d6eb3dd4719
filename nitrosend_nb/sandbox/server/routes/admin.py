"""Sandbox control endpoints outside /v1/my: outbox, inbound mail, reset, faults and config (the inbox is
:mod:`..inbox`).
Reads are open; writes need the sandbox key and a JSON body (enforced by the gate, so a cross-site form cannot
reset a sandbox)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...engine.delivery import clear_outbox, read_outbox
from ...engine.inbound import present_reply, receive
from ...errors import ApiError, json_response, not_found
from ...knobs import Fault
from ...services.models import ConfigRequest, FaultRequest, InboundRequest
from ...state import SandboxState
from ..dependencies import app_state

router = APIRouter(prefix="/_sandbox", tags=["Sandbox"])


@router.get("/outbox", summary="Captured emails, oldest first")
def get_outbox(state: SandboxState = Depends(app_state)) -> Response:
    """The outbox as a JSON array."""
    return json_response(read_outbox(state))


@router.delete("/outbox", summary="Empty the outbox")
def delete_outbox(state: SandboxState = Depends(app_state)) -> Response:
    """Delete every captured email; answers with how many were removed."""
    return json_response({"deleted": clear_outbox(state)})


@router.post("/inbound", status_code=201, summary="Deliver an inbound email (a reply) to a brand")
def inbound(body: InboundRequest, state: SandboxState = Depends(app_state)) -> Response:
    """A reply to ``message_id`` (from its recipient unless ``from`` says otherwise), or mail to ``brand_sid``'s
    inbox answering none; its ``email.received`` events are queued. Answers the stored email."""
    message = None
    if body.message_id is not None:
        message = state.store.get("messages", body.message_id)
        if message is None:
            raise not_found("Message", body.message_id)
        brand = state.store.get("brands", message["brand_id"])
    else:
        brand = state.brand_by_sid(body.brand_sid) if body.brand_sid else state.brand()
        if brand is None:
            raise ApiError(404, f"Brand {body.brand_sid!r} not found")
    reply = receive(
        state,
        brand=brand,
        message=message,
        sender=body.sender,
        subject=body.subject,
        text=body.text,
        html=body.html,
        auto_submitted=body.auto_submitted,
        attachments=[item.model_dump() for item in body.attachments],
    )
    return json_response(present_reply(reply), 201)


@router.post("/reset", summary="Reseed to the initial state")
def reset(request: Request) -> Response:
    """Drop all data, reseed, restart the clock and forget pending faults (other requests get a 503 with
    Retry-After meanwhile)."""
    request.app.state.reset()
    return json_response({"reset": True})


@router.post("/faults", status_code=201, summary="Fail the next matching /v1/my requests")
def inject_faults(body: FaultRequest, state: SandboxState = Depends(app_state)) -> Response:
    """Queue a fault; answers with the knobs and every pending fault."""
    state.knobs.add_fault(Fault(**body.model_dump()))
    return json_response(state.knobs.as_dict(), 201)


@router.get("/config", summary="Current knobs")
def get_config(state: SandboxState = Depends(app_state)) -> Response:
    """Latency, rate limit, error rate and pending faults."""
    return json_response(state.knobs.as_dict())


@router.post("/config", summary="Change knobs at runtime")
def configure(body: ConfigRequest, state: SandboxState = Depends(app_state)) -> Response:
    """Set latency_ms, rate_limit (null switches it off), error_rate, bounce_rate, complaint_rate, reply_rate,
    import_rows_per_second, webhook_time_scale and/or engagement."""
    state.knobs.configure(**body.changes())
    return json_response(state.knobs.as_dict())
