"""Webhooks: CRUD (at most 10 per brand), ``?reveal=true``, ``POST /webhooks/{id}/test`` and the paginated
``GET /webhooks/{id}/deliveries`` (URL and secret rules: :mod:`nitrosend_nb.sandbox.services.webhooks`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import json_response
from ...services.models import ResourceId, WebhookCreate, WebhookTest
from ...services.webhooks import deliveries, send_test_event, webhooks
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register
from ..schemas import resource_model

router = APIRouter()
LISTED = (webhooks,)  # its list route is the generic one, put first by the app
Webhook, WebhookDelivery = resource_model(webhooks), resource_model(deliveries)


@router.post("/webhooks", tags=["Webhooks"], status_code=201, summary="Create a webhook", response_model=Webhook)
def create_webhook(body: WebhookCreate, state: SandboxState = Depends(get_state)) -> Response:
    """201 with the webhook and its full ``secret`` (the only response that shows it unasked)."""
    doc, _ = webhooks.create(state, body)
    return json_response(webhooks.present(state, [doc], reveal=True)[0], 201)


@router.get("/webhooks/{ident}", tags=["Webhooks"], summary="Get a webhook")
def get_webhook(ident: ResourceId, reveal: bool = False, state: SandboxState = Depends(get_state)) -> Response:
    """One webhook; its secret masked unless ``?reveal=true``."""
    return json_response(webhooks.present(state, [webhooks.fetch(state, ident)], reveal=reveal)[0])


@router.post(
    "/webhooks/{ident}/test",
    tags=["Webhooks"],
    status_code=201,
    summary="Send a test event",
    response_model=WebhookDelivery,
)
def test_webhook(
    ident: ResourceId, body: WebhookTest | None = None, state: SandboxState = Depends(get_state)
) -> Response:
    """Queue a sample event (``data.test: true``, ids null) of ``type`` to this endpoint, even when disabled;
    answers with the pending delivery (watch it in ``GET /webhooks/{id}/deliveries``)."""
    delivery = send_test_event(state, ident, (body or WebhookTest()).type)
    return deliveries.one(state, delivery, 201)


@router.get(
    "/webhooks/{ident}/deliveries",
    tags=["Webhooks"],
    summary="Deliveries of a webhook's events",
    response_model=list[WebhookDelivery],
)
def list_deliveries(ident: ResourceId, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Newest first, paginated; filters ``status`` and ``event_type``."""
    return deliveries.page(state, request, deliveries.of_webhook(state, request, ident))


register(router, webhooks)
