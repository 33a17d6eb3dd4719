"""The ASGI gate in front of every /v1/my request: latency, rate limit, injected and random faults, then the
Bearer key check; after processing, ``when="after"`` faults replace the (already produced) response. Every
/v1/my response, refusals included, carries an ``X-Request-Id``."""

from __future__ import annotations

import asyncio
import hmac
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response
from .state import SandboxState

API_PREFIX = "/v1/my"


def _bearer_matches(scope: Scope, api_key: str) -> bool:
    headers = dict(scope.get("headers") or [])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


def _with_request_id(send: Send) -> Send:
    """``send`` adding a fresh ``X-Request-Id`` header to the response it starts."""
    header = (b"x-request-id", f"req_{uuid.uuid4().hex}".encode())

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)

    return send_with_id


class ApiGate:
    """Pure ASGI middleware (no per-request task or stream overhead) applying the sandbox's knobs."""

    def __init__(self, app: ASGIApp, state: SandboxState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        send = _with_request_id(send)
        knobs, method = self.state.knobs, scope["method"]
        api_path = path[len(API_PREFIX):] or "/"
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000)
        refusal = None
        retry_after = knobs.retry_after()
        if retry_after:
            refusal = error_response(429, f"Rate limit exceeded; retry in {retry_after} s",
                                     headers={"Retry-After": str(retry_after)})
        elif fault := knobs.take_fault("before", method, path, api_path):
            refusal = error_response(fault.status, "Injected fault: the request was not processed")
        elif knobs.random_failure():
            refusal = error_response(503, "Service temporarily unavailable (sandbox error_rate)")
        elif not _bearer_matches(scope, self.state.api_key):
            refusal = error_response(401, "Invalid or missing API key",
                                     headers={"WWW-Authenticate": 'Bearer realm="nitrosend"'})
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if not knobs.has_faults("after"):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        fault = knobs.take_fault("after", method, path, api_path)
        if fault:
            lost = error_response(fault.status, "Injected fault: the request was processed but its response lost")
            await lost(scope, receive, send)
            return
        for message in held:
            await send(message)
