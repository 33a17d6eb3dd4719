"""The /v1/my endpoint groups, one module each, plus the /_sandbox control endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from ..gate import API_PREFIX
from . import account, campaigns, contacts, domains, events, flows, lists, messages, segments, suppressions, templates


def api_router() -> APIRouter:
    """Every /v1/my endpoint group under one router."""
    router = APIRouter(prefix=API_PREFIX)
    for module in (account, campaigns, contacts, domains, events, flows, lists, messages, segments, suppressions,
                   templates):
        router.include_router(module.router)
    return router
