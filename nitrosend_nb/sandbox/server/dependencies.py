"""The FastAPI dependencies that hand a route its state: :func:`get_state` (every /v1/my route, bound to the
request's brand) and :func:`app_state` (/_sandbox, no brand)."""

from __future__ import annotations

from fastapi import Request

from ..errors import ApiError
from ..state import SandboxState

BRAND_HEADER = "X-Brand-SID"


def app_state(request: Request) -> SandboxState:
    """FastAPI dependency: the sandbox state of the app serving ``request``, bound to no brand (/_sandbox)."""
    return request.app.state.sandbox


def get_state(request: Request) -> SandboxState:
    """FastAPI dependency of every /v1/my route: the sandbox state bound to the brand named by ``X-Brand-SID``
    (the default brand without the header; 404 ``not_found`` for an unknown SID). Resolved once per request, in
    FastAPI's thread pool like every route that reads the store: the event loop never waits for the store's
    lock."""
    state = app_state(request)
    sid = request.headers.get(BRAND_HEADER)
    if sid is None:
        return state.for_brand(state.brand())
    brand = state.brand_by_sid(sid.strip())
    if brand is None:
        raise ApiError(404, f"Brand {sid.strip()!r} not found ({BRAND_HEADER})")
    return state.for_brand(brand)
