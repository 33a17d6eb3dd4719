"""How list pages are served: the generic list endpoint's route (:class:`ListRoute`) and the pages it remembers
(:class:`PageMemo`).

A list page is the hottest request (a client reads every page of a group), so its route is lean and is added to
the app ahead of the other routes (``routes.add_list_routes``). It is a FastAPI route like the others (documented
in ``/docs``, behind the same gate, its errors through the app's exception handlers, the same brand dependency);
only its handler is its own, FastAPI's supported way: a custom ``APIRoute`` class overriding
``get_route_handler``. The handler answers a page the memo still holds right on the event loop (a dictionary
lookup and the store's version: two counters, and for a ``--db`` file ``PRAGMA data_version`` only if the store's
lock is free at once: never a wait); any other page is read in FastAPI's thread pool in one hop,
the brand resolved (:func:`.dependencies.get_state`) and the page read under the store's lock, so the event loop
never waits for the store. ``benchmarks/sandbox.py`` measures both pieces against the plain route.

The hop costs this host about 0.1-0.2 ms of CPU a page (``perf stat``: 5.7 context switches a page against 1.8 when
the page is read on the event loop; two of the extra ones are waits for the GIL), close to the page's own reading;
and clients read a listing page after page (``df()`` among them). So the hop that reads a page the memo lacks also
reads some pages after it (while the page's answer says there is a next one), under the same lock hold and at the
same version, into the memo: they are then answered on the event loop, and a request for one of them arriving
meanwhile waits for that hop instead of reading it again. The pages after the requested one are read together, in
one query (``ListDocuments.pages``: the brand resolved, the query string parsed and the count looked up once, each
page's body and headers exactly its own request's): a page read ahead costs about 0.35 ms of the reading thread's
CPU instead of 0.5-0.6 (``benchmarks/sandbox.py``, 100 contacts a page). How many grows as a listing is read
through, as an operating system's file read-ahead does (:meth:`PageMemo.read_ahead`): :data:`READ_AHEAD_PAGES` after
a page asked for out of sequence; twice as many, plus one, each time the page a hop lacks comes within reach after
the pages the listing's last hop claimed (its clients are reading it through), up to :data:`MOST_READ_AHEAD_PAGES`;
a page behind them (overtaken by a concurrent client's next page) is read with the unread ones up to them. And a
listing being read through is read on before its clients get there, as file read-ahead does asynchronously: a page
answered from memory among those its last hop claimed starts the next hop in the background
(:meth:`PageMemo.read_on`), so the clients read remembered pages while it reads (4 client threads: about 1.1-1.4x
the rows a second of waiting for each hop). A page read ahead is exactly the answer to its own query string (the
page's, with its ``page`` value replaced), so a client asking for another form of it just reads it itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from itertools import takewhile
from typing import Any, Protocol

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute

from ..state import SandboxState
from .dependencies import BRAND_HEADER

#: Bytes of list pages remembered (least recently used go first); all of them are forgotten at the next write.
PAGE_MEMO_BYTES = 32 * 1024 * 1024
#: Pages read after a page the memo lacks, in the same hop, when its listing is not being read through
#: (``benchmarks/sandbox.py --before``: with 3, a first read after a write costs 0.65 ms of server CPU a page instead
#: of 0.85; a fixed 7 saved about 0.05 ms more, at twice the reading a client of one page does not need).
READ_AHEAD_PAGES = 3
#: The most pages read ahead for a listing read through (a hop of 16 pages of 100 contacts: about 6 ms). Its
#: clients wait for a hop's pages until the whole hop is read: with 4 client threads, 15 served 1.0-1.1x the rows a
#: second of 31 and 0.9-1.2x of 7, for 0.59-0.62 ms of server CPU a page (``benchmarks/sandbox.py``, same run).
MOST_READ_AHEAD_PAGES = 15
#: Listings whose read-ahead is remembered (least recently read go first).
REMEMBERED_STREAMS = 256
#: Seconds a hop's pages read ahead may take, judged by the time the requested page took (they are read in one
#: query, as many as fit): a slow listing (a search matching few rows) is not held back by pages its client may
#: never ask for (a page of 100 contacts takes about 0.25-0.4 ms).
READ_AHEAD_SECONDS = 0.01
_PAGE = re.compile(rb"(?:^|&)page=([0-9]{1,10})(?=&|$)")

Key = tuple  # (path, query string, brand header): what a list answer depends on besides the data
# (path, the query string before and after its page value, brand header): one listing read page after page
Stream = tuple
Read = tuple[Response | None, tuple | None]  # an answer and the version it was read at (None: not to be shared)


class ListEndpoint(Protocol):
    """A list route's endpoint (``resource_routes.ListDocuments``): called in the thread pool, it resolves the
    brand itself."""

    def __call__(self, request: Request) -> Response:
        """The response to ``request``."""

    def pages(self, request: Request, count: int) -> list[Response]:
        """The responses to ``request``'s page and the ``count - 1`` after it (fewer past the last page)."""


