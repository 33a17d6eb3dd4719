"""The state one sandbox server works on (its store, knobs, key, seeding options and background workers) and the
brand a request acts for.

Brand scoping is one mechanism: :func:`get_state`, the dependency every /v1/my route resolves (the API router
declares it for all of them), reads ``X-Brand-SID`` once per request (no header: the account's default brand;
an unknown SID: a JSON 404 ``not_found``) and hands the route a :class:`SandboxState` bound to that brand.
Routes then read and write brand-owned records only through that state: :meth:`SandboxState.in_brand` (an SQL
condition), :meth:`SandboxState.find` (one record, None outside the brand), :meth:`SandboxState.existing_ids`
and :meth:`SandboxState.insert` (the one place a new record is stamped with its owner: ``account_id`` and
``brand_id``). The generic CRUD layer (``crud.py``) goes through
the same methods, so every list, get, update, delete and create is scoped without per-route code. The
background workers (imports, webhook deliveries) run outside requests and take the brand from the record they
work on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from .errors import ApiError
from .knobs import Knobs
from .store import Store
from .world.seed import seed_store

BRAND_HEADER = "X-Brand-SID"


@dataclass
class SandboxState:
    """Everything a request handler needs: the store, the knobs, the seeding parameters and (once bound by
    :func:`get_state`) the brand the request acts for."""

    store: Store
    api_key: str = "nskey_test_sandbox"
    seed: int = 0
    contacts: int = 250
    knobs: Knobs = field(default_factory=Knobs)
    bound_brand: dict | None = None
    imports: Any = field(init=False, repr=False)  # ImportRunner: processes imports off the request path
    webhooks: Any = field(init=False, repr=False)  # WebhookDispatcher: delivers webhook events off the request path

    def __post_init__(self) -> None:
        from .engine.webhook_delivery import WebhookDispatcher
        from .services.import_processing import ImportRunner

        self.imports = ImportRunner(self)
        self.webhooks = WebhookDispatcher(self)

    def start_workers(self) -> None:
        """Resume background work a --db store left unfinished (imports, pending webhook deliveries)."""
        self.imports.resume()
        self.webhooks.resume()

    def stop_workers(self) -> None:
        """Stop the background workers (before the store closes)."""
        self.imports.stop()
        self.webhooks.stop()

    def account(self) -> dict:
        """The stored account document (billing counters included; brands live in their own table)."""
        return self.store.meta("account")

    def default_brand_id(self) -> int:
        """Id of the account's default brand (the one used without ``X-Brand-SID``)."""
        return self.store.meta("default_brand_id")

    def brand_by_sid(self, sid: str) -> dict | None:
        """The brand whose ``sid`` is ``sid``, or None."""
        found = self.store.query("brands", "sid = ?", (sid,), limit=1)
        return found[0] if found else None

    def for_brand(self, brand: dict) -> SandboxState:
        """This state bound to ``brand`` (a cheap copy sharing the store, knobs and background workers)."""
        bound = copy.copy(self)  # not dataclasses.replace: that would build new workers for every request
        bound.bound_brand = brand
        return bound

    def brand(self) -> dict:
        """The brand this request acts for (the default brand when the state is not bound, remembered until the next
        write: read it, never change it)."""
        return self.bound_brand or self.store.remembered(
            ("default brand",), lambda: self.store.get("brands", self.default_brand_id())
        )

    @property
    def brand_id(self) -> int:
        """Id of :meth:`brand`."""
        return self.bound_brand["id"] if self.bound_brand else self.default_brand_id()

    # -- brand-scoped access: the one way routes reach brand-owned records -----------------------------
    def in_brand(self, where: str = "") -> str:
        """``where`` (an SQL condition over a document table, may be empty) restricted to this brand's rows."""
        scope = f"brand_id = {int(self.brand_id)}"
        return f"{scope} AND ({where})" if where else scope

    def find(self, table: str, ident: int) -> dict | None:
        """The document ``ident`` of ``table`` if it belongs to this brand, else None."""
        doc = self.store.get(table, ident)
        return doc if doc is not None and doc.get("brand_id") == self.brand_id else None

    def existing_ids(self, table: str, ids: Iterable[int]) -> set[int]:
        """The subset of ``ids`` naming documents of this brand in ``table``."""
        return self.store.existing_ids(table, ids, self.in_brand())

    def insert(self, table: str, doc: dict) -> dict:
        """Store a new brand-owned document, stamped with its :meth:`owner`."""
        return self.store.insert(table, {**doc, **self.owner()})

    def owner(self) -> dict:
        """The ``account_id`` (the brand's account) and ``brand_id`` (the request's brand) that own a new
        brand-owned document (:meth:`insert` stamps them)."""
        return {"account_id": self.brand()["account_id"], "brand_id": self.brand_id}

    def owner_email(self) -> str:
        """The account owner's address (last-resort test recipient)."""
        return self.store.meta("owner_email")

    def reseed(self) -> None:
        """Drop everything and seed the initial data again (clock back to its start), as one transaction that
        concurrent requests never see half done."""
        with self.store.atomic():
            self.store.drop_all()
            seed_store(self.store, seed=self.seed, contacts=self.contacts)
        self.knobs.clear_faults()
        self.webhooks.forget()

    def ensure_seeded(self) -> None:
        """Seed an empty store; leave a store that already holds data (``--db`` restart) untouched."""
        if not self.store.meta("seeded"):
            self.reseed()


def app_state(request: Request) -> SandboxState:
    """FastAPI dependency: the sandbox state of the app serving ``request``, bound to no brand (/_sandbox)."""
    return request.app.state.sandbox


async def get_state(request: Request) -> SandboxState:
    """FastAPI dependency of every /v1/my route: the sandbox state bound to the brand named by ``X-Brand-SID``
    (the default brand without the header; 404 ``not_found`` for an unknown SID). Resolved once per request.

    Async on purpose: two indexed lookups, far less than the worker-thread hop a plain ``def`` dependency costs
    on every request (the list endpoint is async for the same reason)."""
    state = app_state(request)
    sid = request.headers.get(BRAND_HEADER)
    if sid is None:
        return state.for_brand(state.brand())
    brand = state.brand_by_sid(sid.strip())
    if brand is None:
        raise ApiError(404, f"Brand {sid.strip()!r} not found ({BRAND_HEADER})")
    return state.for_brand(brand)
