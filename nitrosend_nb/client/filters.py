"""Strict list filters: each endpoint group declares the filters its list endpoint documents, and every listing
call (``list``, ``pages``, ``iter``, ``frames``, ``df``, ``tables``, ``to_parquet``) accepts those and nothing else.

A misspelled filter (``ns.messages.df(campain_id=3)``) would otherwise reach the API as an unknown query parameter,
be ignored there and return every record. Here it raises TypeError before any request, naming the close matches,
the group's filters and the call's own keywords; a value of the wrong type is a TypeError and a value the API
would refuse (an id of 0, a date that does not parse, a status that is not one) a ValueError, also before any
request. ``None`` means "no filter", so ``df(list_id=None)`` reads everything.

A group's declaration is a :class:`Filters` of :class:`Filter` objects (one per query parameter: :class:`Id`,
:class:`Text`, :class:`Pattern`, :class:`Choice`, :class:`Flag`, :class:`Number`, :class:`Moment`, :class:`Day`),
set as the group's ``filters``; :class:`~nitrosend_nb.client.resources.base.Resource` wraps each listing method
of the group so that it checks them and shows them in ``help()`` and in its signature (what Jupyter completes).
Filters the vendor does not document but this project's sandbox serves are declared ``sandbox_only``: accepted
against a sandbox, refused before any request against the live service, where an ignored filter would silently
return everything.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import pandas as pd

from nitrosend_nb.client.ids import valid_id

__all__ = [
    "Filter",
    "Filters",
    "Id",
    "Text",
    "Pattern",
    "Choice",
    "Flag",
    "Number",
    "Moment",
    "Day",
    "LISTING_METHODS",
]

#: The calls that list records and take filters as keyword arguments.
LISTING_METHODS = ("list", "pages", "iter", "frames", "df", "tables", "to_parquet")


@dataclass(frozen=True)
class Filter:
    """One query parameter of a list endpoint: its ``name``, a one-line ``doc``, whether only the sandbox serves
    it (``sandbox_only``) and, for a toolkit alias, the parameter it stands for (``same_as``)."""

    name: str
    doc: str
    sandbox_only: bool = field(default=False, kw_only=True)
    same_as: str | None = field(default=None, kw_only=True)
    annotation: ClassVar[str] = "object"

    def check(self, value: object) -> object:
        """``value`` as the query takes it; TypeError for the wrong type, ValueError for a refused value."""
        raise NotImplementedError

    def _wrong_type(self, value: object, wanted: str) -> TypeError:
        return TypeError(f"{self.name} takes {wanted}, got {type(value).__name__} {value!r}")


@dataclass(frozen=True)
class Id(Filter):
    """A record id: a positive integer (a digit string too)."""

    annotation: ClassVar[str] = "int | None"

    def check(self, value: object) -> int:
        if not isinstance(value, (Integral, str, float)) or isinstance(value, bool):
            raise self._wrong_type(value, "a positive integer id")
        return valid_id(value, self.name)


@dataclass(frozen=True)
class Text(Filter):
    """Non-blank text."""

    annotation: ClassVar[str] = "str | None"

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._wrong_type(value, "text")
        if not value.strip():
            raise ValueError(f"{self.name} is blank: leave it out (or pass None) to read everything")
        return value


@dataclass(frozen=True)
class Pattern(Text):
    """Text matching ``pattern`` (the API's own rule for the field, e.g. an event name)."""

    pattern: str = field(default=".*", kw_only=True)

    def check(self, value: object) -> str:
        text = super().check(value)
        if not re.fullmatch(self.pattern, text):
            raise ValueError(f"{self.name} must match {self.pattern}, got {text!r} (it would match nothing)")
        return text


@dataclass(frozen=True)
class Choice(Filter):
    """One of the values the API documents."""

    values: tuple[str, ...] = field(default=(), kw_only=True)

    @property
    def annotation(self) -> str:  # type: ignore[override]
        """The values as a Literal, for the signature."""
        return f"Literal[{', '.join(map(repr, self.values))}] | None"

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._wrong_type(value, f"one of {', '.join(self.values)}")
        if value not in self.values:
            close = difflib.get_close_matches(value, self.values, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{self.name} must be one of {', '.join(self.values)}; got {value!r}{hint}")
        return value


@dataclass(frozen=True)
class Flag(Filter):
    """True or False."""

    annotation: ClassVar[str] = "bool | None"

    def check(self, value: object) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise self._wrong_type(value, "True or False")
        return bool(value)


@dataclass(frozen=True)
class Number(Filter):
    """A finite number."""

    annotation: ClassVar[str] = "float | None"

    def check(self, value: object) -> float | int:
        if not isinstance(value, Real) or isinstance(value, (bool, np.bool_)):
            raise self._wrong_type(value, "a number")
        if not math.isfinite(value):
            raise ValueError(f"{self.name} must be a finite number, got {value!r}")
        return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Moment(Filter):
    """A point in time: ISO 8601 text, a ``datetime``/``pd.Timestamp`` or a ``date`` (its midnight); without a time
    zone it is read as UTC."""

    annotation: ClassVar[str] = "str | datetime | date | None"

    def check(self, value: object) -> pd.Timestamp:
        if not isinstance(value, (str, datetime, date, np.datetime64)):
            raise self._wrong_type(value, "a time (ISO 8601 text, datetime or date)")
        try:
            moment = pd.Timestamp(value)
        except ValueError:
            raise ValueError(
                f"{self.name} is not a time: {value!r} (use ISO 8601, e.g. 2026-10-01 or 2026-10-01T09:30:00Z)"
            ) from None
        if pd.isna(moment):
            raise ValueError(f"{self.name} is not a time: {value!r}")
        return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


@dataclass(frozen=True)
class Day(Filter):
    """One UTC day: a ``datetime.date`` or ``"YYYY-MM-DD"``."""

    annotation: ClassVar[str] = "date | str | None"

    def check(self, value: object) -> date:
        if isinstance(value, datetime) or not isinstance(value, (str, date)):
            raise self._wrong_type(value, "one day: a datetime.date or 'YYYY-MM-DD' (a datetime: pass its .date())")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{self.name} must be a day as YYYY-MM-DD, got {value!r}") from None


class Filters:
    """The filters one list endpoint documents (the group's one declaration), in the order the docs give them."""

    def __init__(self, *filters: Filter) -> None:
        self.by_name = {f.name: f for f in filters}
        if len(self.by_name) != len(filters):
            raise ValueError("a filter is declared twice")

    def __iter__(self) -> Iterator[Filter]:
        return iter(self.by_name.values())

    def __repr__(self) -> str:
        return f"Filters({', '.join(self.by_name)})"

    def check(
        self,
        given: Mapping[str, object],
        *,
        call: str,
        keywords: Collection[str] = (),
        live: bool = False,
        columns: Collection[str] = (),
    ) -> dict[str, object]:
        """``given`` (the call's filter keywords) checked: unknown names and sandbox-only filters against the
        live service raise TypeError, bad values TypeError/ValueError; None values are dropped and aliases
        (``since``) renamed. ``call`` names the call for messages, ``keywords`` are its own, ``columns`` the
        frame's (to suggest filtering the frame instead)."""
        checked: dict[str, object] = {}
        given_as: dict[str, str] = {}  # the name each checked filter was given under (an alias or its own)
        for name, value in given.items():
            declared = self.by_name.get(name)
            if declared is None:
                raise TypeError(self._unknown(name, call, keywords, columns))
            if value is None:
                continue
            if declared.sandbox_only and live:
                raise TypeError(
                    f"{call}(): {name} is a filter of the nitrosend-nb sandbox only; the live API does not document "
                    "it and would return every record. Filter the DataFrame instead."
                )
            target = declared.same_as or name
            if target in checked:
                raise ValueError(f"{call}(): give {given_as[target]}= or {name}=, not both (they are the same filter)")
            try:
                checked[target] = declared.check(value)
            except (TypeError, ValueError) as error:
                raise type(error)(f"{call}(): {error}") from None
            given_as[target] = name
        return checked

    def _unknown(self, name: str, call: str, keywords: Collection[str], columns: Collection[str]) -> str:
        """The TypeError message for an unknown keyword: close matches, the filters, the call's own keywords."""
        close = difflib.get_close_matches(name, [*self.by_name, *keywords], n=3)
        sentences = [f"{call}() got an unexpected keyword argument {name!r}."]
        if close:
            sentences.append(f"Did you mean {' or '.join(map(repr, close))}?")
        sentences.append(
            f"Its filters: {', '.join(self.by_name)}." if self.by_name else "Its endpoint takes no filters."
        )
        if keywords:
            sentences.append(f"Its own keywords: {', '.join(keywords)}.")
        if name in columns:
            sentences.append(f"{name!r} is a column: filter the frame instead, e.g. frame[frame[{name!r}] == value].")
        return " ".join(sentences)

    def parameters(self) -> list[inspect.Parameter]:
        """The filters as keyword-only parameters defaulting to None (for a listing method's signature)."""
        return [
            inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=f.annotation)
            for f in self
        ]

    def describe(self) -> str:
        """The filters as a docstring section: one line each."""
        if not self.by_name:
            return "Filters: none (the endpoint takes none)."
        lines = ["Filters (keyword arguments; None means no filter; anything else raises before any request):"]
        for f in self:
            note = " [sandbox only: refused against the live API]" if f.sandbox_only else ""
            lines.append(f"    {f.name}: {f.doc}{note}")
        return "\n".join(lines)
