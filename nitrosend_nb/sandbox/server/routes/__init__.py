"""The /v1/my endpoint groups, one module each, plus the /_sandbox control endpoints."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter, Depends

from ..dependencies import get_state
from ..gate import API_PREFIX

#: The modules of this package serving /v1/my, one per endpoint group (``admin`` serves /_sandbox).
GROUPS = (
    "account",
    "brands",
    "campaigns",
    "contacts",
    "domains",
    "events",
    "flows",
    "imports",
    "lists",
    "messages",
    "segments",
    "suppressions",
    "templates",
    "webhooks",
)


def api_router() -> APIRouter:
    """Every /v1/my endpoint group under one router; each request resolves its brand (``X-Brand-SID``) once,
    even on routes that do not read it, so an unknown SID is a 404 everywhere."""
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_state)])
    for group in GROUPS:
        router.include_router(import_module(f"{__name__}.{group}").router)
    return router
