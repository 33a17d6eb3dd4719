"""The ASGI gate in front of every /v1/my request: latency, rate limit, injected and random faults, then the
Bearer key check; after processing, ``when="after"`` faults replace the (already produced) response."""

from __future__ import annotations

import asyncio
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response
from .state import SandboxState

API_PREFIX = "/v1/my"
#: Authenticated paths outside /v1/my (the real service serves direct uploads at /v1/direct_uploads).
OTHER_API_PATHS = ("/v1/direct_uploads",)


def _bearer_matches(scope: Scope, api_key: str) -> bool:
    headers = dict(scope.get("headers") or [])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


class ApiGate:
    """Pure ASGI middleware (no per-request task or stream overhead) applying the sandbox's knobs."""

    def __init__(self, app: ASGIApp, state: SandboxState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        in_api = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        if scope["type"] != "http" or not (in_api or path in OTHER_API_PATHS):
            await self.app(scope, receive, send)
            return
        knobs, method = self.state.knobs, scope["method"]
        api_path = (path[len(API_PREFIX):] or "/") if in_api else path
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
