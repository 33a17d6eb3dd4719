"""Shared form parts: labelled inputs, the e-mail view picker, per-field error labels, the status area and
readable error messages.

Every text that reaches a widget goes through :func:`redact`, so an API key can never be shown.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from .. import errors
from ..redaction import redact
from . import html as markup

__all__ = [
    "FieldErrors",
    "StatusArea",
    "close_children",
    "describe_error",
    "labelled",
    "text_input",
    "text_area",
    "view_picker",
    "hidden",
    "shown",
]

#: The views every e-mail can be shown in (see :func:`nitrosend_nb.widgets.html.email_view`).
BASE_VIEWS = (("Desktop", "desktop"), ("Mobile", "mobile"), ("Plain text", "text"))

#: Width of a form row: the full column, less the 2px margins ipywidgets puts on each side of a widget.
FULL_WIDTH = "calc(100% - 4px)"


def labelled(
    cls: type[widgets.DOMWidget], description: str, *, full_width: bool = True, **kwargs: Any
) -> widgets.DOMWidget:
    """An input of class ``cls`` with a visible description (what browser tests and screen readers find it by),
    in the forms' shared style: descriptions 110px wide, the field as wide as its column unless told otherwise."""
    layout = widgets.Layout(width=FULL_WIDTH) if full_width else widgets.Layout()
    return cls(description=description, style={"description_width": "110px"}, layout=layout, **kwargs)


def text_input(description: str, placeholder: str = "", value: str = "") -> widgets.Text:
    """A full-width Text with a visible description."""
    return labelled(widgets.Text, description, placeholder=placeholder, value=value)


def text_area(description: str, placeholder: str = "", rows: int = 8) -> widgets.Textarea:
    """A full-width Textarea with a visible description."""
    return labelled(widgets.Textarea, description, placeholder=placeholder, rows=rows)


def view_picker(extra: tuple[tuple[str, str], ...] = ()) -> widgets.ToggleButtons:
    """Toggle buttons choosing how an e-mail is shown: desktop, mobile, plain text (plus ``extra`` views)."""
    return widgets.ToggleButtons(
        options=list(BASE_VIEWS + extra), value="desktop", description="View", style={"button_width": "auto"}
    )


def hidden(*parts: widgets.DOMWidget) -> None:
    """Take ``parts`` out of the layout."""
    for part in parts:
        part.layout.display = "none"


def shown(*parts: widgets.DOMWidget) -> None:
    """Put ``parts`` back into the layout."""
    for part in parts:
        part.layout.display = None


def close_children(container: widgets.Box) -> None:
    """Close every widget inside ``container``, however deep (ipywidgets' ``close()`` stops at the box itself)."""
    for child in container.children:
        if isinstance(child, widgets.Box):
            close_children(child)
        child.close()


