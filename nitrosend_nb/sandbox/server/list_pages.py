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
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute

from ..state import SandboxState
from .dependencies import BRAND_HEADER

#: Bytes of list pages remembered (least recently used go first); all of them are forgotten at the next write.
PAGE_MEMO_BYTES = 32 * 1024 * 1024


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

    def _forget(self, version: tuple) -> None:
        self._pages.clear()
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
            key = (request.scope["path"], request.scope["query_string"], request.headers.get(BRAND_HEADER))
            version = state.store.version(wait=False)
            found = memo.recall(key, version) if version is not None else None
            if found is not None:
                return found
            response, version = await run_in_threadpool(state.store.consistent, partial(endpoint, request))
            if version is not None:
                memo.keep(key, version, response)
            return response

        return handler
