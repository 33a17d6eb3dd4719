"""Messages: send one transactional email or SMS (idempotent), list with filters, get."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..delivery import count_usage, default_sender, deliver, find_contact, merge_context, render_content, sender
from ..errors import invalid, json_response
from ..idempotency import DEPRECATION_HEADERS, fingerprint, replay, request_key
from ..models import E164, MessageCreate, is_email
from ..state import SandboxState, get_state
from ..webhooks import emit_for_message
from .crud import Resource, register
from .templates import brand_theme

FIELDS = ("id", "channel", "to", "subject", "status", "provider_id", "flow_id", "source_type", "source_name",
          "sent_at", "created_at")
SOURCE_TYPES = {"all": ("", []), "flow": ("source_type = 'flow'", []),
                "campaign": ("source_type = 'campaign'", []), "transactional": ("source_type IS NULL", [])}
# Keyless sends were deprecated and became unsupported on this date (RFC 9745 / RFC 8594 headers).


class Messages(Resource):
    """Transactional, campaign and flow messages (read side; sending is :func:`send_message`)."""

    table, label, fields = "messages", "Message", FIELDS
    deletable = False

    def list_query(self, state: SandboxState, request: Request) -> tuple:
        query = request.query_params
        source = query.get("source_type") or "transactional"
        if source not in SOURCE_TYPES:
            raise invalid({"source_type": [f"must be one of {', '.join(SOURCE_TYPES)}"]})
        where, params = SOURCE_TYPES[source]
        clauses, params = ([where] if where else []), list(params)
        for name, allowed in (("channel", ("email", "sms")), ("status", ("queued", "sent", "failed"))):
            if query.get(name):
                if query[name] not in allowed:
                    raise invalid({name: [f"must be one of {', '.join(allowed)}"]})
                clauses.append(f"{name} = ?")
                params.append(query[name])
        return " AND ".join(clauses), params, self.order


messages = Messages()
router = APIRouter()


def _validate(state: SandboxState, body: MessageCreate) -> dict | None:
    """Channel-specific rules; returns the template for ``template_id`` sends."""
    errors: dict[str, list[str]] = {}
    template = None
    if body.template_id is not None:
        template = state.store.get("templates", body.template_id)
        if template is None:
            errors["template_id"] = [f"unknown template {body.template_id}"]
        elif body.channel == "sms":
            errors["template_id"] = ["templates are for the email channel only"]
    if body.channel == "email":
        if not is_email(body.to):
            errors["to"] = ["is not a valid email address"]
        if not (body.subject or (template and template.get("subject"))):
            errors["subject"] = ["is required for email"]
        if not (body.html or body.body or body.template_id is not None):
            errors["html"] = ["one of html, body or template_id is required for email"]
    else:
        if not E164.match(body.to):
            errors["to"] = ["must be an E.164 phone number such as +447700900123"]
        if not body.body:
            errors["body"] = ["is required for sms"]
    if errors:
        raise invalid(errors)
    return template


def _from_address(state: SandboxState, body: MessageCreate, template: dict | None) -> str:
    brand_from, _ = default_sender(state)
    if body.from_:
        return body.from_
    if body.from_email:
        return sender(body.from_name, body.from_email)
    if template and template.get("from_email"):
        return sender(template.get("from_name"), template["from_email"])
    return brand_from


@router.post("/messages", tags=["Messages"], status_code=201, summary="Send a transactional message")
def send_message(body: MessageCreate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Send now: 201 with status ``queued`` (later reads show ``sent``); the email lands in the outbox."""
    key = request_key(request, body.idempotency_key)
    print_ = fingerprint(body.model_dump(mode="json", exclude_unset=True, by_alias=True))
    with state.store.atomic():
        previous = replay(state.store, "messages", key, print_)
        if previous is not None:
            return messages.one(state, messages.fetch(state, previous["id"]))
        template = _validate(state, body)
        now = state.store.tick()
        contact = find_contact(state.store, body.to) if body.channel == "email" else None
        context = merge_context(state.brand(), contact, body.data)
        content = dict(template or {})
        for field in ("subject", "body"):
            if getattr(body, field):
                content[field] = getattr(body, field)
        subject = html = text = None
        if body.channel == "email":
            subject, html, text = render_content(content, context, brand_theme(state), html=body.html,
                                                 plain_body=bool(body.body))
        doc = {
            "channel": body.channel, "to": body.to, "subject": subject, "status": "sent",
            "provider_id": "sbx-" + hashlib.sha256(f"{now}:{body.to}".encode()).hexdigest()[:12],
            "flow_id": None, "source_type": None, "source_name": None, "sent_at": now, "created_at": now,
            "template_id": body.template_id, "contact_id": contact["id"] if contact else None,
            "idempotency_key": key, "tags": body.tags,
        }
        doc = state.store.insert("messages", doc)
        if body.channel == "email":
            _, brand_reply_to = default_sender(state)
            deliver(state, now, kind="transactional", to=body.to, subject=subject, html=html, text=text,
                    from_=_from_address(state, body, template),
                    reply_to=body.reply_to or (template or {}).get("reply_to") or brand_reply_to,
                    message_id=doc["id"], template_id=body.template_id, contact_id=doc["contact_id"])
        else:
            count_usage(state, sms=1)
        emit_for_message(state, doc)
        if key:
            state.store.remember("messages", key, print_, {"id": doc["id"]})
    response = {**messages.present(state, [doc])[0], "status": "queued", "sent_at": None}
    return json_response(response, 201, None if key else DEPRECATION_HEADERS)


register(router, messages)
