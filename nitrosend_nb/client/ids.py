"""Checking the ids callers pass: ``ns.campaigns.get("abc")`` fails with a sentence naming the argument, before any
request, instead of ``int()``'s bare ``invalid literal for int() with base 10``."""

from __future__ import annotations

from numbers import Integral


def valid_id(value: object, name: str = "id") -> int:
    """``value`` as a positive integer id (ints, numpy ints, whole floats and digit strings are accepted);
    ValueError naming ``name`` otherwise."""
    whole = (
        (isinstance(value, Integral) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
        or (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit())
    )
    number = int(value) if whole else None
    if number is None or number < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return number