class PageMemo:
    """List responses (200s: body and headers) remembered while the stored data stays at the version they were
    read at, keyed by what the answer depends on besides the data: the path, the query string and the
    ``X-Brand-SID`` header (the gate's checks and knobs run before the route either way). Used from the event
    loop only, so it needs no lock."""

    def __init__(self, budget: int = PAGE_MEMO_BYTES) -> None:
        self.budget = budget
        self._pages: OrderedDict[tuple, Response] = OrderedDict()
        self._bytes = 0
        self._version: tuple | None = None
        self._reading: dict[Key, asyncio.Future[Read]] = {}
        self._streams: OrderedDict[Stream, list[int]] = OrderedDict()  # [last page its hops read, pages ahead]
        self._hops: set[asyncio.Task] = set()

    def __len__(self) -> int:
        """How many pages are remembered."""
        return len(self._pages)

    def recall(self, key: tuple, version: tuple) -> Response | None:
        """The response remembered for ``key`` at ``version``, or None."""
        if version != self._version:
            self._forget(version)
            return None
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
        return found

    def keep(self, key: tuple, version: tuple, response: Response) -> None:
        """Remember a 200 ``response`` for ``key``, read at ``version``."""
        if version != self._version:
            self._forget(version)
        if response.status_code != 200 or len(response.body) > self.budget:
            return
        self._pages[key] = response  # sent again as it is: a response's body and headers never change once made
        self._bytes += len(response.body)
        while self._bytes > self.budget:
            self._bytes -= len(self._pages.popitem(last=False)[1].body)

    def read_ahead(self, stream: Stream, page: int) -> tuple[int, int | None]:
        """How many pages to read after ``page`` of ``stream``, a page no hop is reading (see the module
        docstring), and the last page that claims, to tell :meth:`read_through` (None: the listing's frontier
        stays). A page at most :data:`MOST_READ_AHEAD_PAGES` behind the listing's frontier (a concurrent client's
        request overtaken by another's, a page a hop stopped short of) is read with those after it up to the
        frontier; one within reach after it, with more than the last hop read; any other, with
        :data:`READ_AHEAD_PAGES`."""
        last = self._streams.pop(stream, None)
        if last is not None and last[1] and last[0] - MOST_READ_AHEAD_PAGES <= page <= last[0]:
            self._streams[stream] = last
            return last[0] - page, None
        if last is not None and last[1] and page <= last[0] + last[1] + 1:
            count = min(2 * last[1] + 1, MOST_READ_AHEAD_PAGES)
        else:
            count = READ_AHEAD_PAGES
        self._streams[stream] = [page + count, count]
        while len(self._streams) > REMEMBERED_STREAMS:
            self._streams.popitem(last=False)
        return count, page + count

    def read_on(self, stream: Stream, page: int) -> tuple[int, int, int] | None:
        """``(first page, pages, last page claimed)`` of the pages to read in the background after ``page`` of
        ``stream`` was answered from memory, when it lies among the pages the listing's last hop claimed and the
        last of them has a next page (None otherwise): the next hop then reads while its clients still read what
        the last one did, twice as many pages, plus one, up to :data:`MOST_READ_AHEAD_PAGES`."""
        last = self._streams.get(stream)
        if last is None or not last[1] or not last[0] - last[1] <= page <= last[0]:
            return None
        frontier, ahead = last
        path, before, after, brand = stream
        edge = self._pages.get((path, before + str(frontier).encode() + after, brand))
        if edge is None or "x-next-page" not in edge.headers:
            return None
        count = min(2 * ahead + 1, MOST_READ_AHEAD_PAGES)
        self._streams[stream] = [frontier + count, count]
        return frontier + 1, count, frontier + count

    def hold(self, task: asyncio.Task) -> None:
        """Keep a background hop's task until it is done (the event loop holds only weak references)."""
        self._hops.add(task)
        task.add_done_callback(self._hops.discard)

    def read_through(self, stream: Stream, claimed: int, last_page: int) -> None:
        """Note that the hop that claimed ``stream``'s pages up to ``claimed`` read up to ``last_page``."""
        last = self._streams.get(stream)
        if last is not None and last[0] == claimed:
            last[0] = last_page

    def reading(self, key: Key) -> asyncio.Future[Read] | None:
        """The answer for ``key`` a hop is reading now (ahead of its request), or None."""
        return self._reading.get(key)

    def expect(self, keys: list[Key]) -> dict[Key, asyncio.Future[Read]]:
        """Say that ``keys`` are being read (those neither being read nor remembered at the current version):
        their futures, to :meth:`deliver` once read. None with no room to remember them."""
        if not self.budget:
            return {}
        loop = asyncio.get_running_loop()
        fresh = {key: loop.create_future() for key in keys if key not in self._reading and key not in self._pages}
        self._reading.update(fresh)
        return fresh

    def deliver(
        self, futures: dict[Key, asyncio.Future[Read]], read: dict[Key, Response], version: tuple | None
    ) -> None:
        """Remember the answers ``read`` at ``version`` and hand every expected key its answer (None: not read)."""
        for key, future in futures.items():
            del self._reading[key]
            response = read.get(key)
            if response is not None and version is not None:
                self.keep(key, version, response)
            future.set_result((response, version))

    def _forget(self, version: tuple) -> None:
        self._pages.clear()
        self._streams.clear()
        self._bytes = 0
        self._version = version


