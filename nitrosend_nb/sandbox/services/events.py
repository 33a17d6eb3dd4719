"""Events: the contact events behind /events, tracking them (idempotently) and the flows they start.

A tracked event starts the live flows whose trigger names it (see :mod:`nitrosend_nb.sandbox.services.automation`);
``emit_event`` steps track follow-up events (``generated``, one ``chain_depth`` deeper, at most
``MAX_CHAIN_DEPTH``). Test events (``test: true``) are stored and listed but start no flow.

Time window: ``created_after`` is inclusive and ``created_before`` exclusive, so consecutive windows
``[a, b)``, ``[b, c)`` never overlap nor leave a gap; resuming with ``created_after`` = the newest ``created_at``
seen re-reads that second's events (drop them by id).
"""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import Request

from ...rendering.design import brand_theme
from ..engine.delivery import find_contact
from ..engine.rendering import write_after_rendering
from ..errors import invalid
from ..state import SandboxState
from ..store import iso, parse_iso
from .automation import run_flow, triggered_flows
from .contacts import contacts
from .models import EVENT_NAME, EventCreate
from .pagination import positive_int, query_bool
from .resource import Query, Resource

FIELDS = (
    "id",
    "event",
    "amount",
    "data",
    "resource_uid",
    "resource_name",
    "resource_url",
    "idempotency_key",
    "test",
    "ip",
    "user_agent",
    "browser",
    "os",
    "device_type",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_term",
    "utm_content",
    "utm_campaign",
    "chain_depth",
    "generated",
    "contact_id",
    "account_id",
    "created_at",
    "updated_at",
)
TEXT_FILTERS = (
    "event",
    "resource_uid",
    "resource_name",
    "resource_url",
    "utm_source",
    "utm_medium",
    "utm_term",
    "utm_content",
    "utm_campaign",
    "browser",
    "os",
    "device_type",
)
PAYLOAD = (
    "amount",
    "data",
    "resource_uid",
    "resource_name",
    "resource_url",
    "test",
    "utm_source",
    "utm_medium",
    "utm_term",
    "utm_content",
    "utm_campaign",
)
MAX_CHAIN_DEPTH = 3
EVENT_NAME_RE = re.compile(EVENT_NAME)
MAX_KEY_LENGTH = 128


def _whole_second(name: str, raw: str) -> str:
    """A window bound as the API's whole-second text, rounded up: for whole-second ``created_at`` values,
    ``>= bound`` and ``< bound`` then mean exactly what they mean for the precise instant."""
    try:
        moment = parse_iso(raw)
    except ValueError:
        raise invalid({name: ["must be an ISO 8601 timestamp such as 2026-11-01T12:00:00Z"]}) from None
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return iso(moment)


def event_doc(
    now: str,
    contact_id: int,
    name: str,
    fields: dict,
    *,
    idempotency_key: str | None,
    chain_depth: int = 0,
) -> dict:
    """A new event document (no id nor owner yet: :meth:`SandboxState.insert` stamps it); device and request
    details are unknown for server-side tracking."""
    return {
        "event": name,
        **{k: fields.get(k) for k in PAYLOAD},
        "data": fields.get("data") or {},
        "test": bool(fields.get("test")),
        "idempotency_key": idempotency_key,
        "ip": None,
        "user_agent": None,
        "browser": None,
        "os": None,
        "device_type": None,
        "referrer": None,
        "chain_depth": chain_depth,
        "generated": chain_depth > 0,
        "contact_id": contact_id,
        "created_at": now,
        "updated_at": now,
    }


