"""Messages: send one transactional email or SMS (idempotent), list with filters, get.

A send goes to ``to`` or to the contact ``contact_id`` names (personalised with that contact's data either way
when the address belongs to a contact). Sends the rules in :mod:`..outcomes` refuse are stored as ``failed`` with
their reason and answered at once; the others answer ``queued`` and read back as ``sent``.

List filters: ``source_type`` (all|campaign|flow|transactional|test; omitted means transactional, or all when
``campaign_id`` / ``flow_id`` already name the source), ``campaign_id`` (the messages that campaign's send created;
its test sends are ``source_type=test`` and not among them), ``flow_id``, ``date`` (one UTC day, YYYY-MM-DD),
``channel`` and ``status``.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...rendering import merge_context, render_email
from ...rendering.design import brand_theme
from ..delivery import count_usage, default_sender, deliver, find_contact, record_message, sender
from ..errors import invalid, json_response
from ..idempotency import DEPRECATION_HEADERS, fingerprint, replay, request_key
from ..models import E164, MessageCreate, is_email, parse_sender, tag_errors
from ..outcomes import refusal
from ..pagination import positive_int
from ..state import SandboxState, get_state
from ..webhooks import emit_for_message
from .contacts import contacts
from .crud import Resource, register
from .templates import templates

FIELDS = ("id", "brand_id", "channel", "to", "subject", "status", "provider_id", "flow_id", "source_type",
          "source_name", "status_reason_code", "status_reason", "status_reason_category", "failure_code",
          "failure_reason", "failure_category", "sent_at", "created_at")
SOURCE_TYPES = {"all": "", "campaign": "source_type = 'campaign'", "flow": "source_type = 'flow'",
                "transactional": "source_type IS NULL", "test": "source_type = 'test'"}
CHOICES = {"channel": ("email", "sms"), "status": ("queued", "sent", "failed")}


def _day(raw: str) -> tuple[str, str]:
    """The [start, end) ISO bounds of the UTC day ``raw`` (YYYY-MM-DD), or a 422."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise invalid({"date": ["must be a day as YYYY-MM-DD (UTC)"]}) from None
    return f"{day.isoformat()}T00:00:00Z", f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"


class Messages(Resource):
    """Transactional, campaign, flow and test messages (read side; sending is :func:`send_message`)."""

    table, label, fields = "messages", "Message", FIELDS
    deletable = False

    def list_query(self, state: SandboxState, request: Request) -> tuple:
        query = request.query_params
        clauses, params = [], []
        for name in ("campaign_id", "flow_id"):
            if query.get(name):
                clauses.append(f"{name} = ?")
                params.append(positive_int(name, query[name]))
        source = query.get("source_type") or ("all" if clauses else "transactional")
        if source not in SOURCE_TYPES:
            raise invalid({"source_type": [f"must be one of {', '.join(SOURCE_TYPES)}"]})
        clauses += [SOURCE_TYPES[source]] if SOURCE_TYPES[source] else []
        for name, allowed in CHOICES.items():
            if query.get(name):
                if query[name] not in allowed:
                    raise invalid({name: [f"must be one of {', '.join(allowed)}"]})
                clauses.append(f"{name} = ?")
                params.append(query[name])
        if query.get("date"):
            clauses.append("created_at >= ? AND created_at < ?")
            params.extend(_day(query["date"]))
        return " AND ".join(clauses), params, self.order

    def counts(self, state: SandboxState, column: str, ids: list[int], source_type: str) -> dict[int, int]:
        """How many ``source_type`` messages each of ``ids`` sent, keyed by id (``column``: campaign_id or
        flow_id): the ``sent_count`` of campaigns and flows, so it always equals what the filter returns."""
        if not ids:
            return {}
        rows = state.store.execute(
            f"SELECT {column}, COUNT(*) FROM messages WHERE source_type = ? AND {column} IN "
            f"({','.join('?' * len(ids))}) GROUP BY {column}", [source_type, *ids])
        found = dict(rows)
        return {ident: found.get(ident, 0) for ident in ids}


messages = Messages()
router = APIRouter()


def _recipient(state: SandboxState, body: MessageCreate) -> tuple[str | None, dict | None]:
    """(address, contact) of the send: ``to``, or the address of the contact ``contact_id`` names."""
    if body.contact_id is None:
        return body.to, find_contact(state, body.to) if body.channel == "email" and body.to else None
    contact = contacts.fetch_reference(state, body.contact_id, "contact_id")
    address = contact.get("email") if body.channel == "email" else contact.get("phone")
    if not address:
        kind = "email address" if body.channel == "email" else "phone number"
        raise invalid({"contact_id": [f"contact {body.contact_id} has no {kind} for the {body.channel} channel"]})
    if body.to and body.to.lower() != address.lower():
        raise invalid({"to": [f"does not match contact {body.contact_id}'s address; send one or the other"]})
    return address, contact


