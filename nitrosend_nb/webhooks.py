"""Receiving Nitrosend webhooks: :func:`verify_webhook` and a small local receiver for notebooks.

Every event arrives as a POST signed in the Standard Webhooks format. :func:`verify_webhook` checks it with the
``standardwebhooks`` package (signature over ``id.timestamp.body`` with the endpoint's ``whsec_`` secret, and a
5-minute timestamp tolerance) and raises :class:`~nitrosend_nb.errors.WebhookVerificationError` otherwise.

:func:`webhook_listener` starts a :class:`WebhookListener`: an HTTP server in a background thread that verifies
each POST, answers 204 (401 when verification fails, so the sender retries), ignores a repeated event id, and
collects the events into a DataFrame::

    with nb.webhook_listener() as listener:  # http://127.0.0.1:PORT/webhooks
        hook = ns.webhooks.create(listener.url, ["email.delivered", "email.opened"])
        listener.secret = hook["secret"]
        ns.messages.send(to="open@example.com", subject="Hi", html="<p>Hi</p>")  # sandbox: delivered, opened
        listener.wait_for(2, timeout=10)  # the events, as a DataFrame

The sandbox accepts this loopback URL; the real service delivers only to public HTTPS URLs. To receive live
events, run the same code on a machine the internet can reach, bound to all interfaces
(``nb.webhook_listener(host="0.0.0.0", port=8080)``) behind an HTTPS reverse proxy or tunnel that forwards
``https://hooks.example.com/webhooks`` to it, and register that public URL. In a web framework, call
``verify_webhook(raw_body_bytes, request.headers, secret)`` in the handler instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as _LibraryError

from nitrosend_nb.client.backends import DEFAULT_BACKEND, records_frame
from nitrosend_nb.client.frames import WEBHOOK_EVENTS
from nitrosend_nb.client.resources.webhooks import event_fields
from nitrosend_nb.errors import WebhookVerificationError
from nitrosend_nb.redaction import redact

__all__ = ["verify_webhook", "webhook_listener", "WebhookListener"]

MAX_BODY = 1024 * 1024  # bytes of one delivery; a larger one is refused (413) unread
READ_TIMEOUT = 10.0  # seconds a connection may sit idle (headers or body half sent) before it is closed
MAX_CONNECTIONS = 32  # connections served at once (one thread each); more are closed at once, and senders retry
_REASONS = {
    "Missing required headers": "missing webhook-id, webhook-timestamp or webhook-signature header",
    "Message timestamp too old": "webhook-timestamp is more than 5 minutes old (a replay, or a clock that is off)",
    "Message timestamp too new": "webhook-timestamp is more than 5 minutes in the future (a clock that is off)",
    "No matching signature found": "the signature does not match: wrong secret, or the body was changed on the way",
    "Invalid Signature Headers": "webhook-timestamp is not a number",
}


def verify_webhook(body: bytes | str, headers: Mapping[str, str], secret: str) -> dict:
    """Verify one received webhook and return its event ``{type, timestamp, data}``.

    ``body`` must be the raw bytes as received (not re-serialised JSON); ``headers`` any mapping (names are
    matched case-insensitively). Raises WebhookVerificationError on a missing header, a bad signature, a
    timestamp outside 5 minutes, a secret that is not ``whsec_``+base64, or a body that is not a JSON event.
    The error leads back to no secret: no chained exception, and no frame of its traceback holds it (what a
    traceback printed with locals, as IPython's verbose mode does, would show).
    """
    event, problem = _verified(body, headers, secret)
    del secret  # this frame is the traceback's last one: it must not hold the secret
    if problem is not None:
        raise WebhookVerificationError(message=f"webhook rejected: {problem}")
    return event


def _verified(body: bytes | str, headers: Mapping[str, str], secret: str) -> tuple[dict, str | None]:
    """The verified event, or why the webhook is refused. Never raises, so neither this frame (which holds the
    secret) nor the library's reach a traceback or an exception's context."""
    try:
        event = Webhook(secret).verify(body, {str(k).lower(): v for k, v in headers.items()})
    except _LibraryError as exc:
        return {}, redact(_REASONS.get(str(exc), str(exc)), [secret])
    except ValueError:  # bad base64 in the secret or a header, or a body that is not JSON
        return {}, "malformed secret, signature or body"
    except Exception:  # e.g. the library's EmptyWebhookSecretError
        return {}, "the secret is empty or malformed"
    if not isinstance(event, dict) or "type" not in event:
        return {}, "the body is not a webhook event"
    return event, None


class WebhookListener:
    """A local webhook receiver (see the module docstring). ``secret`` may be set after start (events arriving
    before it are refused with 401 and retried by the sender). ``events`` holds each verified event once, with
    its ``event_id``; ``rejected`` the reasons of refused requests."""

    def __init__(
        self, secret: str | None = None, *, host: str = "127.0.0.1", port: int = 0, path: str = "/webhooks"
    ) -> None:
        self.secret = secret
        self.path = "/" + path.strip("/")
        self.events: list[dict] = []
        self.rejected: list[str] = []
        self._seen: set[str] = set()
        self._arrived = threading.Condition()
        self._server = _BoundedServer((host, port), self._handler())
        self.host, self.port = host, self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where to point a webhook: ``http://HOST:PORT/webhooks``."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}{self.path}"

    def __repr__(self) -> str:
        state = "running" if self._thread is not None else "stopped"
        return f"<WebhookListener {self.url} {state}: {len(self.events)} events, {len(self.rejected)} rejected>"

    # -- lifecycle --------------------------------------------------------------------------------------
    def start(self) -> WebhookListener:
        """Serve in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"nitrosend-webhook-listener-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (the events stay readable)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> WebhookListener:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- receiving ----------------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            timeout = READ_TIMEOUT  # the socket's: a sender that stops halfway frees its thread

            def do_POST(self) -> None:  # http.server's naming
                length = _content_length(self.headers.get("Content-Length"))
                if length is None:
                    self._refuse(400, "Content-Length must be a whole number of bytes")
                    return
                if length > MAX_BODY:
                    self._refuse(413, f"a webhook body may be at most {MAX_BODY} bytes")
                    return
                if self.path.split("?")[0] != listener.path:
                    self._refuse(404, "not a webhook endpoint")
                    return
                body = self.rfile.read(length)
                if len(body) < length:  # the sender hung up mid-body
                    self.close_connection = True
                    return
                status, answer = listener.receive(body, dict(self.headers.items()))
                self._answer(status, answer)

            def _refuse(self, status: int, reason: str) -> None:
                """Answer without reading the body; the connection closes after the answer."""
                self.close_connection = True
                self._answer(status, {"error": reason})

            def _answer(self, status: int, answer: dict | None) -> None:
                body = json.dumps(answer).encode() if answer else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:  # quiet: a notebook is not a server log
                pass

        return Handler

    def receive(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, dict | None]:
        """Verify and collect one delivery; returns the (status, JSON answer) the sender gets."""
        if not self.secret:
            reason = "no secret set yet: assign listener.secret = the webhook's secret"
            with self._arrived:
                self.rejected.append(reason)
            return 401, {"error": reason}
        try:
            event = verify_webhook(body, headers, self.secret)
        except WebhookVerificationError as exc:
            with self._arrived:
                self.rejected.append(exc.message)
            return 401, {"error": exc.message}
        event_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self._arrived:
            if event_id not in self._seen:  # a retry of an event already received: acknowledge, keep one
                self._seen.add(event_id)
                self.events.append({"event_id": event_id, **event})
                self._arrived.notify_all()
        return 204, None

    # -- reading ------------------------------------------------------------------------------------------
    def df(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """The events received so far, indexed by ``event_id``, ordered by (timestamp, message_id, type), with
        payload fields flattened (type, timestamp, message_id, to, subject, url, bounce_type, ...; a reply's
        ``email.received`` adds from, text, html, truncated, auto_submitted, attachments, conversation_id,
        conversation_message_id and received_at)."""
        with self._arrived:
            events = list(self.events)
        rows = [{"event_id": e["event_id"], **event_fields(e)} for e in events]
        frame = records_frame(rows, WEBHOOK_EVENTS, dtype_backend)
        order = {name: i for i, name in enumerate(WEBHOOK_EVENTS.columns["type"].categories)}
        keys = pd.DataFrame(
            {"t": frame["timestamp"], "m": frame["message_id"], "k": frame["type"].map(order).astype("Int64")},
            index=frame.index,
        )
        return frame.loc[keys.sort_values(["t", "m", "k"], kind="stable").index]

    def wait_for(self, count: int, timeout: float = 10, *, types: Iterable[str] | None = None) -> pd.DataFrame:
        """Block until at least ``count`` events (of ``types``, if given) have arrived, then return :meth:`df`;
        TimeoutError (saying how many came) after ``timeout`` seconds."""
        wanted = set(types) if types is not None else None
        deadline = time.monotonic() + timeout

        def arrived() -> int:
            return sum(1 for e in self.events if wanted is None or e.get("type") in wanted)

        with self._arrived:
            while arrived() < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"received {arrived()} of {count} webhook events within {timeout:g} s "
                        f"({len(self.rejected)} rejected)"
                    )
                self._arrived.wait(left)
        return self.df()

    def clear(self) -> None:
        """Forget the events and rejections received so far."""
        with self._arrived:
            self.events.clear()
            self.rejected.clear()
            self._seen.clear()


def _content_length(value: str | None) -> int | None:
    """A request's body length from its Content-Length header (none: 0), or None when the header is not a whole
    number (``-1``, ``abc``, thousands of digits)."""
    if value is None:
        return 0
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class _BoundedServer(ThreadingHTTPServer):
    """http.server's threading server with at most :data:`MAX_CONNECTIONS` connections (threads) at once: one
    more is closed as soon as it is accepted, so half-open connections cannot pile up threads."""

    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS  # the listen backlog: a burst of deliveries is accepted, not made to wait

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: its slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def webhook_listener(
    secret: str | None = None, *, host: str = "127.0.0.1", port: int = 0, path: str = "/webhooks"
) -> WebhookListener:
    """Start and return a :class:`WebhookListener` (use it in ``with``, or call ``stop()``)."""
    return WebhookListener(secret, host=host, port=port, path=path).start()
