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


def endpoint_doc(rng: random.Random, webhook_id: int, brand_id: int) -> dict:
    """The seeded endpoint (its secret drawn from ``rng``), disabled, no delivery yet."""
    return {
        "id": webhook_id,
        "brand_id": brand_id,
        "url": URL,
        "events": list(EVENTS),
        "enabled": False,
        "status": "disabled",
        "failing_since": None,
        "secret": signing_secret(rng.getrandbits(192).to_bytes(24, "big")),
        "last_delivery": None,
        "created_at": stamp(at(*CREATED)),
        "updated_at": stamp(at(*DISABLED)),
    }


def links(templates: list[dict], fallback: str) -> dict[int, str]:
    """Template id -> the first link of its rendered email (``fallback`` for one without links): where a click on
    a transactional email went."""
    return {template["id"]: first_link(render_email(template, None).html) or fallback for template in templates}


def deliveries(hook: dict, messages: list[dict], urls: dict[int, str]) -> list[dict]:
    """The delivered records of the events of ``messages`` (the brand's, with ids) while ``hook`` was on, oldest
    first, without ids; updates the hook's ``last_delivery``."""
    since, until = hook["created_at"], hook["updated_at"]
    found = []
    for message in messages:
        if not emits_events(message):
            continue
        sent = message.get("sent_at") or message["created_at"]
        moments = {send_event(message): sent}
        moments.update((f"email.{kind}", moment) for kind, moment in message["engagement"])
        if not any(since <= moment < until for moment in moments.values()):
            continue
        events = message_events(message, list(moments), url=urls.get(message.get("template_id")), moments=moments)
        for order, (event_id, payload) in enumerate(events):
            if since <= payload["timestamp"] < until:
                found.append((payload["timestamp"], message["id"], order, event_id, payload))
    found.sort(key=lambda item: item[:3])
    docs = []
    for *_, event_id, payload in found:
        doc = delivery_doc(hook, event_id, payload)
        doc.update(status="delivered", attempts=1, last_response_status=200, next_attempt_at=None)
        docs.append(doc)
    if docs:
        last = docs[-1]
        hook["last_delivery"] = {
            "event_id": last["event_id"],
            "event_type": last["event_type"],
            "status": "delivered",
            "response_status": 200,
            "attempted_at": last["updated_at"],
        }
    return docs