class Events(Resource):
    """Contact events (purchases, sign-ups, page views...)."""

    table, label, fields = "events", "Event", FIELDS

    def list_query(self, state: SandboxState, request: Request) -> Query:
        query = request.query_params
        clauses, params = [], []
        for name in TEXT_FILTERS:
            if query.get(name):  # ``event`` is a table column (indexed); the others live in the document
                clauses.append("event = ?" if name == "event" else f"json_extract(doc, '$.{name}') = ?")
                params.append(query[name])
        if query.get("contact_id"):
            clauses.append("contact_id = ?")
            params.append(positive_int("contact_id", query["contact_id"]))
        if query.get("amount"):
            try:
                amount = float(query["amount"])
            except ValueError:
                raise invalid({"amount": ["must be a number"]}) from None
            clauses.append("json_extract(doc, '$.amount') = ?")
            params.append(amount)
        if query.get("test"):
            clauses.append("json_extract(doc, '$.test') = ?")
            params.append(int(query_bool("test", query["test"])))
        for name, operator in (("created_after", ">="), ("created_before", "<")):
            if query.get(name):
                clauses.append(f"created_at {operator} ?")
                params.append(_whole_second(name, query[name]))
        return Query.matching(clauses, params, self.order)

    def contact(self, state: SandboxState, body: EventCreate) -> dict:
        """The contact the event is about (422 naming the field when it is unknown or missing)."""
        if body.contact_id is not None:
            return contacts.fetch_reference(state, body.contact_id, "contact_id")
        if body.contact_email:
            found = find_contact(state, body.contact_email)
            if found is None:
                raise invalid({"contact_email": ["no contact has this email address"]})
            return found
        raise invalid({"contact_id": ["contact_id or contact_email is required"]})

    def previous(self, state: SandboxState, name: str, key: str) -> dict | None:
        """The event already tracked as ``name`` with idempotency ``key``, if any."""
        found = state.store.query(self.table, state.in_brand("event = ? AND idempotency_key = ?"), (name, key), limit=1)
        return found[0] if found else None

    def build(self, state: SandboxState, body: EventCreate, now: str) -> dict:
        fields = body.model_dump(include=set(PAYLOAD))
        return event_doc(now, self.contact(state, body)["id"], body.event, fields, idempotency_key=body.idempotency_key)

    def after_save(self, state: SandboxState, doc: dict, body: EventCreate | None) -> None:
        """Start the flows the event triggers; track the events they emit (a bounded chain)."""
        if doc["test"]:
            return
        contact = state.find("contacts", doc["contact_id"])
        theme = brand_theme(state.brand())
        for flow in triggered_flows(state, doc):
            for follow_up in run_flow(state, flow, doc, contact, doc["created_at"], theme):
                if doc["chain_depth"] >= MAX_CHAIN_DEPTH or not EVENT_NAME_RE.match(follow_up["event"]):
                    continue
                child = state.insert(
                    self.table,
                    event_doc(
                        state.store.tick(),
                        doc["contact_id"],
                        follow_up["event"],
                        follow_up,
                        idempotency_key=None,
                        chain_depth=doc["chain_depth"] + 1,
                    ),
                )
                self.after_save(state, child, None)


events = Events()


def track(state: SandboxState, body: EventCreate, key: str | None) -> tuple[dict, bool]:
    """Track ``body`` under the idempotency ``key`` (required, at most :data:`MAX_KEY_LENGTH` characters); returns
    (event, created): the stored event when ``event`` was already tracked with this key, however often and
    concurrently it is retried."""
    if not key:
        raise invalid(
            {
                "idempotency_key": [
                    "is required: send an Idempotency-Key header or an idempotency_key field, the same on every retry"
                ]
            }
        )
    if len(key) > MAX_KEY_LENGTH:
        raise invalid({"idempotency_key": [f"must be at most {MAX_KEY_LENGTH} characters"]})
    body = body.model_copy(update={"idempotency_key": key})
    return write_after_rendering(state.store, lambda: _track(state, body, key))


def _track(state: SandboxState, body: EventCreate, key: str) -> tuple[dict, bool]:
    """:func:`track` once the key is checked: the flows the event starts render their emails (see
    :func:`..engine.rendering.write_after_rendering`)."""
    with state.store.atomic():
        previous = events.previous(state, body.event, key)
        if previous is not None:
            return previous, False
        doc, _ = events.create(state, body)
    return doc, True
