"""Every piece of HTML the widgets show, styled by CSS classes from one stylesheet.

:data:`STYLESHEET` is put into each form once (see :class:`~nitrosend_nb.widgets.base.Form`); the functions here
build the fragments that go into ``widgets.HTML`` values. Text is HTML-escaped here; redacting keys is the caller's
job (:mod:`~nitrosend_nb.widgets.form` redacts everything it shows).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "STYLESHEET",
    "MOBILE_WIDTH",
    "TONES",
    "text",
    "block",
    "pre",
    "key_values",
    "FITS",
    "grid",
    "status",
    "field_errors",
    "sandboxed_iframe",
    "email_view",
    "checks",
]

#: The width of the mobile view of an e-mail.
MOBILE_WIDTH = "375px"
#: Tones a text can take: neutral, muted, ok (green), warn (amber) and error (red).
TONES = ("info", "muted", "ok", "warn", "error")

STYLESHEET = """<style>
.ns-form .ns-info {color: #444}
.ns-form .ns-muted {color: #666}
.ns-form .ns-ok {color: #1b5e20}
.ns-form .ns-warn {color: #b26a00}
.ns-form .ns-error {color: #b00020}
.ns-form .ns-small {font-size: 90%}
.ns-form .ns-cells td {padding: 0 8px}
.ns-form .ns-kv th, .ns-form .ns-grid th {text-align: left; padding-right: 12px}
.ns-form .ns-grid th, .ns-form .ns-grid td {text-align: left; padding: 2px 8px; vertical-align: top}
.ns-form .ns-grid th, .ns-form .ns-grid .ns-short {white-space: nowrap}
.ns-form .ns-fitted {width: 100%; border-collapse: collapse}
.ns-form .ns-fitted .ns-short {width: 1%}
.ns-form .ns-fitted td.ns-wrap {overflow-wrap: break-word}
.ns-form .ns-fitted td.ns-clip {max-width: 0; width: 40%}
.ns-form .ns-clipped {display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap}
.ns-form .ns-pre {white-space: pre-wrap; max-height: 420px; overflow: auto}
.ns-form .ns-plain {background: #f9fafb; padding: 8px}
.ns-form .ns-head {font-size: 90%; margin: 2px 0 4px}
.ns-form iframe.ns-frame {max-width: 100%; height: 420px; border: 1px solid #ccc; background: #fff}
</style>"""


def _escape(value: object) -> str:
    return html.escape(str(value))


def text(value: object, tone: str = "info", *, bold: bool = False) -> str:
    """``value`` escaped, in ``tone`` (one of :data:`TONES`), optionally bold."""
    inner = f"<b>{_escape(value)}</b>" if bold else _escape(value)
    return f'<span class="ns-{tone}">{inner}</span>'


def block(value: str, tone: str = "info", *, small: bool = False) -> str:
    """A ``<div>`` of already-built HTML ``value`` in ``tone``."""
    classes = f"ns-{tone} ns-small" if small else f"ns-{tone}"
    return f'<div class="{classes}">{value}</div>'


def pre(value: str, *, plain: bool = False) -> str:
    """Preformatted ``value`` (escaped), wrapped and scrollable; ``plain`` gives the plain-text e-mail look."""
    classes = "ns-pre ns-plain" if plain else "ns-pre"
    return f'<pre class="{classes}">{_escape(value)}</pre>'


def key_values(rows: Iterable[tuple[object, object]]) -> str:
    """A two-column table: each key as a row header beside its value."""
    cells = "".join(f"<tr><th>{_escape(key)}</th><td>{_escape(value)}</td></tr>" for key, value in rows)
    return f'<table class="ns-kv">{cells}</table>'


#: How a column of a fitted :func:`grid` takes its width: ``short`` its natural width, never wrapped; ``wrap``
#: a share of the rest, wrapped between words; ``clip`` what is left over, one line, ellipsized (whole on hover).
FITS = ("short", "wrap", "clip")


def _cell(value: object, fit: str | None) -> str:
    if fit is None:
        return f"<td>{_escape(value)}</td>"
    if fit == "clip":
        return f'<td class="ns-clip"><span class="ns-clipped" title="{_escape(value)}">{_escape(value)}</span></td>'
    return f'<td class="ns-{fit}">{_escape(value)}</td>'


def grid(header: Sequence[str], rows: Iterable[Sequence[object]], fits: Sequence[str] | None = None) -> str:
    """A table with a header row (no header cell is ever narrower than its text); ``fits`` gives each column one
    of :data:`FITS` and the table the full width, so long values wrap or are cut short instead of squeezing the
    other columns."""
    if fits is not None and (len(fits) != len(header) or not set(fits) <= set(FITS)):
        raise ValueError(f"fits must give each of the {len(header)} columns one of {FITS}, not {fits!r}")
    head = "<tr>" + "".join(f"<th>{_escape(cell)}</th>" for cell in header) + "</tr>"
    body = "".join(
        "<tr>" + "".join(_cell(value, fits[i] if fits else None) for i, value in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<table class="ns-grid{" ns-fitted" if fits else ""}">{head}{body}</table>'


def status(kind: str, headline: str, detail: str = "", rows: Iterable[Sequence[object]] = ()) -> str:
    """A status line: the bold ``headline`` in the tone of ``kind`` (info, success, error), an optional muted
    ``detail`` line and an optional table of ``rows``."""
    tone = {"info": "info", "success": "ok", "error": "error"}[kind]
    parts = [block(f"<b>{_escape(headline)}</b>", tone)]
    if detail:
        parts.append(block(_escape(detail), "muted", small=True))
    cells = "".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    if cells:
        parts.append(f'<table class="ns-cells">{cells}</table>')
    return "".join(parts)


def field_errors(messages: Iterable[str]) -> str:
    """The error lines shown under one field."""
    return "".join(block(f"&#9888; {_escape(message)}", "error", small=True) for message in messages)


def sandboxed_iframe(
    document: str, title: str = "E-mail preview", width: str = "100%", height: str | None = None
) -> str:
    """Return an ``<iframe sandbox srcdoc=...>`` showing ``document``, ``width`` wide (a CSS width: the view's own
    width, so it stays on the element; ``MOBILE_WIDTH`` shows the mobile layout) and, outside a form's stylesheet
    (e.g. in ``IPython.display.HTML``), ``height`` tall.

    The document is HTML-escaped (quotes included) into ``srcdoc``, so nothing in it, a ``<script>`` or a stray
    quote, can leave the attribute; the empty ``sandbox`` attribute forbids scripts, forms, popups and the
    notebook's origin.
    """
    extra = f";height:{html.escape(height, quote=True)};border:1px solid #ccc" if height else ""
    return (
        f'<iframe sandbox="" title="{html.escape(title, quote=True)}" class="ns-frame" '
        f'style="width:{html.escape(width, quote=True)}{extra}" srcdoc="{html.escape(document or "", quote=True)}">'
        "</iframe>"
    )


def email_view(view: str, document: str | None, plain: str | None, title: str) -> str:
    """One e-mail as ``view`` shows it: ``desktop`` or ``mobile`` (sandboxed iframe) or ``text``."""
    if view == "text":
        return pre(plain or "", plain=True)
    return sandboxed_iframe(
        document or "", title=f"{title} ({view})", width=MOBILE_WIDTH if view == "mobile" else "100%"
    )


def checks(report: Mapping) -> str:
    """A compact report of :func:`nitrosend_nb.email_checks.check_email`'s results: summary, the links and images
    at fault, List-Unsubscribe and the compatibility warnings with the clients affected."""
    summary = report["summary"]
    tone = "error" if summary["errors"] else ("warn" if summary["warnings"] else "ok")
    parts = [
        block(
            f"<b>Checks:</b> {summary['links']} links and images, {summary['errors']} error(s), "
            f"{summary['warnings']} compatibility warning(s)",
            tone,
        )
    ]
    bad = [link for link in report["links"] if not link["ok"]]
    if bad:
        parts.append(
            grid(
                ("Kind", "Address", "Problem"),
                ((link["kind"], link["url"], "; ".join(link["problems"])) for link in bad),
                ("short", "clip", "wrap"),
            )
        )
    unsubscribe = report["list_unsubscribe"]
    if unsubscribe["problems"]:
        parts.append(block(f"List-Unsubscribe: {_escape('; '.join(unsubscribe['problems']))}", "error"))
    if report["compatibility"]:
        parts.append(
            grid(
                ("Risky construct", "Clients affected", "Example"),
                ((item["title"], ", ".join(item["clients"]), item["example"]) for item in report["compatibility"]),
                ("wrap", "wrap", "clip"),
            )
        )
    return f'<div class="ns-checks ns-small">{"".join(parts)}</div>'