class ListRoute(APIRoute):
    """The route of a generic list endpoint (see the module docstring); its endpoint takes the request alone and
    resolves the brand itself."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        """A handler answering from the app's :class:`PageMemo` or, in one thread-pool hop, from the store."""
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            state: SandboxState = request.app.state.sandbox
            memo: PageMemo = request.app.state.pages
            path, query, brand = request.scope["path"], request.scope["query_string"], request.headers.get(BRAND_HEADER)
            key = (path, query, brand)
            stream, page = _paging(path, query, brand)
            version = state.store.version(wait=False)
            if version is not None:
                found = memo.recall(key, version)
                if found is None and (reading := memo.reading(key)) is not None:
                    response, read_at = await asyncio.shield(reading)
                    if response is not None and read_at == version:  # the data as it was when the request came
                        found = response
                if found is not None:
                    planned = memo.read_on(stream, page) if stream else None
                    if planned is not None:
                        memo.hold(asyncio.create_task(_hop(state, memo, endpoint, request, stream, *planned)))
                    return found
            count, claimed = memo.read_ahead(stream, page) if stream else (0, None)
            pages = {key: page, **_following(stream, page, count)} if stream else {key: 0}
            return (await _read(state, memo, endpoint, request, pages, stream, claimed))[0]

        return handler


