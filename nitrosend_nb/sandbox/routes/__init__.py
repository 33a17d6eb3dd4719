"""The /v1/my endpoint groups, one module each, plus the /_sandbox control endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from ..gate import API_PREFIX
from . import account, campaigns, contacts, flows, imports, lists, messages, segments, templates, webhooks


def api_router() -> APIRouter:
    """Every /v1/my endpoint group under one router."""
    router = APIRouter(prefix=API_PREFIX)
    for module in (account, campaigns, contacts, flows, imports, lists, messages, segments, templates, webhooks):
        router.include_router(module.router)
    return router
