"""A sandbox serving on a free port with pieces of its list path switched off, so ``sandbox.py`` can measure what
each piece gains against the plain form that would replace it:

* ``lean-route``: the list routes of ``server/list_pages.py`` (a lean handler, added ahead of every other route)
  give way to a plain FastAPI route in each group's router (``def`` endpoint, brand from ``Depends(get_state)``);
* ``page-memo``: list pages are no longer remembered (``PageMemo`` with no room: nothing is read ahead either);
* ``read-ahead``: a list page the memo lacks is read alone (``READ_AHEAD_PAGES = 0``), not with the pages after it;
* ``listing-memo``: counts and page boundaries of a listing are no longer remembered (``REMEMBERED_LISTINGS = 0``).

``python benchmarks/variant_sandbox.py CONTACTS [PIECE ...]`` prints ``base URL: ...`` once it listens, like
``nitrosend-nb sandbox``.
"""

# No ``from __future__ import annotations``: FastAPI reads the plain route's annotations at definition time.

import sys

from fastapi import Depends, Request
from fastapi.responses import Response

from nitrosend_nb.sandbox.server import dependencies, list_pages, resource_routes
from nitrosend_nb.sandbox.state import SandboxState
from nitrosend_nb.sandbox.store import database

PIECES = ("lean-route", "page-memo", "read-ahead", "listing-memo")


def plain_list_routes() -> None:
    """Give every generic resource a plain FastAPI list route in its group's router instead of the lean one (the
    route modules are not imported yet, so they take this ``register``)."""
    register = resource_routes.register

    def register_with_plain_list(router, resource) -> None:
        def list_documents(request: Request, state: SandboxState = Depends(dependencies.get_state)) -> Response:
            return resource.list_response(state, request)

        router.add_api_route(f"/{resource.table}", list_documents, methods=["GET"])
        register(router, resource)

    resource_routes.register = register_with_plain_list
    from nitrosend_nb.sandbox.server import app, routes

    routes.add_list_routes = app.add_list_routes = lambda _app: None


def main() -> None:
    """Serve until terminated."""
    contacts, off = int(sys.argv[1]), set(sys.argv[2:])
    unknown = off - set(PIECES)
    if unknown:
        raise SystemExit(f"unknown pieces {sorted(unknown)}; known: {', '.join(PIECES)}")
    if "lean-route" in off:
        plain_list_routes()
    if "read-ahead" in off:
        list_pages.READ_AHEAD_PAGES = 0
    if "listing-memo" in off:
        database.REMEMBERED_LISTINGS = 0
    from nitrosend_nb.sandbox import Sandbox

    sandbox = Sandbox(contacts=contacts, port=0)
    if "page-memo" in off:
        sandbox.app.state.pages.budget = 0
    sandbox.serve_forever(lambda bound: print(f"base URL: {bound.url}", flush=True))


if __name__ == "__main__":
    main()
