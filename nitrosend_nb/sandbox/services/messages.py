"""Messages: transactional sends (recipient, the rules that need the database, rendering, delivery) and the
read side (list filters, per-campaign and per-flow sent counts, the view a send answers with).

A send goes to ``to`` or to the contact ``contact_id`` names (personalised with that contact's data either way
when the address belongs to a contact). Sends the rules in :mod:`..engine.outcomes` refuse are stored as ``failed`` with
their reason and answered at once; the others answer ``queued`` and read back as ``sent``. The input rules of a
send that need no database (channel, content, tags) are :class:`~.models.MessageCreate`'s validator.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Request

from ...rendering import merge_context, render_message
from ...rendering.design import brand_theme
from ..engine.delivery import count_usage, default_sender, deliver, find_contact, record_message, sender
from ..engine.inbound import maybe_reply
from ..engine.outcomes import refusal
from ..engine.rendering import render_email, write_after_rendering
from ..engine.webhook_delivery import emit_for_message
from ..errors import invalid
from ..state import SandboxState
from .contacts import contacts
from .idempotency import fingerprint, replay
from .models import MessageCreate, parse_sender
from .pagination import positive_int
from .resource import Query, Resource
from .templates import templates

FIELDS = (
    "id",
    "brand_id",
    "channel",
    "to",
    "subject",
    "status",
    "provider_id",
    "flow_id",
    "source_type",
    "source_name",
    "status_reason_code",
    "status_reason",
    "status_reason_category",
    "failure_code",
    "failure_reason",
    "failure_category",
    "sent_at",
    "created_at",
)
SOURCE_TYPES = {
    "all": "",
    "campaign": "source_type = 'campaign'",
    "flow": "source_type = 'flow'",
    "transactional": "source_type IS NULL",
    "test": "source_type = 'test'",
}
CHOICES = {"channel": ("email", "sms"), "status": ("queued", "sent", "failed")}


def _day(raw: str) -> tuple[str, str]:
    """The [start, end) ISO bounds of the UTC day ``raw`` (YYYY-MM-DD), or a 422."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise invalid({"date": ["must be a day as YYYY-MM-DD (UTC)"]}) from None
    return f"{day.isoformat()}T00:00:00Z", f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"


class Messages(Resource):
    """Transactional, campaign, flow and test messages (read side; sending is :func:`send`)."""

    table, label, fields = "messages", "Message", FIELDS
    deletable = False

    def list_query(self, state: SandboxState, request: Request) -> Query:
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
        return Query.matching(clauses, params, self.order)

    def counts(self, state: SandboxState, column: str, ids: list[int], source_type: str) -> dict[int, int]:
        """How many ``source_type`` messages each of ``ids`` sent, keyed by id (``column``: campaign_id or
        flow_id): the ``sent_count`` of campaigns and flows, so it always equals what the filter returns."""
        if not ids:
            return {}
        rows = state.store.execute(
            f"SELECT {column}, COUNT(*) FROM messages WHERE source_type = ? AND {column} IN "
            f"({','.join('?' * len(ids))}) GROUP BY {column}",
            [source_type, *ids],
        )
        found = dict(rows)
        return {ident: found.get(ident, 0) for ident in ids}


messages = Messages()


def _recipient(state: SandboxState, body: MessageCreate) -> tuple[str, dict | None]:
    """(address, contact) of the send: ``to``, or the address of the contact ``contact_id`` names."""
    if body.contact_id is None:
        return body.to, find_contact(state, body.to) if body.channel == "email" else None
    contact = contacts.fetch_reference(state, body.contact_id, "contact_id")
    address = contact.get("email") if body.channel == "email" else contact.get("phone")
    if not address:
        kind = "email address" if body.channel == "email" else "phone number"
        raise invalid({"contact_id": [f"contact {body.contact_id} has no {kind} for the {body.channel} channel"]})
    if body.to and body.to.lower() != address.lower():
        raise invalid({"to": [f"does not match contact {body.contact_id}'s address; send one or the other"]})
    return address, contact


def _template(state: SandboxState, body: MessageCreate) -> dict | None:
    """The template of a ``template_id`` send (422 when unknown, or when neither it nor the body has a subject)."""
    if body.template_id is None:
        return None
    template = templates.fetch_reference(state, body.template_id, "template_id")
    if not (body.subject or template.get("subject")):
        raise invalid({"subject": ["is required for email"]})
    return template


def _from_address(brand: dict, body: MessageCreate, template: dict | None) -> str:
    """``from`` ("Name <addr>" or addr), with ``from_name`` / ``from_email`` overriding its parts; then the
    template's sender, then the brand's."""
    name, address = parse_sender(body.from_) if body.from_ else (None, None)
    name, address = body.from_name or name, body.from_email or address
    if not address and template and template.get("from_email"):
        name, address = name or template.get("from_name"), template["from_email"]
    return sender(name or brand.get("email_from_name"), address or brand["email_from_email"])


def send(state: SandboxState, body: MessageCreate, key: str | None) -> dict:
    """Record (and deliver, unless a rule of :mod:`..engine.outcomes` refuses it) one message atomically, its
    email rendered with no lock held; with an idempotency ``key`` seen before, the message that send stored (409 if
    the body differed)."""
    return write_after_rendering(state.store, lambda: _send(state, body, key))


def _send(state: SandboxState, body: MessageCreate, key: str | None) -> dict:
    print_ = fingerprint(body.model_dump(mode="json", exclude_unset=True, by_alias=True))
    with state.store.atomic():
        previous = replay(state.store, "messages", key, print_)
        if previous is not None:
            return messages.fetch(state, previous["id"])
        to, contact = _recipient(state, body)
        template = _template(state, body)
        now, brand = state.store.tick(), state.brand()
        failure = refusal(brand, state.account(), body.channel, to)
        context = merge_context(brand, contact, body.data)
        email = None
        if body.channel == "email":
            email = render_message(
                template,
                context,
                brand_theme(brand),
                subject=body.subject,
                html=body.html,
                body=body.body,
                render=render_email,
            )
        doc = record_message(
            state,
            now,
            channel=body.channel,
            to=to,
            subject=email and email.subject,
            failure=failure,
            template_id=body.template_id,
            contact_id=contact["id"] if contact else None,
            idempotency_key=key,
            tags=body.tags,
            headers=body.headers,
        )
        if failure is None and email is not None:
            _, brand_reply_to = default_sender(state)
            deliver(
                state,
                now,
                email,
                doc,
                kind="transactional",
                from_=_from_address(brand, body, template),
                reply_to=body.reply_to or (template or {}).get("reply_to") or brand_reply_to,
                context=context,
            )
        elif failure is None:
            count_usage(state, sms=1)
        sent = state.store.get("messages", doc["id"])  # as delivery left it (bounced, suppressed)
        emit_for_message(state, sent)
        maybe_reply(state, sent)
        if key:
            state.store.remember("messages", key, print_, {"id": doc["id"]})
    return doc


def accepted(state: SandboxState, doc: dict) -> dict:
    """A message as the send answers it: accepted for sending (``queued``, not yet sent), or failed with its
    reason."""
    response = messages.present(state, [doc])[0]
    if response["status"] != "failed":
        response.update(status="queued", sent_at=None)
    return response
