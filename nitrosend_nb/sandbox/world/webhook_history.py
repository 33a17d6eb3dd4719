"""The roastery's seeded webhook endpoint and the deliveries it received, replayed from the world's transactional
emails.

The endpoint (:data:`URL`, every ``email.*`` event) was added on :data:`CREATED` and switched off on
:data:`DISABLED`, before the demo year ended: it is seeded ``enabled: false`` with status ``disabled``. That keeps
the sandbox quiet and honest: the background dispatcher only attempts ``pending`` deliveries and every seeded one
is ``delivered``, and live sends queue deliveries only to enabled endpoints, so nothing ever tries to reach
``hooks.acme.test`` (a ``.test`` host that does not exist). Re-enabled with PATCH, it gets live sends' events like
any endpoint: they fail, are retried, and the endpoint is disabled again after 3 days of failures.

Each transactional email gives the events :func:`..engine.webhook_delivery.emit_for_message` would have queued,
built by the same :func:`..engine.webhook_delivery.message_events`, at the moments the world decided: at the send
``email.sent``, or ``email.failed`` for a message that never left (:func:`..engine.webhook_delivery.send_event`: a
bounced message was accepted, so it has ``email.sent`` and then its ``email.bounced``, as a live send has), then one
event per entry of its
``engagement`` list (delivered, opened, clicked, bounced, complained). Every event that happened while the
endpoint was on has one ``delivered`` record (one attempt, HTTP 200), in time order.
"""

from __future__ import annotations

import heapq
import random

from ...rendering.content import render_email
from ..engine.webhook_delivery import (
    EVENTS,
    delivery_doc,
    emits_events,
    first_link,
    message_events,
    send_event,
    signing_secret,
)
from .simulation import at, stamp

URL = "https://hooks.acme.test/nitrosend"
CREATED = (2026, 8, 3, 10)  # (year, month, day, hour), UTC
DISABLED = (2026, 10, 29, 16)


def hook_window(webhook_id: int, brand_id: int) -> dict:
    """What the deliveries need of the seeded endpoint: its id, brand and the moments it was on (``created_at``
    to ``updated_at``)."""
    return {
        "id": webhook_id,
        "brand_id": brand_id,
        "created_at": stamp(at(*CREATED)),
        "updated_at": stamp(at(*DISABLED)),
    }


def endpoint_doc(rng: random.Random, window: dict) -> dict:
    """The seeded endpoint of ``window`` (see :func:`hook_window`; its secret drawn from ``rng``), disabled, with the
    ``last_delivery`` its :class:`Deliveries` gave it."""
    return {
        "id": window["id"],
        "brand_id": window["brand_id"],
        "url": URL,
        "events": list(EVENTS),
        "enabled": False,
        "status": "disabled",
        "failing_since": None,
        "secret": signing_secret(rng.getrandbits(192).to_bytes(24, "big")),
        "last_delivery": window.get("last_delivery"),
        "created_at": window["created_at"],
        "updated_at": window["updated_at"],
    }


def links(templates: list[dict], fallback: str) -> dict[int, str]:
    """Template id -> the first link of its rendered email (``fallback`` for one without links): where a click on
    a transactional email went."""
    return {template["id"]: first_link(render_email(template, None).html) or fallback for template in templates}


class Deliveries:
    """The delivered records of the events of a brand's messages while ``hook`` was on, made as each message is
    final (:meth:`add`, in id order) and handed out oldest first, with ids from ``first_id``: a message made
    later has no event before its own making, so every record earlier than that is in its final place. The
    hook's ``last_delivery`` follows the last one handed out."""

    def __init__(self, hook: dict, urls: dict[int, str], first_id: int) -> None:
        self.hook, self.urls, self.next_id = hook, urls, first_id
        self.waiting: list[tuple] = []  # (timestamp, message id, order, event id, payload), a heap

    def add(self, message: dict) -> list[dict]:
        """Take one final message (with its id); the records now in their final place."""
        since, until = self.hook["created_at"], self.hook["updated_at"]
        if emits_events(message):
            sent = message.get("sent_at") or message["created_at"]
            moments = {send_event(message): sent}
            moments.update((f"email.{kind}", moment) for kind, moment in message["engagement"])
            if any(since <= moment < until for moment in moments.values()):
                url = self.urls.get(message.get("template_id"))
                events = message_events(message, list(moments), url=url, moments=moments)
                for order, (event_id, payload) in enumerate(events):
                    if since <= payload["timestamp"] < until:
                        heapq.heappush(self.waiting, (payload["timestamp"], message["id"], order, event_id, payload))
        return self._release(message["created_at"])

    def finish(self) -> list[dict]:
        """The records still waiting (every message is in)."""
        return self._release(None)

    def _release(self, before: str | None) -> list[dict]:
        docs = []
        while self.waiting and (before is None or self.waiting[0][0] < before):
            *_, event_id, payload = heapq.heappop(self.waiting)
            doc = delivery_doc(self.hook, event_id, payload)
            doc.update(status="delivered", attempts=1, last_response_status=200, next_attempt_at=None)
            doc["id"] = self.next_id
            self.next_id += 1
            docs.append(doc)
        if docs:
            last = docs[-1]
            self.hook["last_delivery"] = {
                "event_id": last["event_id"],
                "event_type": last["event_type"],
                "status": "delivered",
                "response_status": 200,
                "attempted_at": last["updated_at"],
            }
        return docs
