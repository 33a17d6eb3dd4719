"""Webhooks: ``/webhooks`` (create, list, get with ``reveal``, update, delete, test) and each endpoint's
``/webhooks/{id}/deliveries``, whose event payloads are flattened into columns."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from nitrosend_nb.client.filters import Choice, Filters
from nitrosend_nb.client.frames import WEBHOOK_DELIVERIES, WEBHOOK_EVENT_TYPES, WEBHOOKS
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["Webhooks", "WebhookDeliveries", "EMAIL_EVENTS", "event_fields"]

#: The events a new webhook subscribes to by default: every event type of an email sent (all but inbound mail).
EMAIL_EVENTS = tuple(event for event in WEBHOOK_EVENT_TYPES.categories if event != "email.received")


def event_fields(payload: Mapping) -> dict:
    """One event payload ``{type, timestamp, data}`` as flat fields: type, timestamp, message_id, to, subject,
    url, bounce_type, bounce_subtype, complaint_type, failure_code, failure_reason, test, idempotency_key, tags,
    sent_at; an ``email.received``'s from, text, html, truncated, auto_submitted, attachments, conversation_id,
    conversation_message_id and received_at; plus any data field this version does not know."""
    data = dict(payload.get("data") or {})
    bounce, complaint, failure = (data.pop(name, None) or {} for name in ("bounce", "complaint", "failure"))
    flat = {
        "type": payload.get("type"),
        "timestamp": payload.get("timestamp"),
        "bounce_type": bounce.get("type"),
        "bounce_subtype": bounce.get("subtype"),
        "complaint_type": complaint.get("feedback_type"),
        "failure_code": failure.get("code"),
        "failure_reason": failure.get("reason"),
        "test": bool(data.pop("test", False)),
    }
    return {**flat, **data}


class WebhookDeliveries(Resource):
    """The deliveries of one webhook's events, newest first."""

    label = "deliveries"
    schema = WEBHOOK_DELIVERIES
    filters = Filters(
        Choice(
            "status",
            "pending, delivered or failed",
            values=tuple(WEBHOOK_DELIVERIES.columns["status"].categories),
            sandbox_only=True,
        ),
        Choice("event_type", "the event's type", values=tuple(WEBHOOK_EVENT_TYPES.categories), sandbox_only=True),
    )
    item_methods = frozenset()

    def __init__(self, client: Nitrosend, webhook_id: int) -> None:
        super().__init__(client)
        self.path = f"/webhooks/{valid_id(webhook_id, 'webhook_id')}/deliveries"

    def _frame_rows(self, records: list[dict]) -> list[dict]:
        """Each delivery with its payload flattened into columns (``to``, ``url``, ``bounce_type``...)."""
        rows = []
        for record in records:
            flat = {k: v for k, v in record.items() if k != "payload"}
            fields = event_fields(record.get("payload") or {})
            fields.pop("type", None)  # the delivery's event_type says it
            rows.append({**flat, **fields})
        return rows


class Webhooks(Resource):
    """Webhook endpoints: events signed in the Standard Webhooks format (verify with ``nb.verify_webhook``)."""

    path = "/webhooks"
    label = "webhooks"
    schema = WEBHOOKS

    def create(self, url: str, events: Sequence[str] = EMAIL_EVENTS, *, enabled: bool = True) -> dict:
        """Register ``url`` for ``events``; the answer carries the full ``secret`` (shown only now: keep it)."""
        return self._call("POST", json={"url": url, "events": list(events), "enabled": enabled})

    def get(self, id: int, reveal: bool = False) -> dict:
        """One webhook; its secret masked unless ``reveal=True``."""
        return self._call("GET", self._item(id), params={"reveal": "true"} if reveal else None)

    def test(self, id: int, type: str = "email.delivered", *, wait: bool = True, timeout: float = 15) -> dict:
        """Send a sample event (``test: true``, ids null) to webhook ``id``; returns its delivery, after its first
        attempt when ``wait`` (``status`` delivered, or pending with ``last_error`` when the endpoint failed)."""
        delivery = self._call("POST", f"{self._item(id)}/test", json={"type": type})
        deadline, deliveries = time.monotonic() + timeout, self.deliveries(id)
        while wait and not delivery.get("attempts") and time.monotonic() < deadline:
            time.sleep(0.05)
            delivery = next((d for d in deliveries.iter(max_rows=100) if d["id"] == delivery["id"]), delivery)
        return delivery

    def deliveries(self, id: int) -> WebhookDeliveries:
        """The deliveries of webhook ``id``: ``.df()``, ``.list()``, ``.iter()`` as for any resource."""
        return WebhookDeliveries(self._client, id)
