"""Every limit on rendering, in one place: the sandbox (sends, test sends, campaigns, flows, previews) and the
widgets' previews render through this package, so they meet the same values. The README's limits table lists
them. Each is far above what a real email needs and far below what stalls a server.

Liquid: a template's markup is bounded before it is parsed (python-liquid parses 0.1-0.7 MB of tags a second, so
a 1 MiB body of them takes seconds). python-liquid's own resource limits (loop iterations, output size,
nesting, assigned values) are set to these values by :mod:`.liquid_bounds`, which adds what python-liquid leaves
unbounded: the size of every value a filter takes or makes (``(1..3000000) | join: ","`` makes 22 MB in one call,
under any loop limit), integers, and the render-time budget. The budget is checked cooperatively (before each
field, and at every loop iteration, loop entry, filter call and assignment), so no thread or signal is needed
and nothing keeps running after the error; the work between two checks is itself bounded by the markup and size
limits, so a render stops within tens of milliseconds of its budget.

Designs are bounded before MJML runs (sections, the MJML's size) and after (the HTML's size); the rendered
subject and preheader by RFC 5322's line length.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import RenderError

__all__ = [
    "MAX_ASSIGNED_CHARS",
    "MAX_DESIGN_SECTIONS",
    "MAX_HTML_BYTES",
    "MAX_LIQUID_CHARS",
    "MAX_LIQUID_TAGS",
    "MAX_LOOP_ITERATIONS",
    "MAX_MJML_BYTES",
    "MAX_NESTING",
    "MAX_NUMBER_DIGITS",
    "MAX_OUTPUT_BYTES",
    "MAX_RENDER_SECONDS",
    "MAX_SPACER_HEIGHT",
    "MAX_SUBJECT_LENGTH",
    "MAX_VALUE_CHARS",
    "MAX_VALUE_ITEMS",
    "RenderLimitError",
    "check_budget",
    "liquid_markup",
    "over_budget",
    "render_budget",
]

MAX_LIQUID_TAGS = 5_000  # Liquid tags and outputs ({% %}, {{ }}) in one field, and in one request to the sandbox
MAX_LIQUID_CHARS = 100_000  # the characters those tags and outputs span, delimiters included (the same scopes)
MAX_LOOP_ITERATIONS = 10_000  # iterations of one Liquid loop, nested loops multiplied (100 x 100 is 10,000)
MAX_OUTPUT_BYTES = 2 * 1024 * 1024  # UTF-8 bytes one field's Liquid renders (twice the largest request body)
MAX_VALUE_CHARS = 2 * 1024 * 1024  # characters a value a filter takes or makes holds (a list: its items' together)
MAX_VALUE_ITEMS = 10_000  # items of a list (or range) a filter takes or makes: as many as one loop may visit
MAX_ASSIGNED_CHARS = 4 * 1024 * 1024  # characters of every value a template assigns or captures, together
MAX_NUMBER_DIGITS = 500  # digits of an integer a filter makes (Python prints none over 4,300)
MAX_NESTING = 30  # nested Liquid blocks and loops (python-liquid's default)
MAX_RENDER_SECONDS = 2.0  # one email: every field, the design through MJML and the text part
MAX_DESIGN_SECTIONS = 200  # sections of one design, those inside columns included
MAX_MJML_BYTES = 2 * 1024 * 1024  # the MJML a design becomes, before mjml-python renders it
MAX_HTML_BYTES = 4 * 1024 * 1024  # the HTML mjml-python renders from a design
MAX_SPACER_HEIGHT = 400  # pixels; a spacer's height is clamped to 0..this
MAX_SUBJECT_LENGTH = 998  # characters of a subject or preheader, stored or rendered (RFC 5322's line limit)

#: What each Liquid limit allows, in the words of the error that names it.
LIQUID_LIMITS = {
    "liquid_markup": (
        f"a template may hold at most {MAX_LIQUID_TAGS:,} Liquid tags and outputs, spanning at most "
        f"{MAX_LIQUID_CHARS:,} characters"
    ),
    "loop_iterations": f"a loop may run at most {MAX_LOOP_ITERATIONS:,} iterations (nested loops multiply)",
    "output_bytes": f"the rendered text may be at most {MAX_OUTPUT_BYTES:,} bytes",
    "value_size": (
        f"a value may hold at most {MAX_VALUE_CHARS:,} characters or {MAX_VALUE_ITEMS:,} items "
        f"and an integer at most {MAX_NUMBER_DIGITS} digits"
    ),
    "assigned_size": f"assigned and captured values may hold at most {MAX_ASSIGNED_CHARS:,} characters together",
    "nesting": f"blocks and loops may nest at most {MAX_NESTING} deep",
    "render_seconds": f"rendering one email may take at most {MAX_RENDER_SECONDS:g} s",
}

_OPENING = re.compile(r"\{[{%]")
_deadline: ContextVar[float | None] = ContextVar("render_deadline", default=None)


class RenderLimitError(RenderError):
    """Content over one of the limits above: ``limit`` names it (``"loop_iterations"``, ``"design_sections"``...),
    ``line`` is the Liquid line at fault (None outside Liquid)."""

    def __init__(self, field: str, limit: str, message: str, line: int | None = None) -> None:
        super().__init__(field, message)
        self.limit, self.line = limit, line


def liquid_markup(text: str, tags: int = 0, chars: int = 0) -> tuple[int, int, int | None]:
    """Count the Liquid tags and outputs of ``text`` and the characters they span (an unclosed one spans the rest),
    on top of ``tags`` and ``chars`` counted before: ``(tags, chars, index)`` where ``index`` is the position of
    the tag that passes :data:`MAX_LIQUID_TAGS` or :data:`MAX_LIQUID_CHARS` (counting stops there), else None."""
    position = 0
    while found := _OPENING.search(text, position):
        start = found.start()
        close = text.find("}}" if found.group() == "{{" else "%}", start + 2)
        end = len(text) if close < 0 else close + 2
        tags, chars, position = tags + 1, chars + end - start, end
        if tags > MAX_LIQUID_TAGS or chars > MAX_LIQUID_CHARS:
            return tags, chars, start
    return tags, chars, None


@contextmanager
def render_budget(seconds: float = MAX_RENDER_SECONDS) -> Iterator[None]:
    """Share one render-time budget among every render inside (an email's fields, its design and its text part);
    inside another budget, the outer one applies."""
    if _deadline.get() is not None:
        yield
        return
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def over_budget() -> bool:
    """Whether the render-time budget in force (if any) is spent."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() > deadline


def check_budget(field: str) -> None:
    """Raise :class:`RenderLimitError` naming ``field`` when the render-time budget is spent."""
    if over_budget():
        raise RenderLimitError(field, "render_seconds", LIQUID_LIMITS["render_seconds"])
