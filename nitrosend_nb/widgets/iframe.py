"""Render untrusted e-mail HTML inside a sandboxed iframe (no scripts, no same-origin access)."""

from __future__ import annotations

import html

__all__ = ["sandboxed_iframe"]


def sandboxed_iframe(document: str, height: int = 420, title: str = "E-mail preview", width: str = "100%") -> str:
    """Return an ``<iframe sandbox srcdoc=...>`` showing ``document``.

    The document is HTML-escaped (quotes included) into ``srcdoc``, so nothing in it, a ``<script>`` or a stray
    quote, can leave the attribute; the empty ``sandbox`` attribute forbids scripts, forms, popups and the
    notebook's origin. ``width`` is a CSS width (``"375px"`` shows the mobile layout).
    """
    return (f'<iframe sandbox="" title="{html.escape(title, quote=True)}" '
            f'srcdoc="{html.escape(document or "", quote=True)}" '
            f'style="width:{html.escape(width, quote=True)};max-width:100%;height:{int(height)}px;border:1px solid #ccc;background:#fff"></iframe>')
