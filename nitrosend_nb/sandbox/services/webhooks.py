"""Webhook endpoints of a brand (at most 10) and the read side of their deliveries; test events.

The real service accepts only public HTTPS URLs; the sandbox also accepts ``http://127.0.0.1``,
``http://localhost`` and ``http://[::1]`` so a notebook can receive events on its own machine (the addresses a
URL's host resolves to decide: :mod:`..engine.webhook_targets`). The secret
(``whsec_`` + base64) is shown in full when the webhook is created and masked afterwards unless ``?reveal=true``.
The sandbox keeps every delivery (the real service keeps 7 days).
"""

from __future__ import annotations

import secrets

from fastapi import Request

from ..engine.webhook_delivery import EVENTS, queue_delivery, signing_secret, test_event_id, test_payload
from ..engine.webhook_targets import url_problem
from ..errors import invalid
from ..state import SandboxState
from .models import WebhookCreate, WebhookUpdate
from .resource import Query, Resource

FIELDS = (
    "id",
    "brand_id",
    "url",
    "events",
    "enabled",
    "status",
    "failing_since",
    "secret",
    "last_delivery",
    "created_at",
    "updated_at",
)
DELIVERY_FIELDS = (
    "id",
    "webhook_id",
    "event_id",
    "event_type",
    "status",
    "attempts",
    "last_response_status",
    "last_error",
    "next_attempt_at",
    "payload",
    "created_at",
    "updated_at",
)
MAX_PER_BRAND = 10


def mask_secret(secret: str) -> str:
    """``whsec_****`` plus the secret's last 4 characters."""
    return "whsec_****" + secret[-4:]


class Webhooks(Resource):
    """Webhook endpoints of the brand."""

    table, label, fields = "webhooks", "Webhook", FIELDS
    update_model = WebhookUpdate

    def present(self, state: SandboxState, docs: list, reveal: bool = False) -> list:
        return [
            {**{k: doc.get(k) for k in FIELDS}, "secret": doc["secret"] if reveal else mask_secret(doc["secret"])}
            for doc in docs
        ]

    @staticmethod
    def _check(changes: dict) -> None:
        if changes.get("url") is not None and (problem := url_problem(changes["url"])):
            raise invalid({"url": [problem]})

    def build(self, state: SandboxState, body: WebhookCreate, now: str) -> dict:
        self._check(body.changes())
        if state.store.count(self.table, state.in_brand()) >= MAX_PER_BRAND:
            raise invalid({"base": [f"a brand can have at most {MAX_PER_BRAND} webhooks"]})
        secret = signing_secret(secrets.token_bytes(24))
        return {
            "url": body.url,
            "events": list(dict.fromkeys(body.events)),
            "enabled": body.enabled,
            "status": "active" if body.enabled else "disabled",
            "failing_since": None,
            "secret": secret,
            "last_delivery": None,
            "created_at": now,
            "updated_at": now,
        }

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: WebhookUpdate, now: str) -> dict:
        self._check(changes)
        for key in ("url", "events", "enabled"):
            if changes.get(key) is not None:
                doc[key] = list(dict.fromkeys(changes[key])) if key == "events" else changes[key]
        if changes.get("enabled") is False:
            doc["status"] = "disabled"
        elif changes.get("enabled") and doc["status"] == "disabled":
            doc.update(status="active", failing_since=None)
        return doc


class WebhookDeliveries(Resource):
    """Delivery attempts of webhook events (read only, listed per webhook)."""

    table, label, fields = "webhook_deliveries", "Webhook delivery", DELIVERY_FIELDS

    def list_query(self, state: SandboxState, request: Request) -> Query:
        clauses, params = [], []
        for name, allowed in (("status", ("pending", "delivered", "failed")), ("event_type", EVENTS)):
            value = request.query_params.get(name)
            if value:
                if value not in allowed:
                    raise invalid({name: [f"must be one of {', '.join(allowed)}"]})
                clauses.append("status = ?" if name == "status" else f"json_extract(doc, '$.{name}') = ?")  # a column
                params.append(value)
        return Query.matching(clauses, params, self.order)

    def of_webhook(self, state: SandboxState, request: Request, webhook_id: int) -> Query:
        """The list query of one webhook's deliveries (404 when the webhook is not the brand's)."""
        webhooks.fetch(state, webhook_id)
        query = self.list_query(state, request)
        return Query.matching([query.where, "webhook_id = ?"], [*query.params, webhook_id], query.order)


webhooks = Webhooks()
deliveries = WebhookDeliveries()


def send_test_event(state: SandboxState, ident: int, event_type: str) -> dict:
    """Queue a sample event of ``event_type`` to webhook ``ident``, even when disabled; returns the pending
    delivery."""
    with state.store.atomic():
        hook = webhooks.fetch(state, ident)
        now = state.store.tick()
        return queue_delivery(state, hook, test_event_id(ident, now), test_payload(event_type, now), test=True)
