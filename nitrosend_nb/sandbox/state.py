"""The state one sandbox server works on: its store, knobs, key and seeding options."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def ensure_seeded(self) -> None:
        """Seed an empty store; leave a store that already holds data (``--db`` restart) untouched."""
        if not self.store.meta("seeded"):
            self.reseed()


async def get_state(request: Request) -> SandboxState:
    """FastAPI dependency: the sandbox state of the app serving ``request`` (async: it does no I/O, so FastAPI
    calls it on the event loop instead of paying a worker-thread hop on every request)."""
    return request.app.state.sandbox
