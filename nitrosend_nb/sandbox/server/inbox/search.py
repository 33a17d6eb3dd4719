"""The inbox's search grammar, in Mailpit's spirit, compiled to an SQL condition over the outbox.

Terms are ANDed. ``to:``, ``from:``, ``subject:`` match substrings (case-insensitive); ``kind:`` is one of
transactional, test, campaign, flow; ``campaign:`` and ``template:`` take an id or part of a name; ``tag:`` a tag
of the message (a list entry, or an object key or ``key=value``); ``before:``/``after:`` an ISO date or instant
(a bare date is midnight UTC); anything else is free text over subject, addresses and the plain-text part.
Quote values with spaces (``subject:"big sale"``); negate a term with ``-`` or ``not`` (``-kind:test``,
``not from:ops``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import invalid
from ...services.models import MAX_ID
from ...services.segment_filters import escape_like
from ...store import iso, parse_iso

KINDS = ("transactional", "test", "campaign", "flow")
OPERATORS = ("to", "from", "subject", "kind", "campaign", "template", "tag", "before", "after")
_TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<op>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"?|(?P<bare>\S+))')


def _field(name: str) -> str:
    return f"json_extract(doc, '$.{name}')"


@dataclass(frozen=True)
class Term:
    """One search term: an operator (None: free text), its value and whether it is negated."""

    op: str | None
    value: str
    negated: bool = False


def parse(query: str) -> list[Term]:
    """The terms of ``query`` (``not`` applies to the term after it)."""
    terms: list[Term] = []
    negate_next = False
    for match in _TOKEN.finditer(query or ""):
        op = (match.group("op") or "").lower()
        value = match.group("quoted") if match.group("quoted") is not None else (match.group("bare") or "")
        if op and op not in OPERATORS:  # an unknown "word:" is free text
            value, op = f"{match.group('op')}:{value}", ""
        negated = bool(match.group("neg")) or negate_next
        if not op and not match.group("neg") and value.lower() == "not" and match.group("quoted") is None:
            negate_next = True
            continue
        negate_next = False
        if op or value:
            terms.append(Term(op or None, value, negated))
    return terms


def _like(value: str) -> str:
    return "%" + escape_like(value) + "%"


def _instant(op: str, value: str) -> str:
    try:
        return iso(parse_iso(value))
    except ValueError:
        raise invalid({"query": [f"{op}: needs an ISO date or instant such as 2026-11-01, not {value!r}"]}) from None


def _condition(term: Term) -> tuple[str, list]:
    op, value = term.op, term.value
    if op in ("to", "from", "subject"):
        return f"{_field(op)} LIKE ? ESCAPE '\\'", [_like(value)]
    if op == "kind":
        if value.lower() not in KINDS:
            raise invalid({"query": [f"kind: must be one of {', '.join(KINDS)}, not {value!r}"]})
        return f"{_field('kind')} = ?", [value.lower()]
    if op in ("campaign", "template"):
        column, table = _field(f"{op}_id"), f"{op}s"
        if value.isascii() and value.isdigit() and int(value) <= MAX_ID:  # not "²", nor past SQLite's integers
            return f"{column} = ?", [int(value)]
        return (
            f"{column} IN (SELECT id FROM {table} WHERE json_extract(doc, '$.name') LIKE ? ESCAPE '\\')",
            [_like(value)],
        )
    if op == "tag":
        return (
            f"{_field('message_id')} IN (SELECT m.id FROM messages m, json_each(m.doc, '$.tags') t WHERE "
            "(json_type(m.doc, '$.tags') = 'array' AND t.value = ?) OR (json_type(m.doc, '$.tags') = 'object' "
            "AND (t.key = ? OR t.key || '=' || t.value = ?)))",
            [value, value, value],
        )
    if op in ("before", "after"):
        return f"{_field('created_at')} {'<' if op == 'before' else '>'} ?", [_instant(op, value)]
    text = " OR ".join(f"{_field(name)} LIKE ? ESCAPE '\\'" for name in ("subject", "to", "from", "text"))
    return f"({text})", [_like(value)] * 4


def compile_query(query: str) -> tuple[str, list]:
    """``(where, params)`` for the outbox rows matching ``query`` (an empty query matches everything)."""
    clauses, params = [], []
    for term in parse(query):
        sql, values = _condition(term)
        clauses.append(f"NOT COALESCE(({sql}), 0)" if term.negated else f"COALESCE(({sql}), 0)")
        params += values
    return " AND ".join(clauses), params
