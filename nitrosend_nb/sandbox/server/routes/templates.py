"""Templates: list (summaries), create, get, update, send_test, preview and the component spec."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ....rendering import merge_context, render_email
from ....rendering.design import brand_theme
from ...errors import json_response
from ...services.models import Preview, ResourceId, SendTest
from ...services.specs import email_component_spec
from ...services.templates import templates
from ...services.test_sends import send_test
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register

router = APIRouter()
LISTED = (templates,)  # its list route is the generic one, put first by the app


@router.post("/templates/preview", tags=["Templates"], summary="Render an email design to HTML")
def preview(body: Preview, state: SandboxState = Depends(get_state)) -> Response:
    """``{"document": EmailDesign}`` (or ``design``) -> ``{"html": ...}``; merge tags stay literal unless ``data``
    or ``contact_id`` is given."""
    design = body.document or body.design  # the model requires one
    brand, context = state.brand(), None
    if body.data or body.contact_id:
        contact = state.find("contacts", body.contact_id) if body.contact_id else None
        context = merge_context(brand, contact, body.data)
    email = render_email({"design": design.model_dump()}, context, brand_theme(brand))
    return json_response({"html": email.html})


@router.get("/templates/spec", tags=["Templates"], summary="Get the email component schema")
def component_spec() -> Response:
    """The section types the sandbox renders, their props, common styles, merge variables and theme fields."""
    return json_response(email_component_spec())


@router.post("/templates/{ident}/send_test", tags=["Templates"], summary="Send a test email")
def send_template_test(
    ident: ResourceId, request: Request, body: SendTest | None = None, state: SandboxState = Depends(get_state)
) -> Response:
    """Send the template to test recipients (see :mod:`...services.test_sends`)."""
    template = templates.fetch(state, ident)
    return send_test(
        state,
        request,
        body or SendTest(),
        template,
        scope=f"templates/{ident}/send_test",
        source_name=template.get("name"),
        template_id=ident,
    )


register(router, templates)
