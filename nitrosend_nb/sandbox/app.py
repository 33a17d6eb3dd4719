"""The FastAPI application: /v1/my routes behind auth and the rehearsal knobs, /_sandbox control endpoints,
and error handlers that keep every failure in the API's JSON error shape."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import errors
from .errors import error_response
from .routes import API_PREFIX, admin, api_router
from .state import SandboxState


def _authorized(request: Request, api_key: str) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


def create_app(state: SandboxState) -> FastAPI:
    """A FastAPI app serving ``state``."""
    app = FastAPI(title="Nitrosend sandbox", version="1.0.0",
                  description="A local, stateful stand-in for the Nitrosend REST API (`/v1/my`). "
                              "Authenticate with `Authorization: Bearer <sandbox key>`; `/_sandbox/*` needs no key.")
    app.state.sandbox = state
    errors.install(app)
    app.include_router(api_router())
    app.include_router(admin.router)

    @app.middleware("http")
    async def api_gate(request: Request, call_next) -> Response:
        """Latency, rate limit, injected and random faults, then auth, for every /v1/my request."""
        path = request.url.path
        if not path.startswith(API_PREFIX + "/") and path != API_PREFIX:
            return await call_next(request)
        knobs, method = state.knobs, request.method
        api_path = path[len(API_PREFIX):] or "/"
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000)
        retry_after = knobs.retry_after()
        if retry_after:
            return error_response(429, f"Rate limit exceeded; retry in {retry_after} s",
                                  headers={"Retry-After": str(retry_after)})
        fault = knobs.take_fault("before", method, path, api_path)
        if fault:
            return error_response(fault.status, "Injected fault: the request was not processed")
        if knobs.random_failure():
            return error_response(503, "Service temporarily unavailable (sandbox error_rate)")
        if not _authorized(request, state.api_key):
            return error_response(401, "Invalid or missing API key",
                                  headers={"WWW-Authenticate": 'Bearer realm="nitrosend"'})
        response = await call_next(request)
        fault = knobs.take_fault("after", method, path, api_path)
        if fault:
            return error_response(fault.status, "Injected fault: the request was processed but its response lost")
        return response

    return app
