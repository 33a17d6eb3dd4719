"""Pagination shared by every list endpoint: the ``Page`` type, the paginators and the concurrent page fetcher.

A paginator is the strategy one endpoint pages by (after dlt's ``rest_client.paginators``, but stateless, so that
pages can be fetched concurrently): the query asking for page *n* and how to read a response into a :class:`Page`.
:class:`HeaderPageNumberPaginator` serves the API's paginated lists (``page``/``limit`` in, ``X-Total-*`` headers
out); :class:`SinglePagePaginator` serves endpoints that answer with their whole array.

:func:`iter_pages` fetches page 1 first; its ``X-Total-Pages`` header tells how many remain, and those are fetched
concurrently (at most ``concurrency`` at a time, further slowed by the shared 429 limiter) while being yielded
strictly in API order. A tqdm progress bar (a widget in Jupyter, text in a terminal) shows fetches of more than
one page, labelled with the resource name.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import compress, islice
from operator import itemgetter
from typing import Any, Protocol

import numpy as np
import orjson
import requests
from tqdm.auto import tqdm

from nitrosend_nb.client.defaults import PAGE_SIZE

__all__ = [
    "Page",
    "Paginator",
    "HeaderPageNumberPaginator",
    "SinglePagePaginator",
    "Requester",
    "iter_pages",
    "json_body",
    "unique_pages",
]


AHEAD = 4  #: pages per worker fetched ahead of the consumer at most


class Requester(Protocol):
    """What a paginator sends its GETs through (:meth:`nitrosend_nb.Nitrosend.request`)."""

    def __call__(self, method: str, path: str, *, params: Mapping[str, object] | None = None) -> requests.Response: ...


def json_body(response: requests.Response) -> Any:
    """The response's JSON body, decoded by orjson (several times faster than ``response.json()`` on large
    pages); None when the body is empty. Every body the client reads is decoded here."""
    return orjson.loads(response.content) if response.content else None


class Page(list):
    """One page of records: a list of dicts with ``.page``, ``.limit``, ``.total`` (records in all pages),
    ``.total_pages`` and ``.next_page`` (None on the last page)."""

    def __init__(
        self, records: list, *, page: int, limit: int | None, total: int, total_pages: int, next_page: int | None
    ) -> None:
        super().__init__(records)
        self.page = page
        self.limit = limit
        self.total = total
        self.total_pages = total_pages
        self.next_page = next_page


class Paginator(ABC):
    """How one list endpoint pages its records: what to ask for page ``page`` of ``limit`` records, and how to
    read the answer."""

    @abstractmethod
    def query(self, page: int, limit: int) -> dict[str, object]:
        """The query parameters asking for page ``page`` of ``limit`` records."""

    @abstractmethod
    def read(self, response: requests.Response, *, page: int, limit: int) -> Page:
        """The page a response to :meth:`query`'s request holds."""

    def fetch(self, request: Requester, path: str, params: Mapping[str, object], page: int, limit: int) -> Page:
        """GET page ``page`` of ``path`` (filtered by ``params``) through ``request``."""
        response = request("GET", path, params={**params, **self.query(page, limit)})
        return self.read(response, page=page, limit=limit)


class HeaderPageNumberPaginator(Paginator):
    """The API's paginated lists: ``page`` and ``limit`` query parameters; a bare JSON array answered with
    ``X-Total-Count``, ``X-Total-Pages``, ``X-Page-Number`` and ``X-Next-Page`` headers."""

    def query(self, page: int, limit: int) -> dict[str, object]:
        """``{"page": page, "limit": limit}``."""
        return {"page": page, "limit": limit}

    def read(self, response: requests.Response, *, page: int, limit: int) -> Page:
        """The array, with the page numbers and totals the headers give (the request's own when absent)."""
        records = json_body(response)
        headers = response.headers
        total = _int_header(headers, "X-Total-Count")
        return Page(
            records,
            page=_int_header(headers, "X-Page-Number") or page,
            limit=limit,
            total=len(records) if total is None else total,
            total_pages=_int_header(headers, "X-Total-Pages") or 1,
            next_page=_int_header(headers, "X-Next-Page"),
        )


