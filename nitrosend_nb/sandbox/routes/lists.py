"""Contact lists: list, create, get, update, delete; ``contacts_count`` is always the live member count."""

from __future__ import annotations

from fastapi import APIRouter

from ..audience import matching_ids, segment_condition
from ..errors import invalid
from ..models import ListCreate, ListUpdate
from ..seed import ACCOUNT_ID, BRAND_ID
from ..state import SandboxState
from .crud import Resource, register

FIELDS = ("id", "account_id", "brand_id", "name", "contacts_count", "segment_id", "stale", "last_populated_at",
          "created_at", "updated_at")


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
        missing = sorted(set(ids) - state.store.existing_ids("contacts", ids))
        if missing:
            raise invalid({"contact_ids": [f"unknown contact id {i}" for i in missing]})

    def build(self, state: SandboxState, body: ListCreate, now: str) -> dict:
        changes = body.changes()
        self._check(state, changes)
        return {"account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "name": body.name, "segment_id": body.segment_id,
                "stale": False, "last_populated_at": None, "created_at": now, "updated_at": now}

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


router = APIRouter()
register(router, Lists())
