"""Webhook events for transactional email, and their signed delivery with retries, off the request path.

:func:`emit_for_message` (called once per transactional send) decides which events a message produces, by
deterministic rules: a message that never left (refused, suppressed, rejected) gives ``email.failed`` (with its
failure code, reason and category); a message that failed because the recipient's server bounced it (failure code
``hard_bounce`` or ``mailbox_full``) was accepted first, so it gives ``email.sent`` then ``email.bounced`` (never
``email.failed``); otherwise ``email.sent`` then, by the recipient's local part, ``bounce`` -> ``email.bounced``
(hard), ``complain`` -> ``email.delivered`` + ``email.complained``, ``click`` -> delivered, opened and clicked,
``open`` -> delivered and opened; any other address is delivered and then opened and clicked by a stable hash of
the message against the ``engagement_rates`` knob (opens and clicks only while the brand tracks them). Each event
becomes one ``pending`` delivery per enabled endpoint of the message's brand subscribed to it.

:class:`WebhookDispatcher` POSTs pending deliveries from a background thread in the Standard Webhooks format
(``webhook-id`` = the event id, ``webhook-timestamp``, ``webhook-signature: v1,<HMAC-SHA256>``). A 2xx within
10 s acknowledges; anything else is retried after 1 min, 5 min, 30 min, 2 h, 8 h and 24 h, and an endpoint
failing for 3 days is disabled: all of it ``webhook_time_scale`` times faster than real time (60 by default).
Timestamps in the records are on the sandbox's clock: an attempt is stamped at its scheduled offset from the
event, so records read the same however fast the schedule ran.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

from standardwebhooks.webhooks import Webhook

from ..._version import __version__
from ..state import SandboxState
from ..store import iso, parse_iso
from .delivery import captured_email
from .webhook_targets import refusal, url_problem

logger = logging.getLogger("nitrosend_nb.sandbox")

#: Every event type, in the spec's order (the request bodies of /webhooks accept exactly these).
EVENTS = (
    "email.sent",
    "email.delivered",
    "email.bounced",
    "email.complained",
    "email.opened",
    "email.clicked",
    "email.failed",
    "email.received",
)
RETRY_SCHEDULE = (60, 300, 1800, 7200, 28800, 86400)  # seconds after the 1st, 2nd, ... failed attempt
DISABLE_AFTER = 3 * 86400  # an endpoint failing this long (service time) is disabled
ACK_TIMEOUT = 10  # seconds (real time) an endpoint has to answer
#: Seconds after the send at which each event happens (on the sandbox clock).
OFFSETS = {
    "email.sent": 0,
    "email.failed": 0,
    "email.delivered": 2,
    "email.bounced": 2,
    "email.opened": 60,
    "email.clicked": 90,
    "email.complained": 120,
}
SAMPLE_BOUNCE = {"type": "hard", "subtype": "general", "diagnostic": "smtp; 550 5.1.1 user unknown"}
SAMPLE_COMPLAINT = {"feedback_type": "abuse"}
#: A failed message's failure code -> the (type, subtype) of its ``email.bounced`` event.
BOUNCE_KINDS = {"hard_bounce": ("hard", "general"), "mailbox_full": ("soft", "mailbox_full")}
SAMPLE_FAILURE = {"code": "provider_error", "reason": "the provider refused the message", "category": "provider"}


def _draw(message: dict, what: str) -> float:
    """A stable pseudo-random number in [0, 1) for one message and one decision."""
    digest = hashlib.sha256(f"{message['id']}:{message['to']}:{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def send_event(message: dict) -> str:
    """The event of a transactional email's send: ``email.failed`` for one that never left, ``email.sent`` for one
    handed to the provider, including one bounced afterwards (its ``email.bounced`` follows)."""
    if message.get("status") == "failed" and message.get("failure_code") not in BOUNCE_KINDS:
        return "email.failed"
    return "email.sent"


def outcome(message: dict, brand: dict, rates: dict) -> list[str]:
    """The event types a transactional email produces, in the order they happen (see the module docstring)."""
    if message.get("status") == "failed":
        first = send_event(message)
        return [first] if first == "email.failed" else [first, "email.bounced"]
    local = re.split(r"[+@]", message["to"].lower(), maxsplit=1)[0]
    ruled = any(word in local for word in ("bounce", "complain", "open", "click"))
    if "bounce" in local or (not ruled and _draw(message, "bounce") < rates["bounce"]):
        return ["email.sent", "email.bounced"]
    events = ["email.sent", "email.delivered"]
    if "complain" in local:
        return [*events, "email.complained"]
    opened = "open" in local or "click" in local or (not ruled and _draw(message, "open") < rates["open"])
    clicked = "click" in local or (not ruled and opened and _draw(message, "click") < rates["click"])
    tracks_opens, tracks_clicks = brand.get("email_track_opens", True), brand.get("email_track_clicks", True)
    return (
        events
        + (["email.opened"] if opened and tracks_opens else [])
        + (["email.clicked"] if clicked and tracks_clicks else [])
    )


def first_link(html: str | None) -> str | None:
    """The first http(s) link of an email's HTML: where its ``email.clicked`` event says the click went."""
    match = re.search(r'href="(https?://[^"]+)"', html or "")
    return match.group(1) if match else None