class SinglePagePaginator(Paginator):
    """Endpoints that answer with their whole array (templates, segments): it is page 1, later pages are empty."""

    def query(self, page: int, limit: int) -> dict[str, object]:
        """Nothing: the endpoint takes no paging parameters."""
        return {}

    def read(self, response: requests.Response, *, page: int, limit: int) -> Page:
        """The whole array as the only page (``limit`` None: the endpoint does not page)."""
        records = json_body(response)
        return Page(
            records if page == 1 else [], page=page, limit=None, total=len(records), total_pages=1, next_page=None
        )


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def iter_pages(
    request: Requester,
    path: str,
    params: Mapping[str, object],
    *,
    paginator: Paginator,
    label: str,
    concurrency: int,
    progress: bool,
    max_records: int | None = None,
    limit: int = PAGE_SIZE,
) -> Iterator[Page]:
    """Yield every page of ``path`` in order (only as many as ``max_records`` needs), pages 2.. concurrently."""
    first = paginator.fetch(request, path, params, 1, limit)
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
            # A window of pages in flight or waiting to be consumed: fetching never runs further ahead of the
            # consumer than that, so memory holds a few pages, however many the list has.
            numbers = iter(range(2, last + 1))
            window: deque[Future[Page]] = deque(
                pool.submit(paginator.fetch, request, path, params, n, limit)
                for n in islice(numbers, concurrency * AHEAD)
            )
            try:
                while window:
                    page = window.popleft().result()
                    for n in islice(numbers, 1):
                        window.append(pool.submit(paginator.fetch, request, path, params, n, limit))
                    bar.update(1)
                    yield page
            finally:  # on error or early stop, drop the pages not started yet
                for future in window:
                    future.cancel()
        # Records created while we fetched push the oldest ones past the planned last page: follow the links.
        while max_records is None and page.next_page:
            page = paginator.fetch(request, path, params, page.next_page, limit)
            bar.total += 1
            bar.update(1)
            yield page
    finally:
        bar.close()


class _SeenIds:
    """A set of record ids in about one bit per id for dense integer ids (one 8 KB bitmap per block of 65,536
    ids once a block holds many), so de-duplicating ten million records stays small; other ids go in a set.
    A page's ids are checked and recorded together, with numpy."""

    _BLOCK_BITS = 16
    _DENSE = 2048  # ids of one block kept in a set until this many, then in the block's bitmap

    def __init__(self) -> None:
        self._blocks: dict[int, set[int] | np.ndarray] = {}
        self._other: set = set()

    def fresh(self, records: list) -> list:
        """The records whose id was not seen before (or that have none), recording their ids."""
        try:
            ids = list(map(itemgetter("id"), records))
        except (KeyError, TypeError):
            ids = None
        if ids and set(map(type, ids)) == {int} and min(ids) >= 0 and max(ids) < 2**63 and len(set(ids)) == len(ids):
            keep = self._add_ints(np.array(ids, dtype=np.int64))
            return list(records) if keep.all() else list(compress(records, keep.tolist()))
        return [
            record
            for record in records
            if not isinstance(record, dict) or record.get("id") is None or self._add(record["id"])
        ]

    def _add(self, key: object) -> bool:
        """Record one id; True when it was not seen before."""
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < 2**63:
            return bool(self._add_ints(np.array([key], dtype=np.int64))[0])
        if key in self._other:
            return False
        self._other.add(key)
        return True

    def _add_ints(self, ids: np.ndarray) -> np.ndarray:
        """Record distinct non-negative integer ids; a mask of those not seen before."""
        blocks, offsets = ids >> self._BLOCK_BITS, ids & ((1 << self._BLOCK_BITS) - 1)
        fresh = np.empty(len(ids), dtype=bool)
        for block in np.unique(blocks).tolist():
            (where,) = np.nonzero(blocks == block)
            members = self._blocks.setdefault(block, set())
            if isinstance(members, set):
                new = offsets[where].tolist()
                fresh[where] = [offset not in members for offset in new]
                members.update(new)
                if len(members) >= self._DENSE:
                    self._blocks[block] = bitmap = np.zeros(1 << (self._BLOCK_BITS - 3), dtype=np.uint8)
                    self._set_bits(bitmap, np.fromiter(members, dtype=np.int64, count=len(members)))
            else:
                at = offsets[where]
                fresh[where] = (members[at >> 3] & (1 << (at & 7))) == 0
                self._set_bits(members, at)
        return fresh

    @staticmethod
    def _set_bits(bitmap: np.ndarray, offsets: np.ndarray) -> None:
        np.bitwise_or.at(bitmap, offsets >> 3, (1 << (offsets & 7)).astype(np.uint8))


def unique_pages(pages: Generator[Page, None, None], max_records: int | None = None) -> Iterator[list]:
    """The records of ``pages`` page by page, each id once (a record can shift across a page boundary while
    pages are fetched), at most ``max_records`` in all; closes ``pages`` when done or stopped early."""
    seen = _SeenIds()
    left = max_records
    try:
        for page in pages:
            records = seen.fresh(page)
            if left is not None:
                records = records[:left]
                left -= len(records)
            if records:
                yield records
            if left is not None and left <= 0:
                return
    finally:  # stops the page fetcher (and its threads) on early exit
        pages.close()
