"""Segment filters (``[{"name", "predicate", "value"}]``, Ransack predicates) compiled to SQL over contacts.

The same compiled condition serves ``POST /segments/count``, campaign audiences, list population and the
contacts ``tag`` filter, so a segment's count is exactly the audience a campaign reaches. Filters are ANDed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..errors import invalid
from ..store import iso, parse_iso

# filter name -> (SQL expression over the contacts table, value kind)
FIELDS: dict[str, tuple[str, str]] = {
    "contact_email": ("email", "text"),
    "contact_first_name": ("first_name", "text"),
    "contact_last_name": ("last_name", "text"),
    "contact_phone_number": ("phone", "text"),
    "contact_country": ("json_extract(doc, '$.country_code')", "text"),
    "contact_source": ("json_extract(doc, '$.source')", "text"),
    "contact_subscribed_email": ("json_extract(doc, '$.subscribed_email')", "bool"),
    "contact_subscribed_phone": ("json_extract(doc, '$.subscribed_phone')", "bool"),
    "contact_created_at": ("created_at", "time"),
    "contact_last_interacted_at": ("json_extract(doc, '$.last_interacted_at')", "time"),
    "contact_tag": ("value", "tag"),
}
PREDICATES = (
    "eq",
    "not_eq",
    "cont",
    "not_cont",
    "start",
    "end",
    "gt",
    "lt",
    "gteq",
    "lteq",
    "present",
    "blank",
    "true",
    "false",
    "in",
    "not_in",
)
NEGATED = {"not_eq": "eq", "not_cont": "cont", "not_in": "in"}
TAGS = "json_each(contacts.doc, '$.data.tags')"


def escape_like(value: str) -> str:
    """``value`` as a literal inside an SQL ``LIKE ... ESCAPE '\\'`` pattern."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _coerce(value: Any, kind: str, where: str) -> Any:
    if kind == "bool":
        if isinstance(value, bool):
            return int(value)
        if str(value).lower() in ("true", "1", "yes", "t"):
            return 1
        if str(value).lower() in ("false", "0", "no", "f"):
            return 0
        raise invalid({where: ["must be true or false"]})
    if kind == "time":
        if isinstance(value, datetime):
            return iso(value)
        try:
            return iso(parse_iso(str(value)))
        except ValueError:
            raise invalid({where: ["must be an ISO 8601 date or timestamp"]}) from None
    if isinstance(value, (dict, list)):
        raise invalid({where: ["must be a string or number"]})
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    return value is None or value is True or str(value).lower() in ("true", "1", "yes", "t")


def _condition(expr: str, kind: str, predicate: str, value: Any, where: str) -> tuple[str, list]:
    """SQL for a positive predicate on ``expr``."""
    text = f"lower({expr})" if kind in ("text", "tag") else expr
    if predicate in ("present", "blank"):
        present = f"({expr} IS NOT NULL AND {expr} != '')"
        wanted = _truthy(value) == (predicate == "present")
        return (present if wanted else f"NOT {present}"), []
    if predicate in ("true", "false"):
        wanted = _truthy(value) == (predicate == "true")
        return (f"{expr} = 1" if wanted else f"({expr} IS NULL OR {expr} != 1)"), []
    if predicate == "in":
        items = value if isinstance(value, list) else [v.strip() for v in str(value or "").split(",") if v.strip()]
        if not items:
            return "0", []
        items = [_coerce(v, kind, where) for v in items]
        if kind in ("text", "tag"):
            items = [str(v).lower() for v in items]
        return f"{text} IN ({','.join('?' * len(items))})", items
    coerced = _coerce(value, kind, where)
    if kind in ("text", "tag"):
        coerced = str(coerced).lower()
    if predicate == "eq":
        return f"{text} = ?", [coerced]
    if predicate in ("cont", "start", "end"):
        pattern = {"cont": "%{}%", "start": "{}%", "end": "%{}"}[predicate].format(escape_like(str(coerced)))
        return f"{expr} LIKE ? ESCAPE '\\'", [pattern]
    operator = {"gt": ">", "lt": "<", "gteq": ">=", "lteq": "<="}[predicate]
    if kind == "bool":
        return f"{expr} {operator} ?", [coerced]
    return f"{text} {operator} ?", [coerced]


def compile_filter(item: Mapping[str, Any], index: int) -> tuple[str, list]:
    """SQL (over ``contacts``) and parameters for one filter."""
    name, predicate, value = item.get("name"), item.get("predicate"), item.get("value")
    if name not in FIELDS:
        raise invalid({f"filters.{index}.name": [f"unknown filter {name!r}; known: {', '.join(FIELDS)}"]})
    if predicate not in PREDICATES:
        raise invalid(
            {f"filters.{index}.predicate": [f"unknown predicate {predicate!r}; known: {', '.join(PREDICATES)}"]}
        )
    expr, kind = FIELDS[name]
    where = f"filters.{index}.value"
    positive = NEGATED.get(predicate, predicate)
    if kind == "tag":
        if positive in ("present", "blank", "true", "false"):
            has_tags = f"EXISTS (SELECT 1 FROM {TAGS})"
            wanted = _truthy(value) == (positive in ("present", "true"))
            return (has_tags if wanted else f"NOT {has_tags}"), []
        sql, params = _condition(expr, kind, positive, value, where)
        exists = f"EXISTS (SELECT 1 FROM {TAGS} WHERE {sql})"
        return (f"NOT {exists}" if predicate in NEGATED else exists), params
    sql, params = _condition(expr, kind, positive, value, where)
    if predicate in NEGATED:
        return f"({expr} IS NULL OR NOT ({sql}))", params
    return f"({sql})", params


def compile_filters(filters: Iterable[Mapping[str, Any]]) -> tuple[str, list]:
    """SQL ``where`` clause (all filters ANDed; empty means every contact) and its parameters."""
    clauses, params = [], []
    for index, item in enumerate(filters or []):
        sql, values = compile_filter(item, index)
        clauses.append(sql)
        params.extend(values)
    return " AND ".join(clauses), params
