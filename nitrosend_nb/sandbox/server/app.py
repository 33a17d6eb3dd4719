"""The FastAPI application: /v1/my routes behind auth and the rehearsal knobs, /_sandbox control endpoints,
and error handlers that keep every failure in the API's JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from .. import errors
from ..state import SandboxState
from . import list_pages
from .gate import ApiGate
from .inbox import routes as inbox
from .routes import add_list_routes, admin, api_router, images, imports


def create_app(state: SandboxState, reset: Callable[[], None]) -> FastAPI:
    """A FastAPI app serving ``state``; ``POST /_sandbox/reset`` calls ``reset`` (the runner's reseed)."""
    app = FastAPI(
        title="Nitrosend sandbox",
        version="1.0.0",
        description="A local, stateful stand-in for the Nitrosend REST API (`/v1/my`). "
        "Authenticate with `Authorization: Bearer <sandbox key>`. Reading `/_sandbox/*` needs no "
        "key; changing it (POST/DELETE) needs the same Bearer key and a JSON body. Webhook "
        "URLs may be http://127.0.0.1 or localhost here (the real service accepts only public "
        "HTTPS URLs).",
    )
    app.state.sandbox, app.state.reset, app.state.pages = state, reset, list_pages.PageMemo()
    errors.install(app)
    add_list_routes(app)
    app.include_router(api_router())
    app.include_router(imports.uploads_router)
    app.include_router(images.blobs_router)
    app.include_router(admin.router)
    app.include_router(inbox.router)
    app.include_router(inbox.pages)
    app.add_middleware(ApiGate, state=state)
    return app
