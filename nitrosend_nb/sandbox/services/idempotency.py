"""Idempotency keys: the same key with the same payload replays the first outcome; the same key with a different
payload is a 409 ``idempotency_conflict``. Keys come from the ``Idempotency-Key`` header or an
``idempotency_key`` body field."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request

from ..errors import ApiError, invalid
from ..limits import MAX_IDEMPOTENCY_KEY_LENGTH
from ..store import Store

# What the real service answers a keyless send with, now that a key is required (from 2026-09-01).
DEPRECATION_HEADERS = {"Deprecation": "@1788220800", "Sunset": "Tue, 01 Sep 2026 00:00:00 GMT"}


def request_key(request: Request, body_key: str | None) -> str | None:
    """The request's idempotency key (header first, then the body field), or None; 422 when too long."""
    key = request.headers.get("Idempotency-Key") or body_key or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise invalid({"Idempotency-Key": [f"is too long (at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters)"]})
    return key


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of the request payload (without the key itself)."""
    canonical = {k: v for k, v in payload.items() if k != "idempotency_key"}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def replay(store: Store, scope: str, key: str | None, print_: str) -> Any | None:
    """The stored outcome of an earlier request with ``key`` (None if new); 409 when its payload differed."""
    if key is None:
        return None
    found = store.idempotent_result(scope, key)
    if found is None:
        return None
    stored_print, body = found
    if stored_print != print_:
        raise ApiError(
            409,
            "idempotency_conflict: this Idempotency-Key was already used with a different payload",
            code="idempotency_conflict",
        )
    return body
