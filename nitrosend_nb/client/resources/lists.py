"""Contact lists: ``/lists`` plus bulk membership by email."""

from __future__ import annotations

from collections.abc import Iterable

from nitrosend_nb.client.frames import LISTS
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource

BULK_MAX = 1000  # addresses per bulk request (the API's limit)


class Lists(Resource):
    """Contact lists (create with ``name`` and optional ``contact_ids`` or ``segment_id``)."""

    path = "/lists"
    label = "lists"
    schema = LISTS

    def add_contacts(self, list_id: int, emails: str | Iterable[str]) -> dict:
        """Add the brand's contacts with these e-mail addresses to list ``list_id``. Returns ``added``,
        ``unchanged`` (already members), ``not_found`` (no contact has the address) and ``contacts_count``."""
        return self._bulk(list_id, "add", emails)

    def remove_contacts(self, list_id: int, emails: str | Iterable[str]) -> dict:
        """Remove the contacts with these e-mail addresses from list ``list_id`` (the contacts stay). Returns
        ``removed``, ``unchanged`` (not members), ``not_found`` and ``contacts_count``."""
        return self._bulk(list_id, "remove", emails)

    def _bulk(self, list_id: int, action: str, emails: str | Iterable[str]) -> dict:
        addresses = [emails] if isinstance(emails, str) else list(emails)
        if not addresses or not all(isinstance(e, str) and e.strip() for e in addresses):
            raise ValueError("emails must be one or more e-mail addresses")
        if len(addresses) > BULK_MAX:
            raise ValueError(f"at most {BULK_MAX} addresses per call, got {len(addresses)}")
        return self._call(
            "POST", f"/{valid_id(list_id, 'list_id')}/contacts/bulk", json={"action": action, "emails": addresses}
        )
