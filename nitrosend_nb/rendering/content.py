"""One email's content rendered for one recipient: subject, HTML and plain text, the same way for the
sandbox's outbox and the widgets' previews."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import merge
from .design import render_design
from .limits import MAX_SUBJECT_LENGTH, RenderLimitError, check_budget, render_budget
from .text import html_to_text, looks_like_html, text_to_html

__all__ = ["RenderedEmail", "render_email", "render_message"]


@dataclass(frozen=True)
class RenderedEmail:
    """A rendered email and the unknown merge variables it output (rendered empty)."""

    subject: str
    html: str
    text: str
    unknown: tuple[str, ...] = ()


def render_email(
    content: Mapping[str, Any],
    context: Mapping[str, Any] | None,
    theme: Mapping | None = None,
    html: str | None = None,
    plain_body: bool = False,
) -> RenderedEmail:
    """Render template-like ``content`` (subject, body, preheader, design) or raw ``html`` with ``context``.

    Raw ``html`` and a template ``body`` written as HTML are HTML (values escaped); a design with sections goes
    through MJML; any other body is plain text. ``plain_body=True`` (a message's ``body``, which the API defines
    as plain text) never treats the body as HTML. The text part is the body when there is one, else derived
    from the HTML. With no ``context`` merge tags stay literal (a design preview). The whole email renders within
    one render-time budget and the limits of :mod:`.limits`. Raises a
    :class:`~nitrosend_nb.rendering.errors.RenderError` naming the field at fault: a
    :class:`~nitrosend_nb.rendering.merge.MergeError` for bad Liquid, a
    :class:`~nitrosend_nb.rendering.limits.RenderLimitError` for content over a limit."""
    unknown: list[str] = []
    with render_budget():
        subject = _line_of_text(
            merge.render(content.get("subject"), context, field="subject", unknown=unknown), "subject"
        )
        body = content.get("body")
        design = content.get("design") or {}
        html_field = "html"
        if not html and not plain_body and not design.get("sections") and looks_like_html(body):
            html, body, html_field = body, None, "body"  # a template body written in HTML
        if html:
            markup = merge.render(html, context, html=True, field=html_field, unknown=unknown)
        elif design.get("sections"):
            preheader = merge.render(content.get("preheader"), context, field="preheader", unknown=unknown)
            preheader = _line_of_text(preheader, "preheader")
            markup = render_design(design, context, theme, preheader=preheader, title=subject, unknown=unknown)
        else:
            markup = text_to_html(merge.render(body, context, field="body", unknown=unknown))
        check_budget("body" if body else html_field)
        text = merge.render(body, context, field="body", unknown=unknown) if body else html_to_text(markup)
    return RenderedEmail(subject, markup, text, tuple(unknown))


def _line_of_text(rendered: str, field: str) -> str:
    """A rendered subject or preheader, or :class:`~.limits.RenderLimitError` when it is over RFC 5322's line
    length (its merge tags can make it far longer than the stored text)."""
    if len(rendered) > MAX_SUBJECT_LENGTH:
        raise RenderLimitError(
            field,
            "subject_length",
            f"renders to {len(rendered):,} characters; a {field} may be at most {MAX_SUBJECT_LENGTH} characters",
        )
    return rendered


def render_message(
    template: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    theme: Mapping | None = None,
    *,
    subject: str | None = None,
    html: str | None = None,
    body: str | None = None,
    render: Callable[..., RenderedEmail] = render_email,
) -> RenderedEmail:
    """A transactional message as ``POST /messages`` renders it: the ``template``'s content (None: none) with
    ``subject`` and the plain-text ``body`` put in its place when given, or the raw ``html`` (the text part then
    is ``body`` when given, else derived from the HTML). The sandbox's sends and the mail merge's previews both
    render through here; ``render`` is the :func:`render_email` to call (the sandbox passes the one that renders
    its sends with no lock held)."""
    content = dict(template or {})
    for field, value in (("subject", subject), ("body", body)):
        if value:
            content[field] = value
    return render(content, context, theme, html=html, plain_body=bool(body))
