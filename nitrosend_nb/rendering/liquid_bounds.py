"""A python-liquid environment bounded by :mod:`.limits`: its own resource limits set, and the bounds it lacks added.

python-liquid 2.3 bounds loop iterations (per loop, nested loops multiplied), the output stream, nesting and the
assigned values, when an environment sets them. It does not bound what one filter call makes (a 3,000,000-item
range joined into 22 MB), integers (which grow past what Python can print), nor time. Here:

- every filter call is checked: its arguments at a glance before (a range or list over the item limit, a
  string over the character limit), the output ``replace`` and ``join`` would make before they make it, and
  its result after (characters, items, integer digits); an arithmetic or value error inside a filter becomes a
  Liquid error on its line instead of escaping as a Python exception;
- a loop refuses a range or list longer than the loop limit before iterating (``reversed`` would copy it first);
- the render-time budget (:func:`.limits.render_budget`) is checked at every loop iteration, loop entry, filter
  call and assignment. Between two checks a render runs straight-line template code over bounded values, so it
  stops within milliseconds of its budget, with no thread or signal involved.

Built on python-liquid's extension points: the environment's limit attributes and ``template_class``, the
template's ``context_class``, ``RenderContext.filter``/``assign``/``get_size_of_locals``/``raise_for_loop_limit``,
the ``for``/``tablerow`` tags' ``node_class``, and ``LoopExpression._to_iter`` (the one place a loop's length is
known before a ``reversed`` copy). Each bound has a test in tests/test_rendering.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from liquid import BoundTemplate, Environment, RenderContext
from liquid.ast import BlockNode
from liquid.builtin.expressions import LoopExpression
from liquid.builtin.tags.for_tag import ForNode, ForTag
from liquid.builtin.tags.tablerow_tag import TablerowNode, TablerowTag
from liquid.exceptions import (
    BlockNestingError,
    ContextDepthError,
    FilterError,
    LiquidError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
)

from .limits import (
    MAX_ASSIGNED_CHARS,
    MAX_LOOP_ITERATIONS,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    MAX_OUTPUT_BYTES,
    MAX_VALUE_CHARS,
    MAX_VALUE_ITEMS,
    over_budget,
)

__all__ = ["BoundedEnvironment", "limit_name"]

_NUMBER_BOUND = 10**MAX_NUMBER_DIGITS


class ValueSizeLimitError(ResourceLimitError):
    """A value a filter takes or makes is over the value limits."""


class RenderTimeLimitError(ResourceLimitError):
    """The render-time budget is spent."""


_LIMIT_NAMES: tuple[tuple[type[LiquidError], str], ...] = (
    (LoopIterationLimitError, "loop_iterations"),
    (OutputStreamLimitError, "output_bytes"),
    (ValueSizeLimitError, "value_size"),
    (LocalNamespaceLimitError, "assigned_size"),
    (ContextDepthError, "nesting"),
    (BlockNestingError, "nesting"),
    (RenderTimeLimitError, "render_seconds"),
)


def limit_name(exc: LiquidError) -> str | None:
    """The name of the limit ``exc`` reports (a key of :data:`.limits.LIQUID_LIMITS`), or None for another error."""
    return next((name for kind, name in _LIMIT_NAMES if isinstance(exc, kind)), None)


def _check_time(token: Any) -> None:
    if over_budget():
        raise RenderTimeLimitError("render time budget spent", token=token)


# -- sizes --------------------------------------------------------------------------------------------------
def _length(value: Any) -> int:
    try:
        return len(value)
    except OverflowError:  # a range longer than sys.maxsize
        return MAX_VALUE_ITEMS + 1


_SMALL = frozenset({float, bool, type(None)})


def _too_big_at_a_glance(value: Any) -> bool:
    """Whether ``value`` is over the limits by its top level alone (constant time: what a filter may take)."""
    kind = type(value)
    if kind is str:
        return len(value) > MAX_VALUE_CHARS
    if kind in _SMALL:
        return False
    if isinstance(value, (list, tuple, range, Mapping)):
        return _length(value) > MAX_VALUE_ITEMS
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _NUMBER_BOUND


def _chars(value: Any, most: int) -> int:
    """The characters ``value`` holds (strings their length, every item and key at least one), counted until
    the count passes ``most``; ``most + 1`` also when a list holds more items than the item limit or an integer
    more digits than the digit limit. Stops early, so a list repeating one large value costs no more than
    ``most``."""
    if isinstance(value, str):  # the common results first: a string, a number
        return len(value)
    if type(value) in _SMALL:
        return 1
    count, stack = 0, [value]
    while stack and count <= most:
        item = stack.pop()
        if isinstance(item, str):
            count += len(item)
        elif isinstance(item, (list, tuple, range)):
            if _length(item) > MAX_VALUE_ITEMS:
                return most + 1
            count += len(item)
            stack.extend(item)
        elif isinstance(item, Mapping):
            if len(item) > MAX_VALUE_ITEMS:
                return most + 1
            count += len(item)
            for key, child in item.items():
                stack += (key, child)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) >= _NUMBER_BOUND:
            return most + 1
        else:
            count += 1
    return count


def _replace_size(left: Any, old: Any = "", new: Any = "", *_: Any) -> int:
    """The length ``replace`` would make of ``left`` as text, as the filter takes it (an empty ``old`` inserts
    ``new`` around every character)."""
    text, old, new = "" if left is None else str(left), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    return len(text) + found * (len(new) - len(old))


def _join_size(left: Any, separator: Any = " ", *_: Any) -> int:
    """The length ``join`` would make: its items and the separators between them."""
    if not isinstance(left, (list, tuple, range)):
        return 0
    return _chars(left, MAX_VALUE_CHARS) + max(0, _length(left) - 1) * len(str(separator))


_MADE_SIZE: dict[str, Callable[..., int]] = {"replace": _replace_size, "join": _join_size}


class _BoundedFilter:
    """One filter call, checked against the limits before and after (see the module docstring)."""

    __slots__ = ("func", "name", "token")

    def __init__(self, name: str, func: Callable[..., Any], token: Any) -> None:
        self.name, self.func, self.token = name, func, token

    def _too_big(self) -> ValueSizeLimitError:
        return ValueSizeLimitError(f"{self.name}: value size limit reached", token=self.token)

    def __call__(self, left: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time(self.token)
        if (
            _too_big_at_a_glance(left)
            or (args and any(map(_too_big_at_a_glance, args)))
            or (kwargs and any(map(_too_big_at_a_glance, kwargs.values())))
        ):
            raise self._too_big()
        made = _MADE_SIZE.get(self.name)
        if made is not None and made(left, *args) > MAX_VALUE_CHARS:
            raise self._too_big()
        try:
            result = self.func(left, *args, **kwargs)
        except LiquidError:
            raise
        except (ArithmeticError, ValueError, LookupError, RecursionError) as exc:  # e.g. a date out of range
            raise FilterError(f"{self.name}: {exc}", token=self.token) from None
        if _chars(result, MAX_VALUE_CHARS) > MAX_VALUE_CHARS:
            raise self._too_big()
        return result


# -- render context and template ------------------------------------------------------------------------
class BoundedContext(RenderContext):
    """A render context whose filters are bounded, whose assigned values are measured by what they hold (not
    by ``sys.getsizeof``, which counts a list's references only) and which checks the time budget."""

    __slots__ = ()

    def filter(self, name: str, token: Any) -> Callable[..., object]:  # python-liquid's name
        return _BoundedFilter(name, super().filter(name, token), token)

    def assign(self, key: str, val: Any) -> None:
        _check_time(None)
        super().assign(key, val)

    def get_size_of_locals(self) -> int:
        return _chars(list(self.locals.values()), MAX_ASSIGNED_CHARS) + self.local_namespace_size_carry

    def raise_for_loop_limit(self, length: int = 1) -> None:
        _check_time(None)
        super().raise_for_loop_limit(length)


class BoundedTemplate(BoundTemplate):
    """A parsed template rendered with :class:`BoundedContext`."""

    context_class = BoundedContext


# -- loops --------------------------------------------------------------------------------------------------
class _BoundedLoop(LoopExpression):
    """A ``for``/``tablerow`` expression refusing more items than the loop limit before slicing them."""

    __slots__ = ()

    @classmethod
    def of(cls, expression: LoopExpression) -> _BoundedLoop:
        return cls(
            expression.token,
            expression.identifier,
            expression.iterable,
            limit=expression.limit,
            offset=expression.offset,
            reversed_=expression.reversed,
            cols=expression.cols,
        )

    def _to_iter(self, obj: object, context: RenderContext) -> Any:
        it, length = super()._to_iter(obj, context)
        if length > MAX_LOOP_ITERATIONS:
            raise LoopIterationLimitError("loop iteration limit reached", token=self.token)
        return it, length


class _TimedBody(BlockNode):
    """A loop's body: checks the time budget before each iteration."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        _check_time(self.token)
        return super().render_to_output(context, buffer)


def _on_this_line(render: Callable[[], int], token: Any) -> int:
    """Run ``render``; a limit error raised without a position (python-liquid's own) gets this loop's."""
    try:
        return render()
    except ResourceLimitError as exc:
        exc.token = exc.token or token
        raise


class _ForNode(ForNode):
    __slots__ = ()

    def __init__(self, token: Any, expression: LoopExpression, block: BlockNode, default: Any = None) -> None:
        super().__init__(token, _BoundedLoop.of(expression), _TimedBody(token, block.nodes), default)

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        return _on_this_line(lambda: super(_ForNode, self).render_to_output(context, buffer), self.token)


class _TablerowNode(TablerowNode):
    __slots__ = ()

    def __init__(self, token: Any, expression: LoopExpression, block: BlockNode) -> None:
        super().__init__(token, _BoundedLoop.of(expression), _TimedBody(token, block.nodes))

    def render_to_output(self, context: RenderContext, buffer: Any) -> int:
        return _on_this_line(lambda: super(_TablerowNode, self).render_to_output(context, buffer), self.token)


class _ForTag(ForTag):
    node_class = _ForNode


class _TablerowTag(TablerowTag):
    node_class = _TablerowNode


class BoundedEnvironment(Environment):
    """python-liquid's environment with the limits of :mod:`.limits` and the bounded pieces above."""

    loop_iteration_limit = MAX_LOOP_ITERATIONS
    output_stream_limit = MAX_OUTPUT_BYTES
    local_namespace_limit = MAX_ASSIGNED_CHARS
    context_depth_limit = MAX_NESTING
    block_nesting_limit = MAX_NESTING
    template_class = BoundedTemplate

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(_ForTag)
        self.add_tag(_TablerowTag)
