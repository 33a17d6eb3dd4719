"""The state one sandbox server works on: its store, knobs, key and seeding options."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from .knobs import Knobs
from .seed import ACCOUNT_ID, BRAND_ID, seed_store
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

    def owner(self) -> dict:
        """The ``account_id`` and ``brand_id`` stamped on a new brand-owned document (the default brand)."""
        return {"account_id": ACCOUNT_ID, "brand_id": BRAND_ID}

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


def get_state(request: Request) -> SandboxState:
    """FastAPI dependency: the sandbox state of the app serving ``request``."""
    return request.app.state.sandbox
