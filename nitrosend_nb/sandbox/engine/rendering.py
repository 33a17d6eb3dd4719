"""The sends' rendering calls, made with no lock held.

Rendering (Liquid, then MJML) is the slow part of a send, and the store's lock must be held only while the
database is written. :func:`write_after_rendering` runs a send's transaction twice. The first pass only notes the
emails the send would render (each :func:`render_email` call answers a blank email and remembers its inputs) and is
rolled back; those emails are then rendered with no lock held; the second pass finds each one rendered (by its
inputs: content, merge context, theme and options) and writes for real. A pass that meets an email whose inputs
changed in between (a concurrent edit) renders it in place, so the result is always the one the data gives.
Outside :func:`write_after_rendering` (previews, seeding), :func:`render_email` simply renders.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import orjson

from ...rendering import RenderedEmail
from ...rendering import render_email as render
from ..store import Store

T = TypeVar("T")
_BLANK = RenderedEmail(subject="", html="", text="")
_KEYING = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class _FirstPass(Exception):
    """Raised to roll the first pass back once it has noted what to render."""


class _Renders:
    """The emails of one send: those the first pass asked for, and those rendered since, by their inputs."""

    def __init__(self) -> None:
        self.noting = True
        self.wanted: dict[bytes, tuple] = {}
        self.done: dict[bytes, RenderedEmail] = {}

    def email(self, content: Mapping[str, Any], context: Any, theme: Any, options: dict) -> RenderedEmail:
        """The email these inputs give: noted (first pass), already rendered, or rendered now."""
        try:
            key = orjson.dumps([content, context, theme, options], option=_KEYING)
        except TypeError:  # inputs that are not JSON cannot be compared: render in place
            return render(content, context, theme, **options)
        if key in self.done:
            return self.done[key]
        if self.noting:
            self.wanted[key] = (content, context, theme, options)
            return _BLANK
        return render(content, context, theme, **options)

    def render_wanted(self) -> None:
        """Render what the first pass asked for (no lock is held here)."""
        self.noting = False
        for key, (content, context, theme, options) in self.wanted.items():
            self.done[key] = render(content, context, theme, **options)


_ACTIVE: contextvars.ContextVar[_Renders | None] = contextvars.ContextVar("sandbox_renders", default=None)


def render_email(
    content: Mapping[str, Any], context: Mapping[str, Any] | None = None, theme: Any = None, **options: Any
) -> RenderedEmail:
    """:func:`nitrosend_nb.rendering.render_email`, rendered ahead of the write when called inside
    :func:`write_after_rendering` (see the module docstring)."""
    renders = _ACTIVE.get()
    if renders is None:
        return render(content, context, theme, **options)
    return renders.email(content, context, theme, options)


def write_after_rendering(store: Store, transaction: Callable[[], T]) -> T:
    """``transaction()`` run atomically, the emails it renders rendered beforehand with no lock held (a
    transaction that renders nothing runs once)."""
    renders = _Renders()
    token = _ACTIVE.set(renders)
    try:
        try:
            with store.atomic():
                result = transaction()
                if not renders.wanted:
                    return result
                raise _FirstPass
        except _FirstPass:
            pass
        renders.render_wanted()
        with store.atomic():
            return transaction()
    finally:
        _ACTIVE.reset(token)
