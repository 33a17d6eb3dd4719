"""A shortcut past FastAPI's routing and dependency injection for the hottest requests: ``GET`` on a collection
served by the generic list endpoint of :func:`.resource_routes.register` (a page of contacts, events, ...).

FastAPI stays the one router: the first request for such a path goes through it as usual, and the list endpoint
then records that FastAPI sent this path to it (:func:`learn`). Later requests for the same path are answered by
the same resource method directly, with the same brand resolution (:func:`.dependencies.get_state`) and the same error
responses (an :class:`..errors.ApiError` as its JSON response; anything else reaches the app's 500 handler as
before). The edge checks and knobs of :mod:`.gate` run in front of it either way.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ApiError
from .dependencies import get_state

_LEARNED = "list_shortcuts"  # app.state attribute: {path: resource} for the paths learnt so far


def install(app: Any) -> None:
    """Put the shortcut in front of the FastAPI ``app``'s router (call before adding the middleware that must run
    first, such as the gate)."""
    learned: dict[str, Any] = {}
    setattr(app.state, _LEARNED, learned)
    app.add_middleware(ListShortcut, learned=learned)


def learn(request: Request, resource: Any) -> None:
    """Record that FastAPI routed ``GET request.path`` to the list endpoint of ``resource``."""
    learned = getattr(request.app.state, _LEARNED, None)
    if learned is not None:
        learned[request.scope["path"]] = resource


class ListShortcut:
    """Pure ASGI middleware answering ``GET`` list requests of learnt paths without FastAPI's router."""

    def __init__(self, app: ASGIApp, learned: dict[str, Any]) -> None:
        self.app, self.learned = app, learned

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        resource = self.learned.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if resource is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = resource.list_response(await get_state(request), request)
        except ApiError as error:
            response = error.response()
        await response(scope, receive, send)
