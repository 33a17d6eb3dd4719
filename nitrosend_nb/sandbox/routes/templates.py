"""Templates: list (summaries), create, get, update, delete, send_test and preview."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...rendering import merge, merge_context, render_email
from ...rendering.design import brand_theme as design_theme
from ...rendering.design import design_strings, render_design, section_types
from ..delivery import default_sender, deliver, find_contact, sender
from ..errors import campaign_locked, invalid, json_response
from ..idempotency import DEPRECATION_HEADERS, fingerprint, replay, request_key
from ..models import Preview, ResourceId, SendTest, TemplateCreate, TemplateUpdate
from ..state import SandboxState, get_state
from .crud import Resource, register

FIELDS = ("id", "name", "flow_id", "action_id", "subject", "body", "preheader", "from_name", "from_email",
          "reply_to", "design", "variables", "created_at", "updated_at")
SUMMARY_FIELDS = ("id", "name", "subject", "preheader", "flow_id", "section_count", "section_types", "created_at",
                  "updated_at")
TEST_PREFIX = "[Test] "


def variables(template: dict) -> dict:
    """The merge tags a template uses, grouped by namespace: ``{"contact": ["first_name"], "data": [...]}``."""
    sources = [template.get(k) for k in ("subject", "preheader", "body")]
    sources += [text for _, text in design_strings(template.get("design"))]
    grouped: dict[str, list[str]] = {}
    for path in merge.variables(sources):
        namespace, _, rest = path.partition(".")
        names = grouped.setdefault(namespace, [])
        if rest and rest not in names:
            names.append(rest)
    return grouped


def brand_theme(state: SandboxState) -> dict:
    """The account brand's design theme."""
    return design_theme(state.brand())


def template_view(template: dict) -> dict:
    """A stored template with its computed ``variables``, in the Template schema's shape."""
    return {**{k: template.get(k) for k in FIELDS}, "variables": variables(template)}


def attached_templates(state: SandboxState, ids: list[int]) -> dict[int, dict]:
    """Campaign/flow templates by id, presented (one query for a whole page)."""
    if not ids:
        return {}
    rows = state.store.query("templates", f"id IN ({','.join('?' * len(ids))})", list(ids))
    return {row["id"]: template_view(row) for row in rows}


class Templates(Resource):
    """Standalone email templates."""

    table, label, fields = "templates", "Template", FIELDS
    create_model, update_model = TemplateCreate, TemplateUpdate
    paginated = False
    deletable = False  # the API has no DELETE /templates/{id}

    def present(self, state: SandboxState, docs: list) -> list:
        return [template_view(doc) for doc in docs]

    def present_list(self, state: SandboxState, docs: list) -> list:
        summaries = []
        for doc in docs:
            types = section_types(doc.get("design"))
            summaries.append({**{k: doc.get(k) for k in SUMMARY_FIELDS}, "section_count": len(types),
                              "section_types": types})
        return summaries

    def list_query(self, state: SandboxState, request: Request) -> tuple:
        return "json_extract(doc, '$.flow_id') IS NULL", [], self.order  # standalone templates only

    def build(self, state: SandboxState, body: TemplateCreate, now: str) -> dict:
        doc = {k: None for k in FIELDS if k not in ("id", "variables")}
        doc.update(body.changes(), created_at=now, updated_at=now)
        return doc

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: TemplateUpdate, now: str) -> dict:
        sent = state.store.count("campaigns", "json_extract(doc, '$.template_id') = ? AND "
                                              "json_extract(doc, '$.locked') = 1", (doc["id"],))
        if sent:
            raise campaign_locked()
        doc.update(changes)
        return doc


templates = Templates()
router = APIRouter()


@router.post("/templates/preview", tags=["Templates"], summary="Render an email design to HTML")
def preview(body: Preview, state: SandboxState = Depends(get_state)) -> Response:
    """``{"document": EmailDesign}`` (or ``design``) -> ``{"html": ...}``; merge tags stay literal unless ``data``
    or ``contact_id`` is given."""
    design = body.document or body.design
    if design is None:
        raise invalid({"document": ["is required"]})
    context = None
    if body.data or body.contact_id:
        contact = state.store.get("contacts", body.contact_id) if body.contact_id else None
        context = merge_context(state.brand(), contact, body.data)
    return json_response({"html": render_design(design.model_dump(), context, brand_theme(state))})


def _recipients(state: SandboxState, body: SendTest) -> list[tuple[str, dict | None]]:
    """(address, contact) pairs for a test send, per the fallbacks: contact, addresses, test list, owner."""
    if body.contact_id is not None:
        contact = state.store.get("contacts", body.contact_id)
        if contact is None:
            raise invalid({"contact_id": [f"unknown contact {body.contact_id}"]})
        if not contact.get("email"):
            raise invalid({"contact_id": ["contact has no email address"]})
        return [(contact["email"], contact)]
    addresses = [body.email] if isinstance(body.email, str) else list(body.email or [])
    addresses += body.emails or []
    if not addresses:
        addresses = state.brand().get("test_email_recipients") or [state.owner_email()]
    unique = list(dict.fromkeys(addresses))
    return [(address, find_contact(state.store, address)) for address in unique]


@router.post("/templates/{ident}/send_test", tags=["Templates"], summary="Send a test email")
def send_test(ident: ResourceId, request: Request, body: SendTest | None = None,
              state: SandboxState = Depends(get_state)) -> Response:
    """Send the template to test recipients; an ``Idempotency-Key`` replays the first result without resending."""
    body = body or SendTest()
    template = templates.fetch(state, ident)
    key = request_key(request, body.idempotency_key)
    scope, print_ = f"templates/{ident}/send_test", fingerprint(body.changes())
    with state.store.atomic():
        previous = replay(state.store, scope, key, print_)
        if previous is not None:
            return json_response(previous)
        recipients = _recipients(state, body)
        now = state.store.tick()
        brand_from, brand_reply_to = default_sender(state)
        from_ = sender(template.get("from_name"), template["from_email"]) if template.get("from_email") else brand_from
        results = []
        theme, brand = brand_theme(state), state.brand()
        for address, contact in recipients:
            context = merge_context(brand, contact, body.data)
            email = render_email(template, context, theme)
            deliver(state, now, kind="test", to=address, subject=TEST_PREFIX + email.subject, html=email.html,
                    text=email.text, from_=from_, reply_to=template.get("reply_to") or brand_reply_to,
                    template_id=ident, contact_id=contact["id"] if contact else None, context=context)
            results.append({"email": address, "success": True})
        outcome = {"sent": len(results), "results": results}
        if key:
            state.store.remember(scope, key, print_, outcome)
    return json_response(outcome, 200, None if key else DEPRECATION_HEADERS)


register(router, templates)
