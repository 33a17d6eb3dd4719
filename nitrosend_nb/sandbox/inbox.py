"""The HTML inbox page at ``GET /_sandbox/``: every captured email, newest first, each rendered in a sandboxed
iframe (``srcdoc`` escaped) so email markup can neither run script nor touch the page."""

from __future__ import annotations

import html
from typing import Iterable, Mapping

STYLE = """body{font-family:system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111827}
header{background:#111827;color:#fff;padding:12px 24px}main{padding:16px 24px}
article{background:#fff;border-radius:8px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.1)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0;padding:12px 16px;font-size:14px}
dt{color:#6b7280}dd{margin:0}iframe{width:100%;height:420px;border:0;border-top:1px solid #e5e7eb}
.kind{display:inline-block;padding:0 6px;border-radius:4px;background:#e0e7ff;font-size:12px}"""


def render_inbox(emails: Iterable[Mapping]) -> str:
    """The inbox page for outbox records (given oldest first; shown newest first)."""
    items = list(emails)[::-1]
    articles = []
    for email in items:
        rows = "".join(
            f"<dt>{label}</dt><dd>{html.escape(str(email.get(key) or ''))}</dd>"
            for label, key in (("From", "from"), ("To", "to"), ("Reply-To", "reply_to"), ("Subject", "subject"),
                               ("Sent", "created_at"))
        )
        articles.append(
            f'<article id="email-{int(email["id"])}"><dl><dt>#{int(email["id"])}</dt>'
            f'<dd><span class="kind">{html.escape(str(email.get("kind")))}</span></dd>{rows}</dl>'
            f'<iframe sandbox srcdoc="{html.escape(email.get("html") or "", quote=True)}" '
            f'title="{html.escape(email.get("subject") or "", quote=True)}"></iframe></article>'
        )
    body = "".join(articles) or "<p>No emails captured yet.</p>"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sandbox inbox ({len(items)})</title>'
            f"<style>{STYLE}</style></head><body><header><h1>Sandbox inbox</h1>"
            f"<p>{len(items)} captured email(s), newest first</p></header><main>{body}</main></body></html>")
