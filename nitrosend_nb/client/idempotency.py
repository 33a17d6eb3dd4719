"""Idempotency keys, the one source for the client and the widgets: a fresh random key for a send that may be
repeated on purpose, and a key derived from content for a send that must happen once however often it is asked for
(a double click, a rerun cell, a retry after a timeout)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["idempotency_key", "new_idempotency_key"]


def new_idempotency_key() -> str:
    """A fresh random Idempotency-Key (uuid4)."""
    return str(uuid.uuid4())


def idempotency_key(target: str, payload: Mapping[str, Any]) -> str:
    """Return a stable key for sending ``payload`` to ``target`` (e.g. ``"POST /messages"``).

    The key is the SHA-256 of the canonical JSON (sorted keys, no whitespace) of target and payload: the same
    content always gives the same key, any change of content or target gives a new one.
    """
    canonical = json.dumps(
        {"target": target, "payload": payload}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return "nsnb-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