def _validate(state: SandboxState, body: MessageCreate, to: str | None) -> dict | None:
    """Channel-specific and tag rules; returns the template for ``template_id`` sends."""
    errors = tag_errors(body.tags)
    template = None
    if body.template_id is not None:
        if body.channel == "sms":
            errors["template_id"] = ["templates are for the email channel only"]
        else:
            template = templates.fetch_reference(state, body.template_id, "template_id")
    if not to:
        errors["to"] = ["is required (or give contact_id)"]
    elif body.channel == "email" and not is_email(to):
        errors["to"] = ["is not a valid email address"]
    elif body.channel == "sms" and not E164.match(to):
        errors["to"] = ["must be an E.164 phone number such as +447700900123"]
    if body.channel == "email":
        if not (body.subject or (template and template.get("subject"))):
            errors["subject"] = ["is required for email"]
        if not (body.html or body.body or body.template_id is not None):
            errors["html"] = ["one of html, body or template_id is required for email"]
    elif not body.body:
        errors["body"] = ["is required for sms"]
    if errors:
        raise invalid(errors)
    return template


def _from_address(brand: dict, body: MessageCreate, template: dict | None) -> str:
    """``from`` ("Name <addr>" or addr), with ``from_name`` / ``from_email`` overriding its parts; then the
    template's sender, then the brand's."""
    name, address = parse_sender(body.from_) if body.from_ else (None, None)
    name, address = body.from_name or name, body.from_email or address
    if not address and template and template.get("from_email"):
        name, address = name or template.get("from_name"), template["from_email"]
    return sender(name or brand.get("email_from_name"), address or brand["email_from_email"])


@router.post("/messages", tags=["Messages"], status_code=201, summary="Send a transactional message")
def send_message(body: MessageCreate, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Send now: 201 with status ``queued`` (later reads show ``sent``), or ``failed`` with its reason when a rule
    of :mod:`..outcomes` refuses it; a sent email lands in the outbox."""
    key = request_key(request, body.idempotency_key)
    print_ = fingerprint(body.model_dump(mode="json", exclude_unset=True, by_alias=True))
    with state.store.atomic():
        previous = replay(state.store, "messages", key, print_)
        if previous is not None:  # the original answer again: 201, the message as it was accepted
            return json_response(_accepted(state, messages.fetch(state, previous["id"])), 201)
        to, contact = _recipient(state, body)
        template = _validate(state, body, to)
        now, brand = state.store.tick(), state.brand()
        failure = refusal(brand, state.account(), body.channel, to)
        context = merge_context(brand, contact, body.data)
        content = dict(template or {})
        for field in ("subject", "body"):
            if getattr(body, field):
                content[field] = getattr(body, field)
        email = None
        if body.channel == "email":
            email = render_email(content, context, brand_theme(brand), html=body.html, plain_body=bool(body.body))
        doc = record_message(state, brand, now, channel=body.channel, to=to, subject=email and email.subject,
                             failure=failure, template_id=body.template_id,
                             contact_id=contact["id"] if contact else None, idempotency_key=key, tags=body.tags,
                             headers=body.headers)
        if failure is None and email is not None:
            _, brand_reply_to = default_sender(state)
            deliver(state, now, kind="transactional", to=to, subject=email.subject, html=email.html,
                    text=email.text, context=context, from_=_from_address(brand, body, template),
                    reply_to=body.reply_to or (template or {}).get("reply_to") or brand_reply_to,
                    message_id=doc["id"], template_id=body.template_id, contact_id=doc["contact_id"])
        elif failure is None:
            count_usage(state, sms=1)
        emit_for_message(state, doc)
        if key:
            state.store.remember("messages", key, print_, {"id": doc["id"]})
    return json_response(_accepted(state, doc), 201, None if key else DEPRECATION_HEADERS)


def _accepted(state: SandboxState, doc: dict) -> dict:
    """A message as the send answers it: accepted for sending (``queued``, not yet sent), or failed with its
    reason."""
    response = messages.present(state, [doc])[0]
    if response["status"] != "failed":
        response.update(status="queued", sent_at=None)
    return response


register(router, messages)
