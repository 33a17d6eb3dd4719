"""Merge tags through a real Liquid engine (python-liquid): ``{{ contact.first_name | upcase }}``,
``{% if data.plan %}...{% endif %}``, ``{% for item in data.items %}``, Liquid's standard filters.

Two environments are built once per process (one HTML-escaping every value, for HTML bodies; one plain, for
subjects, text and design props that are escaped later), and parsed templates are cached. Unknown variables
render empty; :func:`render` reports the ones it met so previews can warn about them. A syntax error (or an
unknown filter) raises :class:`MergeError` naming the field and the line; a render over one of the limits of
:mod:`.limits` (enforced by :mod:`.liquid_bounds`) raises :class:`~.limits.RenderLimitError`, naming the
limit, the field and the line.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from liquid import BoundTemplate, Undefined
from liquid.exceptions import LiquidError

from .errors import RenderError
from .limits import LIQUID_LIMITS, RenderLimitError, check_budget, liquid_markup, render_budget
from .liquid_bounds import BoundedEnvironment, limit_name

__all__ = ["MergeError", "render", "check", "variables", "literal"]

_PATH = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*")
_unknown: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("unknown_merge_tags", default=None)


class MergeError(RenderError):
    """A merge-tag template that cannot be parsed or rendered: ``field``, 1-based ``line`` and ``reason``."""

    def __init__(self, field: str, line: int, reason: str) -> None:
        super().__init__(field, f"Liquid error on line {line}: {reason}")
        self.line, self.reason = line, reason


class _ReportedUndefined(Undefined):
    """Renders empty, like Liquid's default, and records its dotted path for the render that output it."""

    __slots__ = ()

    def __str__(self) -> str:
        seen = _unknown.get()
        if seen is not None and self.token is not None:
            match = _PATH.match(self.token.source, max(self.token.start_index, 0))
            path = match.group(0) if match else self.name
            if path not in seen:
                seen.append(path)
        return ""


class _EmailEnvironment(BoundedEnvironment):
    """Liquid's standard tags and filters, minus ``include``/``render`` (an email has no partials to load), within
    the rendering limits."""

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        for name in ("include", "render"):
            self.tags.pop(name, None)


_TEXT = _EmailEnvironment(undefined=_ReportedUndefined)
_HTML = _EmailEnvironment(undefined=_ReportedUndefined, autoescape=True)


class _UnknownFilter(Exception):
    def __init__(self, name: str, index: int) -> None:
        super().__init__(name)
        self.name, self.index = name, index


class _TooMuchMarkup(Exception):
    """A template over the markup limits, left unparsed; ``index``: where it passes them."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1 if index >= 0 else source.count("\n") + 1


def _error(field: str, source: str, exc: LiquidError) -> RenderError:
    token = exc.token
    index = token.start_index if token is not None and token.source == source else -1
    line, limit = _line(source, index), limit_name(exc)
    if limit is not None:
        return RenderLimitError(field, limit, f"Liquid error on line {line}: {LIQUID_LIMITS[limit]}", line)
    return MergeError(field, line, str(exc.message))


@lru_cache(maxsize=1024)
def _parse(source: str, html: bool) -> BoundTemplate | Exception:
    env = _HTML if html else _TEXT
    _, _, over = liquid_markup(source)
    if over is not None:
        return _TooMuchMarkup(over)
    try:
        template = env.from_string(source)
    except LiquidError as exc:
        return exc
    for name, spans in template.analyze().filters.items():
        if name not in env.filters:
            return _UnknownFilter(name, spans[0].index)
    return template


def _template(source: str, html: bool, field: str) -> BoundTemplate:
    parsed = _parse(source, html)
    if isinstance(parsed, _UnknownFilter):
        raise MergeError(field, _line(source, parsed.index), f"unknown filter '{parsed.name}'")
    if isinstance(parsed, _TooMuchMarkup):
        line = _line(source, parsed.index)
        raise RenderLimitError(
            field, "liquid_markup", f"Liquid error on line {line}: {LIQUID_LIMITS['liquid_markup']}", line
        )
    if isinstance(parsed, LiquidError):
        raise _error(field, source, parsed)
    return parsed


def check(source: str | None, field: str = "template") -> str | None:
    """Raise :class:`MergeError` when ``source`` is not valid Liquid; returns it unchanged (a validator)."""
    if source and ("{" in source):
        _template(source, False, field)
    return source


def render(
    source: str | None,
    context: Mapping[str, Any] | None,
    *,
    html: bool = False,
    field: str = "template",
    unknown: list[str] | None = None,
) -> str:
    """Fill ``source``'s merge tags from ``context`` (values HTML-escaped when ``html``); the dotted paths of
    unknown variables it outputs are appended to ``unknown``. With no ``context`` the tags stay literal. Runs
    within the render-time budget in force, or a budget of its own."""
    if not source:
        return ""
    if "{" not in source or context is None:
        return source
    with render_budget():
        check_budget(field)
        template = _template(source, html, field)
        token = _unknown.set(unknown if unknown is not None else [])
        try:
            return template.render(**context)
        except LiquidError as exc:
            raise _error(field, source, exc) from None
        finally:
            _unknown.reset(token)


def variables(sources: Iterable[str | None]) -> list[str]:
    """The distinct dotted variable paths ``sources`` read from outside (loop variables excluded), in order;
    a source that does not parse is skipped."""
    seen: dict[str, None] = {}
    for source in sources:
        if not source or "{" not in source:
            continue
        parsed = _parse(source, False)
        if isinstance(parsed, Exception):
            continue
        for found in parsed.analyze().globals.values():
            for variable in found:
                parts = [str(s) for s in variable.segments if isinstance(s, (str, int))]
                seen.setdefault(".".join(parts), None)
    return list(seen)


def literal(text: str) -> str:
    """Liquid source that renders to exactly ``text``: each ``{`` becomes an output of the string ``"{"``, so an
    email rendered already passes through another render (the service's, for a test send) unchanged."""
    return text.replace("{", "{{ '{' }}")
