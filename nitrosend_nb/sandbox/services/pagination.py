"""Pagination as the API does it: ``page`` + ``limit`` (also ``per_page`` / ``per``), a bare JSON array body and
``X-Total-Count`` / ``X-Total-Pages`` / ``X-Page-Number`` / ``X-Next-Page`` / ``X-Prev-Page`` headers.
Without a page size a list answers :data:`DEFAULT_LIMIT` rows (contacts: :data:`CONTACTS_LIMIT`), never more than
:data:`MAX_LIMIT`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request

from ..errors import invalid

DEFAULT_LIMIT = 25
CONTACTS_LIMIT = 50
MAX_LIMIT = 100
MAX_QUERY_INT = 2**31 - 1
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """One requested page: 1-based ``page`` and ``limit`` rows per page."""

    page: int
    limit: int

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (self.page - 1) * self.limit

    def last_page(self, total: int) -> int:
        """The last page of a result set of ``total`` rows (an empty set still has one page)."""
        return max(1, math.ceil(total / self.limit))

    def headers(self, total: int) -> dict[str, str]:
        """The pagination headers for a result set of ``total`` rows."""
        pages = self.last_page(total)
        headers = {"X-Total-Count": str(total), "X-Total-Pages": str(pages), "X-Page-Number": str(self.page)}
        if self.page < pages:
            headers["X-Next-Page"] = str(self.page + 1)
        if self.page > 1:
            headers["X-Prev-Page"] = str(self.page - 1)
        return headers


def split_pages(rows: Sequence[T], limit: int, count: int) -> list[Sequence[T]]:
    """The rows of ``count`` consecutive pages of ``limit`` (read in one query), one sequence a page."""
    return [rows[at : at + limit] for at in range(0, count * limit, limit)]


def positive_int(name: str, raw: str) -> int:
    """A query parameter as an integer in 1..2**31-1 (422 naming ``name`` otherwise)."""
    try:
        value = int(raw)
    except ValueError:
        raise invalid({name: ["must be an integer"]}) from None
    if value < 1:
        raise invalid({name: ["must be greater than or equal to 1"]})
    if value > MAX_QUERY_INT:
        raise invalid({name: [f"must be at most {MAX_QUERY_INT}"]})
    return value


def query_bool(name: str, raw: str) -> bool:
    """A ``true``/``false`` query parameter (also 1/0), 422 naming ``name`` otherwise."""
    value = raw.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise invalid({name: ["must be true or false"]})
    return value in ("true", "1")


def page_request(request: Request, default: int = DEFAULT_LIMIT) -> PageRequest:
    """Read page and limit (``limit``, ``per_page`` or ``per``) from the query string: the limit is capped at 100
    and is ``default`` when absent."""
    query = request.query_params
    page = positive_int("page", query["page"]) if query.get("page") else 1
    limit = default
    for name in ("limit", "per_page", "per"):
        if query.get(name):
            limit = min(MAX_LIMIT, positive_int(name, query[name]))
            break
    return PageRequest(page, limit)
