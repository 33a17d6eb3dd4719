"""Contact lists: static lists (explicit ``contact_ids``) or lists populated from a segment, and bulk membership
by email; ``contacts_count`` is always the live member count."""

from __future__ import annotations

from ..errors import invalid
from ..state import SandboxState
from .audience import matching_ids, segment_condition
from .models import ListBulk, ListCreate, ListUpdate
from .resource import Resource

FIELDS = (
    "id",
    "account_id",
    "brand_id",
    "name",
    "contacts_count",
    "segment_id",
    "stale",
    "last_populated_at",
    "created_at",
    "updated_at",
)


class Lists(Resource):
    """Static lists (explicit ``contact_ids``) or lists populated from a segment."""

    table, label, fields = "lists", "List", FIELDS
    create_model, update_model = ListCreate, ListUpdate

    def present(self, state: SandboxState, docs: list) -> list:
        counts = state.store.member_counts([d["id"] for d in docs])
        return [{**{k: d.get(k) for k in FIELDS}, "contacts_count": counts[d["id"]]} for d in docs]

    @staticmethod
    def _check(state: SandboxState, changes: dict) -> None:
        if changes.get("segment_id") is not None:
            segment_condition(state, changes["segment_id"])
        ids = changes.get("contact_ids") or []
        missing = sorted(set(ids) - state.existing_ids("contacts", ids))
        if missing:
            raise invalid({"contact_ids": [f"unknown contact id {i}" for i in missing]})

    def build(self, state: SandboxState, body: ListCreate, now: str) -> dict:
        changes = body.changes()
        self._check(state, changes)
        return {
            "name": body.name,
            "segment_id": body.segment_id,
            "stale": False,
            "last_populated_at": None,
            "created_at": now,
            "updated_at": now,
        }

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: ListUpdate, now: str) -> dict:
        self._check(state, changes)
        doc.update({k: v for k, v in changes.items() if k in ("name", "segment_id")})
        return doc

    def after_save(self, state: SandboxState, doc: dict, body: ListUpdate) -> None:
        if body.contact_ids is not None:
            state.store.set_list_members(doc["id"], body.contact_ids)
        elif "segment_id" in body.model_fields_set and doc.get("segment_id") is not None:
            where, params = segment_condition(state, doc["segment_id"])
            state.store.set_list_members(doc["id"], matching_ids(state, where, params))
            doc["last_populated_at"] = doc["updated_at"]
            state.store.replace(self.table, doc)

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        state.store.set_list_members(doc["id"], [])


lists = Lists()


def change_members(state: SandboxState, ident: int, body: ListBulk) -> dict:
    """Add or remove the brand's contacts with ``body.emails`` (matched case-insensitively); answers which addresses
    were added (or removed), which were already in (or not in) the list, which match no contact of the brand, and
    the list's new ``contacts_count``."""
    with state.store.atomic():
        doc = lists.fetch(state, ident)
        unique: dict[str, str] = {}
        for email in body.emails:  # first spelling of each address, in the order sent
            unique.setdefault(email.lower(), email)
        emails = list(unique.values())
        marks = ",".join("?" * len(emails))
        found = {
            row["email"].lower(): row["id"]
            for row in state.store.query("contacts", state.in_brand(f"email COLLATE NOCASE IN ({marks})"), emails)
        }
        members = state.store.list_member_ids(ident)
        adding = body.action == "add"
        changed = [e for e in emails if e.lower() in found and (found[e.lower()] in members) != adding]
        ids = [found[e.lower()] for e in changed]
        state.store.change_list_members(ident, add=ids if adding else (), remove=() if adding else ids)
        doc["updated_at"] = state.store.tick()
        state.store.replace("lists", doc)
    return {
        "list_id": ident,
        "action": body.action,
        "added": changed if adding else [],
        "removed": [] if adding else changed,
        "unchanged": [e for e in emails if e.lower() in found and e not in changed],
        "not_found": [e for e in emails if e.lower() not in found],
        "contacts_count": state.store.member_counts([ident])[ident],
    }