class FieldErrors:
    """A small error label under each named field; server field names are mapped through ``aliases``.

    ``row(name)`` gives the field with its label for layout; ``show()`` fills labels from a field -> message(s)
    mapping (client checks or a 422's ``validation_errors``) and returns the messages that name no field here.
    Editing a field hides its error until the next check.
    """

    def __init__(self, fields: Mapping[str, widgets.DOMWidget], aliases: Mapping[str, str] | None = None) -> None:
        self.fields = dict(fields)
        self.aliases = dict(aliases or {})
        self.labels: dict[str, widgets.HTML] = {}
        for name, field in self.fields.items():
            label = widgets.HTML(layout=widgets.Layout(margin="0 0 4px 118px"))
            label.add_class("ns-field-error")
            hidden(label)
            self.labels[name] = label
            field.observe(lambda change, name=name: self.clear_field(name), names="value")  # edited: re-judge later

    def row(self, name: str) -> widgets.VBox:
        """The field ``name`` stacked over its error label."""
        return widgets.VBox([self.fields[name], self.labels[name]], layout=widgets.Layout(width="100%"))

    def clear(self) -> None:
        """Hide every error label."""
        for name in self.labels:
            self.clear_field(name)

    def clear_field(self, name: str) -> None:
        """Hide the error label of field ``name`` (e.g. once the user edits it)."""
        label = self.labels[name]
        if label.value:
            label.value = ""
            hidden(label)

    def set(self, name: str, message: str | Sequence[str]) -> None:
        """Show ``message`` (or several) under field ``name``."""
        messages = [message] if isinstance(message, str) else [str(m) for m in message]
        label = self.labels[name]
        label.value = markup.field_errors(redact(text) for text in messages)
        shown(label)

    def show(self, problems: Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
        """Clear, then show each problem under its field; return {name: messages} for names matching no field."""
        self.clear()
        unplaced: dict[str, list[str]] = {}
        for name, message in (problems or {}).items():
            target = self.aliases.get(name, name)
            if target in self.labels:
                self.set(target, message)
            else:
                unplaced[name] = [message] if isinstance(message, str) else [str(m) for m in message]
        return unplaced

    def messages(self) -> dict[str, str]:
        """The text of every visible error, by field (handy in tests and logs)."""
        return {
            name: html.unescape(re.sub(r"<[^>]+>", "", label.value)).replace("\u26a0", "").strip()
            for name, label in self.labels.items()
            if label.value
        }


class StatusArea(widgets.HTML):
    """The status line of a form: progress, outcome (with an optional table of rows) or a readable error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("ns-status")
        self.kind = "idle"

    def _render(self, kind: str, text: str, rows: Iterable[Sequence[str]] = (), detail: str = "") -> None:
        self.kind = kind
        self.value = markup.status(
            kind, redact(text), redact(detail), [[redact(str(cell)) for cell in row] for row in rows]
        )

    def clear(self) -> None:
        """Show nothing."""
        self.kind = "idle"
        self.value = ""

    def info(self, text: str) -> None:
        """Show a neutral message (e.g. "Sending...")."""
        self._render("info", text)

    def success(self, text: str, rows: Iterable[Sequence[str]] = ()) -> None:
        """Show an outcome, optionally with a table (e.g. one row per recipient)."""
        self._render("success", text, rows)

    def error(self, text: str, detail: str = "", rows: Iterable[Sequence[str]] = ()) -> None:
        """Show a problem the user can act on, optionally with a detail line and a table."""
        self._render("error", text, rows, detail)

    def test_results(self, result: Mapping, what: str, repeated: bool = False) -> None:
        """Show a ``send_test`` result for ``what`` (e.g. "template #7"): one row per recipient with its status
        and its message id or refusal (code and reason), and a success only when every recipient got it.
        ``repeated``: the identical test was already sent and was not resent."""
        results = result.get("results") or []
        rows = [
            (
                item.get("email", "?"),
                item.get("status") or ("delivered" if item.get("success") else "failed"),
                _test_outcome(item),
            )
            for item in results
        ]
        sent = result.get("sent", sum(1 for item in results if item.get("success")))
        if repeated:
            text = (
                f"This exact test of {what} already went out ({sent} of {len(results)}); it was not sent again. "
                "Change the content or the recipients to send another."
            )
        else:
            text = f"Test of {what} sent to {sent} of {len(results)} recipient(s)."
        if sent < len(results):
            self.error(text, rows=rows)
        else:
            self.success(text, rows)

    def failure(self, exc: BaseException, field_errors: FieldErrors | None = None) -> None:
        """Show ``exc`` readably; a 422's validation errors go beside their fields when ``field_errors`` knows them."""
        problems = getattr(exc, "validation_errors", None) or {}
        unplaced = field_errors.show(problems) if field_errors is not None else dict(problems)
        headline = describe_error(exc)
        if len(unplaced) < len(problems):
            headline += " See the messages beside the fields."
        if unplaced:
            headline += " " + "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in unplaced.items())
        self.error(headline, detail=str(exc) if isinstance(exc, errors.NitrosendError) else "")

    @property
    def text(self) -> str:
        """The status as plain text."""
        return html.unescape(re.sub(r"<[^>]+>", " ", self.value)).strip()


def _test_outcome(item: Mapping) -> str:
    """What happened to one test recipient: its message (delivered) or the refusal's code and reason."""
    if item.get("success"):
        return f"message #{item['message_id']}" if item.get("message_id") else str(item.get("code") or "")
    return ": ".join(str(part) for part in (item.get("code"), item.get("error")) if part) or "not sent"


#: What to tell the user for each kind of failure, most specific first (a rate limit says how long to wait).
ERROR_ADVICE = (
    (errors.ValidationError, "Nitrosend rejected the request."),
    (
        errors.TransportError,
        "Could not reach Nitrosend (connection refused or timed out). Your input is kept: click again "
        "when the service is reachable; a repeated send reuses its idempotency key.",
    ),
    (
        errors.AuthenticationError,
        "The API key was rejected (401): check NITROSEND_API_KEY or the key passed to connect().",
    ),
    (
        errors.PaymentRequiredError,
        "The plan does not cover this (402): upgrade it, or free up what it allows, and try again.",
    ),
    (errors.PermissionDeniedError, "Not allowed (403): this key or account may not do this."),
    (errors.NotFoundError, "Not found (404): it may have been deleted; refresh and try again."),
    (errors.ConflictError, "Conflict (409): the server holds a different version; refresh and try again."),
    (
        errors.ServerError,
        "Nitrosend had a server error. Your input is kept: clicking again is safe, a repeated send "
        "reuses its idempotency key and cannot go out twice.",
    ),
    (errors.NitrosendError, "Nitrosend refused the request."),
)


def describe_error(exc: BaseException) -> str:
    """One sentence telling the user what went wrong and what to do; the user's input is always kept."""
    if isinstance(exc, errors.RateLimitError):
        wait = f"about {math.ceil(exc.retry_after)} s" if exc.retry_after else "a few seconds"
        return (
            "Nitrosend is rate limiting requests and the automatic retries ran out. Nothing was lost: "
            f"wait {wait} and click again."
        )
    for kind, advice in ERROR_ADVICE:
        if isinstance(exc, kind):
            return advice
    return f"Unexpected error: {type(exc).__name__}: {exc}"
