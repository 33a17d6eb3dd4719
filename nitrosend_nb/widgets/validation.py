"""Client-side checks run before any request: a form that fails them sends nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..client.addresses import is_email

__all__ = ["check", "is_email", "parse_address", "parse_address_list", "parse_json_object", "require_text"]


def require_text(text: str, what: str) -> str:
    """Return ``text`` stripped; raise ValueError naming ``what`` when it is empty."""
    value = (text or "").strip()
    if not value:
        raise ValueError(f"{what} is required.")
    return value


def parse_address(text: str, *, required: bool = True) -> str | None:
    """Return one e-mail address from ``text`` (stripped), None if empty and not required; raise ValueError if
    malformed."""
    value = (text or "").strip()
    if not value:
        if required:
            raise ValueError("An e-mail address is required.")
        return None
    if not is_email(value):
        raise ValueError(f"{value!r} is not a valid e-mail address (expected name@example.com).")
    return value


def parse_address_list(text: str) -> list[str]:
    """Return the comma-separated addresses in ``text`` (empty list if blank); raise ValueError naming bad ones."""
    items = [item.strip() for item in (text or "").split(",")]
    if not any(items):
        return []
    if not all(items):
        raise ValueError("Empty entry in the address list: separate addresses with single commas.")
    bad = [item for item in items if not is_email(item)]
    if bad:
        listed = ", ".join(repr(item) for item in bad)
        raise ValueError(f"Not a valid e-mail address: {listed} (expected name@example.com, comma-separated).")
    return list(dict.fromkeys(items))


def parse_json_object(text: str) -> dict[str, Any]:
    """Return the JSON object in ``text`` ({} if blank); raise ValueError with the position of a syntax error."""
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if not isinstance(value, dict):
        raise ValueError(f'Merge data must be a JSON object like {{"order_id": 42}}, not a {type(value).__name__}.')
    return value


def check(problems: dict[str, str], field: str, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``parse(*args, **kwargs)``; on ValueError record its message under ``field`` in ``problems`` and
    return None."""
    try:
        return parse(*args, **kwargs)
    except ValueError as exc:
        problems[field] = str(exc)
        return None
