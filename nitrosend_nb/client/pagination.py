"""Pagination shared by every list endpoint: the ``Page`` type, the paginators and the concurrent page fetcher.

A paginator is the strategy one endpoint pages by (after dlt's ``rest_client.paginators``, but stateless, so that
pages can be fetched concurrently): the query asking for page *n* and how to read a response into a
:class:`PageBody` (its body not decoded yet, which Arrow's JSON reader reads as it is), decoded into a
:class:`Page` of records.
:class:`HeaderPageNumberPaginator` serves the API's paginated lists (``page``/``limit`` in, ``X-Total-*`` headers
out); :class:`SinglePagePaginator` serves endpoints that answer with their whole array.

:func:`iter_pages` fetches page 1 first; its ``X-Total-Pages`` header tells how many remain, and those are fetched
concurrently (at most ``concurrency`` at a time, further slowed by the shared 429 limiter) while being yielded
strictly in API order. A tqdm progress bar (a widget in Jupyter, text in a terminal) shows fetches of more than
one page, labelled with the resource name. :func:`unique_pages` and :func:`unique_tables` keep each record id once,
in pages of records or in Arrow tables.
"""

from __future__ import annotations

import bisect
import math
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import compress, islice
from operator import itemgetter
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import requests
from tqdm.auto import tqdm

from nitrosend_nb.client.defaults import PAGE_SIZE

__all__ = [
    "Page",
    "PageBody",
    "Paginator",
    "HeaderPageNumberPaginator",
    "SinglePagePaginator",
    "Requester",
    "iter_pages",
    "json_body",
    "unique_pages",
    "unique_tables",
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


@dataclass(frozen=True)
class PageBody:
    """One page's response body, not decoded yet, with the page numbers and totals its headers give (``total``
    None where they give none: the page's own records count then)."""

    content: bytes
    page: int
    limit: int | None
    total: int | None
    total_pages: int
    next_page: int | None

    def decoded(self) -> Page:
        """The page's records, decoded by orjson."""
        records = orjson.loads(self.content) if self.content else []
        total = len(records) if self.total is None else self.total
        return Page(
            records,
            page=self.page,
            limit=self.limit,
            total=total,
            total_pages=self.total_pages,
            next_page=self.next_page,
        )


class Paginator(ABC):
    """How one list endpoint pages its records: what to ask for page ``page`` of ``limit`` records, and how to
    read the answer."""

    @abstractmethod
    def query(self, page: int, limit: int) -> dict[str, object]:
        """The query parameters asking for page ``page`` of ``limit`` records."""

    @abstractmethod
    def read_body(self, response: requests.Response, *, page: int, limit: int) -> PageBody:
        """The page a response to :meth:`query`'s request holds, its body not decoded yet."""

    def read(self, response: requests.Response, *, page: int, limit: int) -> Page:
        """The page a response to :meth:`query`'s request holds."""
        return self.read_body(response, page=page, limit=limit).decoded()

    def get(
        self, request: Requester, path: str, params: Mapping[str, object], page: int, limit: int
    ) -> requests.Response:
        """The response to the GET of page ``page`` of ``path`` (filtered by ``params``) through ``request``."""
        return request("GET", path, params={**params, **self.query(page, limit)})

    def fetch_body(
        self, request: Requester, path: str, params: Mapping[str, object], page: int, limit: int
    ) -> PageBody:
        """GET page ``page`` of ``path`` (filtered by ``params``) through ``request``, its body not decoded."""
        return self.read_body(self.get(request, path, params, page, limit), page=page, limit=limit)

    def fetch(self, request: Requester, path: str, params: Mapping[str, object], page: int, limit: int) -> Page:
        """GET page ``page`` of ``path`` (filtered by ``params``) through ``request``."""
        return self.read(self.get(request, path, params, page, limit), page=page, limit=limit)


class HeaderPageNumberPaginator(Paginator):
    """The API's paginated lists: ``page`` and ``limit`` query parameters; a bare JSON array answered with
    ``X-Total-Count``, ``X-Total-Pages``, ``X-Page-Number`` and ``X-Next-Page`` headers."""

    def query(self, page: int, limit: int) -> dict[str, object]:
        """``{"page": page, "limit": limit}``."""
        return {"page": page, "limit": limit}

    def read_body(self, response: requests.Response, *, page: int, limit: int) -> PageBody:
        """The array, with the page numbers and totals the headers give (the request's own when absent)."""
        headers = response.headers
        return PageBody(
            response.content,
            page=_int_header(headers, "X-Page-Number") or page,
            limit=limit,
            total=_int_header(headers, "X-Total-Count"),
            total_pages=_int_header(headers, "X-Total-Pages") or 1,
            next_page=_int_header(headers, "X-Next-Page"),
        )


class SinglePagePaginator(Paginator):
    """Endpoints that answer with their whole array (templates, segments): it is page 1, later pages are empty."""

    def query(self, page: int, limit: int) -> dict[str, object]:
        """Nothing: the endpoint takes no paging parameters."""
        return {}

    def read_body(self, response: requests.Response, *, page: int, limit: int) -> PageBody:
        """The whole array as the only page (``limit`` None: the endpoint does not page); later pages are empty,
        their total the array's length."""
        if page == 1:
            return PageBody(response.content, page=1, limit=None, total=None, total_pages=1, next_page=None)
        total = len(json_body(response) or [])
        return PageBody(b"[]", page=page, limit=None, total=total, total_pages=1, next_page=None)


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
    bodies: bool = False,
) -> Iterator[Page] | Iterator[PageBody]:
    """Yield every page of ``path`` in order (only as many as ``max_records`` needs), pages 2.. concurrently;
    with ``bodies``, as :class:`PageBody` objects, not decoded."""
    read, fetch = (paginator.read_body, paginator.fetch_body) if bodies else (paginator.read, paginator.fetch)
    first = fetch(request, path, params, 1, limit)
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
            # consumer than that, so memory holds a few pages, however many the list has. A page is decoded when
            # its turn comes, so the window holds response bodies (a tenth of their decoded size), not records.
            numbers = iter(range(2, last + 1))
            window: deque[tuple[int, Future[requests.Response]]] = deque(
                (n, pool.submit(paginator.get, request, path, params, n, limit))
                for n in islice(numbers, concurrency * AHEAD)
            )
            try:
                while window:
                    number, future = window.popleft()
                    page = read(future.result(), page=number, limit=limit)
                    for n in islice(numbers, 1):
                        window.append((n, pool.submit(paginator.get, request, path, params, n, limit)))
                    bar.update(1)
                    yield page
            finally:  # on error or early stop, drop the pages not started yet
                for _, future in window:
                    future.cancel()
        # Records created while we fetched push the oldest ones past the planned last page: follow the links.
        while max_records is None and page.next_page:
            page = fetch(request, path, params, page.next_page, limit)
            bar.total += 1
            bar.update(1)
            yield page
    finally:
        bar.close()


