"""Pagination shared by every list endpoint: the ``Page`` type and the concurrent page fetcher.

Page 1 is fetched first; its ``X-Total-Pages`` header tells how many remain, and those are fetched
concurrently (at most ``concurrency`` at a time, further slowed by the shared 429 limiter) while being
yielded strictly in API order. A tqdm progress bar (a widget in Jupyter, text in a terminal) shows fetches
of more than one page, labelled with the resource name.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import requests
from tqdm.auto import tqdm

from nitrosend_nb.client.transport import Transport

__all__ = ["Page", "fetch_page", "iter_pages", "FETCH_LIMIT"]

FETCH_LIMIT = 100  # the API's maximum page size, used by .iter() and .df()


class Page(list):
    """One page of records: a list of dicts with ``.page``, ``.limit``, ``.total`` (records in all pages),
    ``.total_pages`` and ``.next_page`` (None on the last page)."""

    def __init__(self, records: list, *, page: int, limit: int | None, total: int, total_pages: int,
                 next_page: int | None) -> None:
        super().__init__(records)
        self.page = page
        self.limit = limit
        self.total = total
        self.total_pages = total_pages
        self.next_page = next_page

    @classmethod
    def from_response(cls, response: requests.Response, *, page: int, limit: int) -> Page:
        """Read a paginated response (bare JSON array + X-Total-* headers)."""
        records = response.json()
        headers = response.headers
        total = _int_header(headers, "X-Total-Count")
        return cls(records, page=_int_header(headers, "X-Page-Number") or page, limit=limit,
                   total=len(records) if total is None else total,
                   total_pages=_int_header(headers, "X-Total-Pages") or 1,
                   next_page=_int_header(headers, "X-Next-Page"))

    @classmethod
    def whole(cls, records: list, *, page: int = 1) -> Page:
        """Wrap an endpoint's whole (unpaginated) array as its only page; later pages are empty."""
        return cls(records if page == 1 else [], page=page, limit=None, total=len(records), total_pages=1,
                   next_page=None)


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def fetch_page(transport: Transport, path: str, params: Mapping[str, object], page: int, limit: int) -> Page:
    """GET one page of a paginated list."""
    response = transport.request("GET", path, params={**params, "page": page, "limit": limit})
    return Page.from_response(response, page=page, limit=limit)


def iter_pages(
    transport: Transport,
    path: str,
    params: Mapping[str, object],
    *,
    label: str,
    concurrency: int,
    progress: bool,
    max_records: int | None = None,
    limit: int = FETCH_LIMIT,
) -> Iterator[Page]:
    """Yield every page of ``path`` in order (only as many as ``max_records`` needs), pages 2.. concurrently."""
    first = fetch_page(transport, path, params, 1, limit)
    last = first.total_pages
    if max_records is not None:
        last = min(last, max(1, math.ceil(max_records / limit)))
    if last <= 1:
        yield first
        return
    bar = tqdm(total=last, initial=1, desc=label, unit="page", disable=not progress, leave=False)
    try:
        yield first
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"nitrosend-{label}") as pool:
            futures = [pool.submit(fetch_page, transport, path, params, n, limit) for n in range(2, last + 1)]
            try:
                for future in futures:
                    page = future.result()
                    bar.update(1)
                    yield page
            finally:  # on error or early stop, drop the pages not started yet
                for future in futures:
                    future.cancel()
        # Records created while we fetched push the oldest ones past the planned last page: follow the links.
        while max_records is None and page.next_page:
            page = fetch_page(transport, path, params, page.next_page, limit)
            bar.total += 1
            bar.update(1)
            yield page
    finally:
        bar.close()