async def _read(
    state: SandboxState,
    memo: PageMemo,
    endpoint: ListEndpoint,
    request: Request,
    pages: dict[Key, int],
    stream: Stream | None,
    claimed: int | None,
) -> Read:
    """Read ``request``'s page and, in the same hop, those after it among ``pages`` (its key first, then the keys
    after it, with their page numbers) that no other hop is reading and the memo lacks; requests for them meanwhile
    wait for it. Every page read goes into the memo, and when this hop claimed ``stream``'s pages up to ``claimed``,
    how far it read (:meth:`PageMemo.read_through`). The answer to ``request`` and the version it was read at."""
    own, *after = pages
    futures = memo.expect(list(pages))
    ahead, read, read_at = list(takewhile(futures.__contains__, after)), {}, None  # up to one being read
    try:
        (response, more), read_at = await run_in_threadpool(
            state.store.consistent, lambda: _read_pages(endpoint, request, ahead)
        )
        read = {own: response, **more}
    finally:
        memo.deliver(futures, read, read_at)
        if claimed is not None:
            memo.read_through(stream, claimed, max((pages[key] for key in read), default=pages[own] - 1))
    if own not in futures and read_at is not None:
        memo.keep(own, read_at, response)
    return response, read_at


async def _hop(
    state: SandboxState,
    memo: PageMemo,
    endpoint: ListEndpoint,
    request: Request,
    stream: Stream,
    first: int,
    count: int,
    claimed: int,
) -> None:
    """Read ``count`` pages of ``stream`` from ``first`` on into the memo, in the background (see
    :meth:`PageMemo.read_on`); ``request`` is a request of the listing's. A page it cannot read is left to its own
    request."""
    pages = _following(stream, first - 1, count)
    asked = Request({**request.scope, "query_string": next(iter(pages))[1]}, request.receive)  # as its client will
    with contextlib.suppress(Exception):  # nothing read ahead: each page's own request reads it, answers the error
        await _read(state, memo, endpoint, asked, pages, stream, claimed)


def _paging(path: str, query: bytes, brand: str | None) -> tuple[Stream | None, int]:
    """The listing a request reads page after page and the page it asks for: ``(None, 0)`` when its query string
    names no page or names it more than once."""
    found = list(_PAGE.finditer(query))
    if len(found) != 1:
        return None, 0
    start, end = found[0].span(1)
    return (path, query[:start], query[end:], brand), int(found[0].group(1))


def _following(stream: Stream, page: int, count: int) -> dict[Key, int]:
    """The keys of the ``count`` pages after ``page`` of ``stream`` (its query string with the page value replaced
    in place), each with its page number."""
    path, before, after, brand = stream
    return {(path, before + str(page + step).encode() + after, brand): page + step for step in range(1, count + 1)}


def _read_pages(endpoint: ListEndpoint, request: Request, ahead: list[Key]) -> tuple:
    """The answer to ``request`` and those to the requests for the pages ``ahead`` (keys of the consecutive
    pages after it), the latter read together (:meth:`ListEndpoint.pages`: one query) when the former says there
    is a next page, as many as fit in :data:`READ_AHEAD_SECONDS` at the time ``request``'s page took:
    ``(response, {key: response})``. Runs in the thread pool, under the store's lock."""
    started = time.perf_counter()
    response = endpoint(request)
    fit = min(len(ahead), int(READ_AHEAD_SECONDS / max(time.perf_counter() - started, 1e-6)))
    if not fit or response.status_code != 200 or "x-next-page" not in response.headers:
        return response, {}
    try:
        read = endpoint.pages(Request({**request.scope, "query_string": ahead[0][1]}, request.receive), fit)
    except Exception:  # not read ahead: each page's own request reads it and answers the error
        return response, {}
    return response, dict(zip(ahead, read, strict=False))  # fewer past the last page