class _SeenIds:
    """A set of record ids, small for millions of records: while every page's ids are a run of consecutive
    integers not seen before (a list read in id order), only the runs are kept (merged, found by bisection);
    otherwise about one byte per dense integer id (one 64 KB array per block of 65,536 ids once a block holds
    many), and a set for the other ids. A page's ids are checked and recorded together, with numpy."""

    _BLOCK_BITS = 16
    _DENSE = 2048  # ids of one block kept in a set until this many, then in the block's array

    def __init__(self) -> None:
        self._blocks: dict[int, set[int] | np.ndarray] = {}
        self._other: set = set()
        self._starts: list[int] | None = []  # the runs (None once ids are kept in blocks): first ids...
        self._ends: list[int] = []  # ... and last ids, ascending, neither overlapping nor touching

    def fresh(self, records: list) -> list:
        """The records whose id was not seen before (or that have none), recording their ids."""
        try:
            ids = list(map(itemgetter("id"), records))
        except (KeyError, TypeError):
            ids = None
        if ids and set(map(type, ids)) == {int}:  # checked in Python: 100 ids are not worth a numpy array
            low, high = min(ids), max(ids)
            if low >= 0 and high < 2**63 and len(set(ids)) == len(ids):
                if high - low + 1 == len(ids) and self._new_run(low, high):
                    return list(records)
                keep = self._add_ints(np.array(ids, dtype=np.int64), low, high)
                return list(records) if keep.all() else list(compress(records, keep.tolist()))
        return [
            record
            for record in records
            if not isinstance(record, dict) or record.get("id") is None or self._add(record["id"])
        ]

    def fresh_column(self, ids: pa.ChunkedArray) -> np.ndarray:
        """Of a table's id column, a mask of the rows whose id was not seen before (or that have none; an id
        repeated in the column: its first), recording their ids. Checked with numpy: 2,000 ids a table."""
        if pa.types.is_int64(ids.type) and not ids.null_count and len(ids):
            values = ids.to_numpy()
            low, high = int(values.min()), int(values.max())
            if low >= 0 and len(np.unique(values)) == len(values):
                if high - low + 1 == len(values) and self._new_run(low, high):
                    return np.ones(len(values), dtype=bool)
                return self._add_ints(values, low, high)
        keys = ids.to_pylist()
        return np.fromiter((key is None or self._add(key) for key in keys), dtype=bool, count=len(keys))

    def _new_run(self, low: int, high: int) -> bool:
        """Record the ids ``low..high`` as a run when only runs are kept and none of them was seen; False (nothing
        recorded) otherwise."""
        starts, ends = self._starts, self._ends
        if starts is None:
            return False
        at = bisect.bisect_right(starts, high)
        if at and ends[at - 1] >= low:
            return False
        if at and ends[at - 1] == low - 1:  # joins the run before it
            at -= 1
            low = starts.pop(at)
            ends.pop(at)
        if at < len(starts) and starts[at] == high + 1:  # and the one after it
            starts.pop(at)
            high = ends.pop(at)
        starts.insert(at, low)
        ends.insert(at, high)
        return True

    def _blocks_only(self) -> None:
        """Keep the ids of the runs in blocks from now on."""
        size = 1 << self._BLOCK_BITS
        for low, high in zip(self._starts or (), self._ends, strict=True):
            for block in range(low >> self._BLOCK_BITS, (high >> self._BLOCK_BITS) + 1):
                seen = self._blocks.setdefault(block, np.zeros(size, dtype=np.bool_))
                base = block << self._BLOCK_BITS
                seen[max(low - base, 0) : min(high - base, size - 1) + 1] = True
        self._starts, self._ends = None, []

    def _add(self, key: object) -> bool:
        """Record one id; True when it was not seen before."""
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < 2**63:
            return bool(self._add_ints(np.array([key], dtype=np.int64), key, key)[0])
        if key in self._other:
            return False
        self._other.add(key)
        return True

    def _add_ints(self, ids: np.ndarray, low: int, high: int) -> np.ndarray:
        """Record distinct non-negative integer ids (``low`` the least, ``high`` the greatest); a mask of those not
        seen before."""
        if self._starts is not None:
            self._blocks_only()
        offsets = ids & ((1 << self._BLOCK_BITS) - 1)
        if low >> self._BLOCK_BITS == high >> self._BLOCK_BITS:
            groups = [(low >> self._BLOCK_BITS, slice(None))]
        else:
            blocks = ids >> self._BLOCK_BITS
            groups = [(block, np.nonzero(blocks == block)[0]) for block in np.unique(blocks).tolist()]
        fresh = np.empty(len(ids), dtype=bool)
        for block, where in groups:
            members = self._blocks.setdefault(block, set())
            if isinstance(members, set):
                new = offsets[where].tolist()
                fresh[where] = [offset not in members for offset in new]
                members.update(new)
                if len(members) >= self._DENSE:
                    self._blocks[block] = seen = np.zeros(1 << self._BLOCK_BITS, dtype=np.bool_)
                    seen[np.fromiter(members, dtype=np.int64, count=len(members))] = True
            else:
                at = offsets[where]
                fresh[where] = ~members[at]
                members[at] = True
        return fresh


def unique_tables(tables: Iterable[pa.Table], index: str, max_records: int | None = None) -> Iterator[pa.Table]:
    """The rows of ``tables`` table by table, each ``index`` value once (as :func:`unique_pages`), at most
    ``max_records`` in all."""
    seen = _SeenIds()
    left = max_records
    for table in tables:
        keep = seen.fresh_column(table.column(index))
        if not keep.all():
            table = table.filter(keep)
        if left is not None:
            table = table.slice(0, left)
            left -= table.num_rows
        if table.num_rows:
            yield table
        if left is not None and left <= 0:
            return


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