def _sent_link(state: SandboxState, message_id: int) -> str | None:
    email = captured_email(state, message_id)
    return first_link(email["html"]) if email else None


def _at(start: str, seconds: float) -> str:
    return iso(parse_iso(start) + timedelta(seconds=seconds))


def signing_secret(raw: bytes) -> str:
    """An endpoint's signing secret: ``whsec_`` and the base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(raw).decode()


def event_payload(event_type: str, timestamp: str, data: dict) -> dict:
    """The JSON body of one event."""
    return {"type": event_type, "timestamp": timestamp, "data": data}


def _event_id(*parts: object) -> str:
    return "evt_" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]


def subscribers(state: SandboxState, brand_id: int, event_types: list[str]) -> dict[str, list[dict]]:
    """Each of ``event_types`` -> the enabled endpoints of brand ``brand_id`` subscribed to it (by the record's
    brand, not a request's: this also runs for records made outside requests); one query for all of them."""
    enabled = [
        hook for hook in state.store.query("webhooks", "brand_id = ?", (brand_id,), order="id ASC") if hook["enabled"]
    ]
    return {event_type: [hook for hook in enabled if event_type in hook["events"]] for event_type in event_types}


def delivery_doc(hook: dict, event_id: str, payload: dict, test: bool = False) -> dict:
    """A ``pending`` delivery record of ``payload`` to ``hook``, created at the event's timestamp."""
    stamp = payload["timestamp"]
    return {
        "brand_id": hook["brand_id"],
        "webhook_id": hook["id"],
        "event_id": event_id,
        "event_type": payload["type"],
        "status": "pending",
        "attempts": 0,
        "last_response_status": None,
        "last_error": None,
        "next_attempt_at": stamp,
        "payload": payload,
        "test": test,
        "created_at": stamp,
        "updated_at": stamp,
    }


def queue_delivery(state: SandboxState, hook: dict, event_id: str, payload: dict, test: bool = False) -> dict:
    """Record one pending delivery of ``payload`` to ``hook`` and wake the dispatcher."""
    doc = state.store.insert("webhook_deliveries", delivery_doc(hook, event_id, payload, test))
    state.webhooks.kick()
    return doc


def emits_events(message: dict) -> bool:
    """Whether ``message`` produces webhook events: transactional email only."""
    return message.get("channel") == "email" and message.get("source_type") is None


def _bounce(message: dict) -> dict:
    """The ``bounce`` of an ``email.bounced`` event: from the message's failure when it has one (seeded history),
    else the sample hard bounce."""
    kind = BOUNCE_KINDS.get(message.get("failure_code"))
    return (
        SAMPLE_BOUNCE
        if kind is None
        else {"type": kind[0], "subtype": kind[1], "diagnostic": message["failure_reason"]}
    )


def message_events(
    message: dict, types: list[str], *, url: str | None = None, moments: dict[str, str] | None = None
) -> list[tuple[str, dict]]:
    """The ``(event id, payload)`` of each event of ``types`` for one transactional email (a pure function):
    ``moments`` maps an event type to when it happened (default: :data:`OFFSETS` after the send), ``url`` is where
    its ``email.clicked`` went."""
    sent_at = message.get("sent_at") or message["created_at"]
    base = {
        "message_id": message["id"],
        "to": message["to"],
        "subject": message.get("subject"),
        "idempotency_key": message.get("idempotency_key"),
        "tags": message.get("tags") or {},
        "sent_at": sent_at,
    }
    failure = {
        "code": message.get("failure_code"),
        "reason": message.get("failure_reason"),
        "category": message.get("failure_category"),
    }
    extras = {
        "email.bounced": {"bounce": _bounce(message)},
        "email.complained": {"complaint": SAMPLE_COMPLAINT},
        "email.failed": {"failure": failure},
        "email.clicked": {"url": url},
    }
    events = []
    for event_type in types:
        data = dict(base, **extras.get(event_type, {}))
        moment = moments[event_type] if moments else _at(sent_at, OFFSETS[event_type])
        events.append((_event_id(message["id"], event_type, sent_at), event_payload(event_type, moment, data)))
    return events


def emit_for_message(state: SandboxState, message: dict) -> None:
    """Queue the webhook events of one send (transactional email only; everything else emits nothing) to the
    endpoints of the message's brand."""
    if not emits_events(message):
        return
    brand = state.store.get("brands", message["brand_id"])
    types = outcome(message, brand, state.knobs.engagement_rates())
    hooks = subscribers(state, message["brand_id"], types)
    if not any(hooks.values()):
        return
    url = (_sent_link(state, message["id"]) or brand.get("source_url")) if "email.clicked" in types else None
    for event_id, payload in message_events(message, types, url=url):
        for hook in hooks[payload["type"]]:
            queue_delivery(state, hook, event_id, payload)


def test_payload(event_type: str, now: str) -> dict:
    """A sample event (``data.test: true``, ids null) for ``POST /webhooks/{id}/test``."""
    data = {
        "message_id": None,
        "to": "recipient@example.com",
        "subject": "Nitrosend test event",
        "idempotency_key": None,
        "tags": {},
        "test": True,
        "sent_at": now,
    }
    if event_type in ("email.bounced", "email.complained", "email.failed", "email.clicked"):
        data.update(
            {
                "email.bounced": {"bounce": SAMPLE_BOUNCE},
                "email.complained": {"complaint": SAMPLE_COMPLAINT},
                "email.failed": {"failure": SAMPLE_FAILURE},
                "email.clicked": {"url": "https://example.com/"},
            }[event_type]
        )
    return event_payload(event_type, now, data)


def test_event_id(webhook_id: int, now: str) -> str:
    """The event id of a test event."""
    return _event_id("test", webhook_id, now)


def signed_headers(secret: str, event_id: str, body: str) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` (signed with the ``standardwebhooks`` package)."""
    moment = datetime.now(timezone.utc)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, moment, body),
        "Content-Type": "application/json",
        "User-Agent": f"Nitrosend-Webhooks/sandbox nitrosend-nb/{__version__}",
    }


class WebhookDispatcher:
    """Delivers pending webhook deliveries in background threads and retries them on the compressed schedule."""

    def __init__(self, state: SandboxState, workers: int = 4) -> None:
        self.state = state
        self._workers = workers
        self._wake = threading.Condition()
        self._kicked = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._session: Any = None  # a requests.Session, made with the thread (see :meth:`kick`)
        self._due: dict[int, float] = {}  # delivery id -> monotonic time of its next attempt
        self._in_flight: set[int] = set()
        self._failing: dict[tuple[int, str], float] = {}  # (webhook id, failing_since) -> monotonic first seen

    # -- control ------------------------------------------------------------------------------------------
    def kick(self) -> None:
        """Wake the dispatcher (new deliveries were queued); starts it on first use."""
        if self._stopping.is_set():
            return
        with self._wake:
            if self._thread is None:
                # requests is imported only once there is something to deliver, so importing the sandbox (and
                # the nitrosend-nb command) stays free of the HTTP client.
                import requests

                from .webhook_transport import CheckedAdapter

                self._session = requests.Session()
                self._session.trust_env = False  # no proxy: the address policy must see where a delivery goes
                for scheme in ("http://", "https://"):
                    self._session.mount(scheme, CheckedAdapter())
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="nitrosend-webhook")
                self._thread = threading.Thread(target=self._loop, name="nitrosend-webhooks", daemon=True)
                self._thread.start()
            self._kicked = True
            self._wake.notify()

    def resume(self) -> None:
        """Start delivering what a --db store left pending."""
        if self.state.store.count("webhook_deliveries", "status = 'pending'"):
            self.kick()

    def forget(self) -> None:
        """Drop the schedule (the store was reseeded)."""
        with self._wake:
            self._due.clear()
            self._failing.clear()

    def stop(self) -> None:
        """Stop delivering; attempts in flight are abandoned (their deliveries stay pending)."""
        self._stopping.set()
        with self._wake:
            self._wake.notify()
            thread, pool = self._thread, self._pool
        if thread is not None:
            thread.join(5)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if self._session is not None:
            self._session.close()

    # -- the loop -----------------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                wait = self._tick()
            except Exception:  # the store closed under us during shutdown, or a reset raced a query
                if self._stopping.is_set():
                    return
                logger.exception("webhook dispatcher")
                wait = 0.5
            with self._wake:
                if not self._kicked and not self._stopping.is_set():
                    self._wake.wait(wait)
                self._kicked = False

    def _tick(self) -> float:
        """Start every due attempt, disable endpoints failing too long; return seconds until the next due."""
        store, now = self.state.store, time.monotonic()
        scale = self.state.knobs.webhook_time_scale
        next_due = 1.0
        for hook in store.query("webhooks", "json_extract(doc, '$.status') = 'failing'"):
            first = self._failing.setdefault((hook["id"], hook["failing_since"]), now)
            left = first + DISABLE_AFTER / scale - now
            if left <= 0:
                self._disable(hook["id"], hook["failing_since"])
            else:
                next_due = min(next_due, left)
        for row in store.query("webhook_deliveries", "status = 'pending'", order="id ASC"):
            ident = row["id"]
            with self._wake:
                if ident in self._in_flight:
                    continue
                due = self._due.setdefault(ident, now + max(0.0, row.get("retry_at_unix", 0) - time.time()))
                if due > now:
                    next_due = min(next_due, due - now)
                    continue
                self._in_flight.add(ident)
            self._pool.submit(self._attempt, ident)
        return max(0.0, next_due)

    def _disable(self, webhook_id: int, failing_since: str) -> None:
        store = self.state.store
        with store.atomic():
            hook = store.get("webhooks", webhook_id)
            if hook is None or hook["status"] != "failing" or hook["failing_since"] != failing_since:
                return
            stamp = _at(failing_since, DISABLE_AFTER)
            hook.update(status="disabled", enabled=False, updated_at=stamp)
            store.replace("webhooks", hook)
            for row in store.query("webhook_deliveries", "webhook_id = ? AND status = 'pending'", (webhook_id,)):
                row.update(
                    status="failed",
                    next_attempt_at=None,
                    updated_at=stamp,
                    last_error="endpoint disabled: it failed for 3 days",
                )
                store.replace("webhook_deliveries", row)

    # -- one attempt --------------------------------------------------------------------------------------
    def _attempt(self, delivery_id: int) -> None:
        try:
            self._deliver(delivery_id)
        except Exception:
            if not self._stopping.is_set():
                logger.exception("webhook delivery %s", delivery_id)
        finally:
            with self._wake:
                self._in_flight.discard(delivery_id)
                self._kicked = True
                self._wake.notify()

    def _deliver(self, delivery_id: int) -> None:
        store = self.state.store
        delivery = store.get("webhook_deliveries", delivery_id)
        hook = store.get("webhooks", delivery["webhook_id"]) if delivery else None
        if delivery is None or delivery["status"] != "pending":
            return
        if hook is None or not (hook["enabled"] or delivery["test"]):
            self._record(delivery_id, None, "endpoint disabled or deleted", final=True)
            return
        if problem := url_problem(hook["url"]):  # checked again: the name may resolve elsewhere by now
            self._record(delivery_id, None, f"not delivered: the URL {problem}")
            return
        body = json.dumps(delivery["payload"], separators=(",", ":"))
        headers = signed_headers(hook["secret"], delivery["event_id"], body)
        import requests  # already loaded by kick()

        try:
            response = self._session.post(
                hook["url"], data=body.encode(), headers=headers, timeout=ACK_TIMEOUT, allow_redirects=False
            )
            status, error = (
                response.status_code,
                None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
            )
            response.close()
        except requests.Timeout:
            status, error = None, f"no answer within {ACK_TIMEOUT} s"
        except requests.RequestException as exc:  # the address policy's refusal, or the endpoint's
            status, error = (
                None,
                refusal(exc) or ("connection refused" if "refused" in str(exc).lower() else type(exc).__name__),
            )
        self._record(delivery_id, status, error)

    def _record(self, delivery_id: int, status: int | None, error: str | None, final: bool = False) -> None:
        """Store an attempt's outcome on the delivery and its endpoint, and schedule the retry if any."""
        store = self.state.store
        with store.atomic():
            delivery = store.get("webhook_deliveries", delivery_id)
            if delivery is None or delivery["status"] != "pending":
                return
            attempts = delivery["attempts"] + 1
            stamp = _at(delivery["created_at"], sum(RETRY_SCHEDULE[: attempts - 1]))
            retry = error is not None and not final and attempts <= len(RETRY_SCHEDULE)
            delivery.update(
                attempts=attempts,
                last_response_status=status,
                last_error=error,
                updated_at=stamp,
                status="delivered" if error is None else "pending" if retry else "failed",
                next_attempt_at=_at(delivery["created_at"], sum(RETRY_SCHEDULE[:attempts])) if retry else None,
            )
            wait = RETRY_SCHEDULE[attempts - 1] / self.state.knobs.webhook_time_scale if retry else 0.0
            # The retry's real moment, kept with the delivery: a --db sandbox restarted before it keeps the schedule.
            delivery["retry_at_unix"] = time.time() + wait
            store.replace("webhook_deliveries", delivery)
            hook = store.get("webhooks", delivery["webhook_id"])
            if hook is not None and not final:
                hook["last_delivery"] = {
                    "event_id": delivery["event_id"],
                    "event_type": delivery["event_type"],
                    "status": delivery["status"],
                    "response_status": status,
                    "attempted_at": stamp,
                }
                if error is None and hook["status"] == "failing":
                    hook.update(status="active", failing_since=None)
                elif error is not None and hook["status"] == "active":
                    hook.update(status="failing", failing_since=stamp)
                store.replace("webhooks", hook)
        with self._wake:
            if retry:
                self._due[delivery_id] = time.monotonic() + wait
            else:
                self._due.pop(delivery_id, None)
