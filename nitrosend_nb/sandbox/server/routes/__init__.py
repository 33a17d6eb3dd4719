"""The /v1/my endpoint groups, one module each, plus the /_sandbox control endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from ..dependencies import get_state
from ..gate import API_PREFIX
from ..resource_routes import list_route
from . import (
    account,
    brands,
    campaigns,
    contacts,
    domains,
    events,
    flows,
    images,
    imports,
    lists,
    messages,
    segments,
    suppressions,
    templates,
    webhooks,
)

#: The modules of this package serving /v1/my, one per endpoint group (``admin`` serves /_sandbox); each names the
#: resources whose list route is the generic one (``LISTED``).
GROUPS = (
    account,
    brands,
    campaigns,
    contacts,
    domains,
    events,
    flows,
    images,
    imports,
    lists,
    messages,
    segments,
    suppressions,
    templates,
    webhooks,
)


def add_list_routes(app: FastAPI) -> None:
    """Add the generic list route of every group's ``LISTED`` resources to ``app``'s own router, not through an
    included router: added before the groups are included, they are the first routes the app's router tries
    (list pages are the hottest requests, and a route reached through included routers costs a match at every
    level)."""
    for group in GROUPS:
        for resource in group.LISTED:
            list_route(app.router, resource, prefix=API_PREFIX, dependencies=[Depends(get_state)])


def api_router() -> APIRouter:
    """Every /v1/my endpoint group under one router; each request resolves its brand (``X-Brand-SID``) once,
    even on routes that do not read it, so an unknown SID is a 404 everywhere."""
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_state)])
    for group in GROUPS:
        router.include_router(group.router)
    return router
