"""Key redaction: what keeps API keys out of every repr, error, log line, progress bar and widget."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact", "mask"]

_KEY_PATTERN = re.compile(r"nskey_(live|test)_\w+")


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """Return ``str(text)`` with every Nitrosend key (``nskey_live_...``/``nskey_test_...``) and every string
    in ``secrets`` replaced by a placeholder that keeps at most the last 4 characters."""
    result = str(text)
    for secret in secrets:
        if secret:
            result = result.replace(secret, mask(secret))
    return _KEY_PATTERN.sub(lambda m: mask(m.group(0)), result)


def mask(secret: str) -> str:
    """Show a secret as ``****`` plus its last 4 characters when at least 12 secret characters (after any
    ``nskey_live_``/``nskey_test_`` prefix) remain hidden, else ``****`` alone."""
    core = re.sub(r"^nskey_(live|test)_", "", secret)
    return "****" + core[-4:] if len(core) >= 16 else "****"
