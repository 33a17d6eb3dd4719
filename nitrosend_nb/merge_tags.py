"""Merge tags: ``{{ contact.first_name }}``-style placeholders filled from a context dict.

Used by the sandbox to personalise every delivered email and by the widgets' live preview, so both show
exactly the same text. A tag is a dotted path into the context, optionally with a Liquid-style default:
``{{ contact.first_name | default: "there" }}``. Unknown paths render as the default (or an empty string).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

TAG = re.compile(
    r"\{\{\s*(?P<path>[A-Za-z_][\w]*(?:\.[\w]+)*)\s*"
    r"(?:\|\s*default\s*:\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'))?\s*\}\}"
)


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """Return the value at dotted ``path`` in ``context`` (dicts and lists by index), or None when absent."""
    value: Any = context
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def render(text: str | None, context: Mapping[str, Any] | None = None, *, escape: bool = False) -> str:
    """Fill every merge tag in ``text`` from ``context``; ``escape=True`` HTML-escapes the inserted values."""
    if not text:
        return ""
    context = context or {}

    def fill(match: re.Match) -> str:
        value = lookup(context, match.group("path"))
        if value is None or value == "":
            default = match.group("dq") if match.group("dq") is not None else match.group("sq")
            value = default or ""
        value = _as_text(value)
        return html.escape(value) if escape else value

    return TAG.sub(fill, text)


def find(text: str | None) -> list[str]:
    """The distinct tag paths used in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in TAG.finditer(text or ""):
        seen.setdefault(match.group("path"), None)
    return list(seen)
