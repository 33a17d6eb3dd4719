"""Key redaction: what keeps API keys (and webhook signing secrets) out of every repr, error, log line, progress
bar and widget."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact", "mask"]

_KEY_PATTERN = re.compile(r"nskey_(live|test)_\w+")
_WEBHOOK_SECRET_PATTERN = re.compile(r"whsec_[A-Za-z0-9+/=_-]+")  # Standard Webhooks: whsec_ + base64
_BEARER_PATTERN = re.compile(r"(\bBearer\s+)([^\s'\",;]+)", re.IGNORECASE)


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """Return ``str(text)`` with every Nitrosend key (``nskey_live_...``/``nskey_test_...``), every webhook signing
    secret (``whsec_...``, keeping its prefix), every ``Bearer`` token and every string in ``secrets`` replaced by a
    placeholder that keeps at most the last 4 characters."""
    result = str(text)
    for secret in secrets:
        if secret:
            result = result.replace(secret, mask(secret))
    result = _KEY_PATTERN.sub(lambda m: mask(m.group(0)), result)
    result = _WEBHOOK_SECRET_PATTERN.sub(lambda m: "whsec_" + mask(m.group(0).removeprefix("whsec_")), result)
    return _BEARER_PATTERN.sub(
        lambda m: m.group(1) + (m.group(2) if m.group(2).startswith("****") else mask(m.group(2))), result
    )


def mask(secret: str) -> str:
    """Show a secret as ``****`` plus its last 4 characters when at least 12 secret characters (after any
    ``nskey_live_``/``nskey_test_`` prefix) remain hidden, else ``****`` alone."""
    core = re.sub(r"^nskey_(live|test)_", "", secret)
    return "****" + core[-4:] if len(core) >= 16 else "****"
