"""Campaigns: list, create, get, update, delete, send, send_test and duplicate (statuses, approval and sending:
:mod:`nitrosend_nb.sandbox.services.campaigns`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...services.campaigns import campaigns, duplicate, send, test_content
from ...services.idempotency import request_key
from ...services.models import CampaignDuplicate, CampaignSend, ResourceId, SendTest
from ...services.test_sends import send_test
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register
from ..schemas import resource_model

router = APIRouter()
LISTED = (campaigns,)  # its list route is the generic one, put first by the app
Campaign = resource_model(campaigns)


@router.post("/campaigns/{ident}/send", tags=["Campaigns"], summary="Send a campaign", response_model=Campaign)
def send_campaign(
    ident: ResourceId, request: Request, body: CampaignSend | None = None, state: SandboxState = Depends(get_state)
) -> Response:
    """Deliver to the subscribed contacts of the chosen lists and/or segment (or everyone with
    ``confirm_send_to_all``), record one message per recipient, then lock the content."""
    return campaigns.one(state, send(state, ident, body or CampaignSend(), request_key(request, None)))


@router.post("/campaigns/{ident}/send_test", tags=["Campaigns"], summary="Send a test of a campaign")
def send_campaign_test(
    ident: ResourceId, request: Request, body: SendTest | None = None, state: SandboxState = Depends(get_state)
) -> Response:
    """Send the campaign's email content to test recipients, as ``POST /templates/{id}/send_test`` does."""
    doc, content = test_content(state, ident)
    return send_test(
        state,
        request,
        body or SendTest(),
        content,
        scope=f"campaigns/{ident}/send_test",
        source_name=doc["name"],
        template_id=doc["template_id"],
    )


@router.post(
    "/campaigns/{ident}/duplicate",
    tags=["Campaigns"],
    status_code=201,
    summary="Duplicate a campaign",
    response_model=Campaign,
)
def duplicate_campaign(
    ident: ResourceId, body: CampaignDuplicate | None = None, state: SandboxState = Depends(get_state)
) -> Response:
    """A new draft with the source's channel, data, audience and content (``name`` defaults to
    "<name> (copy)"); ``cancel_source`` also cancels the source, which must be able to become cancelled."""
    return campaigns.one(state, duplicate(state, ident, body or CampaignDuplicate()), 201)


register(router, campaigns)
