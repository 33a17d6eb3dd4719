"""The state one sandbox server works on (its store, knobs, key and background workers) and the brand a request
acts for.

Brand scoping is one mechanism: the server's ``get_state`` dependency, which every /v1/my route resolves, reads
``X-Brand-SID`` once per request (no header: the account's default brand; an unknown SID: a JSON 404
``not_found``) and hands the route a :class:`SandboxState` bound to that brand (:meth:`SandboxState.for_brand`).
Routes then read and write brand-owned records only through that state: :meth:`SandboxState.in_brand` (an SQL
condition), :meth:`SandboxState.find` (one record, None outside the brand), :meth:`SandboxState.existing_ids`
and :meth:`SandboxState.insert` (the one place a new record is stamped with its owner: ``account_id`` and
``brand_id``). The generic resource layer (``services/resource.py``) goes through
the same methods, so every list, get, update, delete and create is scoped without per-route code. The
background workers (imports, webhook deliveries) run outside requests and take the brand from the record they
work on; the runner makes them and attaches them here (:meth:`SandboxState.attach`), so services reach them
through the two small interfaces below and the state imports none of them.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from .knobs import Knobs
from .store import Store


class ImportWorker(Protocol):
    """Processes accepted imports off the request path (``services.import_processing.ImportRunner``)."""

    def start(self, import_id: int) -> None:
        """Start processing the accepted import ``import_id``."""


class WebhookWorker(Protocol):
    """Delivers queued webhook deliveries off the request path (``engine.webhook_delivery.WebhookDispatcher``)."""

    def kick(self) -> None:
        """Wake the worker: new deliveries were queued."""


@dataclass
class SandboxState:
    """Everything a request handler needs: the store, the knobs, the background workers and (once bound by
    :meth:`for_brand`) the brand the request acts for."""

    store: Store
    api_key: str = "nskey_test_sandbox"
    knobs: Knobs = field(default_factory=Knobs)
    bound_brand: dict | None = None
    imports: ImportWorker = field(init=False, repr=False)
    webhooks: WebhookWorker = field(init=False, repr=False)
    reseeding: threading.Event = field(default_factory=threading.Event, repr=False)  # shared by bound copies

    def attach(self, imports: ImportWorker, webhooks: WebhookWorker) -> None:
        """Give the state its background workers (the runner makes them with this state)."""
        self.imports, self.webhooks = imports, webhooks

    @contextmanager
    def closed_for_reseeding(self) -> Iterator[None]:
        """While the block runs (a reseed), the gate answers every request with a 503 and ``Retry-After``
        instead of letting it wait for the store."""
        self.reseeding.set()
        try:
            yield
        finally:
            self.reseeding.clear()

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
        """The brand this request acts for (the default brand when the state is not bound)."""
        return self.bound_brand or self.store.get("brands", self.default_brand_id())

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
