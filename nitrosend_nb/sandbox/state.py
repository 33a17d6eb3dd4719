"""The state one sandbox server works on: its store, knobs, key, seeding options and background workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from .knobs import Knobs
from .seed import seed_store
from .store import Store


@dataclass
class SandboxState:
    """Everything a request handler needs: the store, the knobs and the seeding parameters."""

    store: Store
    api_key: str = "nskey_test_sandbox"
    seed: int = 0
    contacts: int = 250
    knobs: Knobs = field(default_factory=Knobs)
    imports: Any = field(init=False, repr=False)  # ImportRunner: processes imports off the request path
    webhooks: Any = field(init=False, repr=False)  # WebhookDispatcher: delivers webhook events off the request path

    def __post_init__(self) -> None:
        from .imports import ImportRunner
        from .webhooks import WebhookDispatcher

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
        """The account document (with its brands)."""
        return self.store.meta("account")

    def brand(self) -> dict:
        """The account's default brand."""
        return self.account()["brands"][0]

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


def get_state(request: Request) -> SandboxState:
    """FastAPI dependency: the sandbox state of the app serving ``request``."""
    return request.app.state.sandbox
