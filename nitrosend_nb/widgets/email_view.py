"""How the widgets show one email: desktop or mobile width (sandboxed iframe), plain text, and the results of
:func:`nitrosend_nb.email_checks.check_email`."""

from __future__ import annotations

import html
from typing import Mapping

import ipywidgets as widgets

from .iframe import sandboxed_iframe

__all__ = ["view_picker", "render_view", "checks_html", "MOBILE_WIDTH"]

MOBILE_WIDTH = "375px"
BASE_VIEWS = (("Desktop", "desktop"), ("Mobile", "mobile"), ("Plain text", "text"))


def view_picker(extra: tuple[tuple[str, str], ...] = ()) -> widgets.ToggleButtons:
    """Toggle buttons choosing the view: desktop, mobile, plain text (plus ``extra`` views)."""
    return widgets.ToggleButtons(options=list(BASE_VIEWS + extra), value="desktop", description="View",
                                 style={"button_width": "auto"})


def render_view(view: str, document: str | None, text: str | None, title: str) -> str:
    """The HTML for a desktop, mobile or plain-text view of an email."""
    if view == "text":
        return (f'<pre style="white-space:pre-wrap;background:#f9fafb;padding:8px;max-height:420px;overflow:auto">'
                f"{html.escape(text or '')}</pre>")
    width = MOBILE_WIDTH if view == "mobile" else "100%"
    return sandboxed_iframe(document or "", title=f"{title} ({view})", width=width)


def _row(cells: tuple[str, ...], tag: str = "td") -> str:
    return "<tr>" + "".join(f'<{tag} style="text-align:left;padding:2px 8px;vertical-align:top">{html.escape(c)}'
                            f"</{tag}>" for c in cells) + "</tr>"


def checks_html(checks: Mapping) -> str:
    """A compact report of an email's checks: summary, the links and images at fault, List-Unsubscribe and the
    compatibility warnings with the clients affected."""
    summary = checks["summary"]
    colour = "#b91c1c" if summary["errors"] else ("#b45309" if summary["warnings"] else "#047857")
    parts = [f'<div style="color:{colour}"><b>Checks:</b> {summary["links"]} links and images, '
             f'{summary["errors"]} error(s), {summary["warnings"]} compatibility warning(s)</div>']
    bad = [link for link in checks["links"] if not link["ok"]]
    if bad:
        rows = "".join(_row((link["kind"], link["url"][:60], "; ".join(link["problems"]))) for link in bad)
        parts.append(f"<table>{_row(('Kind', 'Address', 'Problem'), 'th')}{rows}</table>")
    unsubscribe = checks["list_unsubscribe"]
    if unsubscribe["problems"]:
        parts.append(f'<div style="color:#b91c1c">List-Unsubscribe: {html.escape("; ".join(unsubscribe["problems"]))}'
                     "</div>")
    if checks["compatibility"]:
        rows = "".join(_row((item["title"], ", ".join(item["clients"]), item["example"][:60]))
                       for item in checks["compatibility"])
        parts.append(f"<table>{_row(('Risky construct', 'Clients affected', 'Example'), 'th')}{rows}</table>")
    return f'<div class="ns-checks" style="font-size:90%">{"".join(parts)}</div>'
