"""Brands: ``/brands`` (the whole array in one response), items keyed by ``sid``, plus onboarding."""

from __future__ import annotations

from urllib.parse import quote

from nitrosend_nb.client.frames import BRANDS
from nitrosend_nb.client.pagination import SinglePagePaginator
from nitrosend_nb.client.resources.base import Resource


def valid_sid(value: object) -> str:
    """``value`` as a brand sid (a non-blank string); ValueError otherwise, before any request."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a brand is named by its sid (a string such as 'brd_...'), got {value!r}")
    return value.strip()


class Brands(Resource):
    """The account's brands, each keyed by ``sid`` (``get``, ``update``, ``delete`` and ``onboarding`` take the
    sid). Creating one beyond the plan's allowance is a PaymentRequiredError; the default brand cannot be deleted
    (ConflictError). Contacts, lists, campaigns... belong to one brand: ``ns.with_brand(sid)`` works in another."""

    path = "/brands"
    label = "brands"
    schema = BRANDS
    paginator = SinglePagePaginator()

    def current(self) -> dict:
        """The brand this client acts for: its ``brand_sid``'s, else the account's default (the one listed first);
        its name, address and theme are what merge tags and designs are rendered with."""
        brands = list(self.list(limit=100))
        chosen = [brand for brand in brands if brand.get("sid") == self._client.brand_sid]
        return (chosen or brands or [{}])[0]

    def onboarding(self, sid: str) -> dict:
        """The brand's onboarding ``{"steps": {step: "complete"|"pending"}, "progress": {completed, total}}``."""
        return self._call("GET", f"{self._item(sid)}/onboarding")

    def _item(self, id: object) -> str:
        return "/" + quote(valid_sid(id), safe="")
