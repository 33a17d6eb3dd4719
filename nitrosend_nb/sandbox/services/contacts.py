"""Contacts: channels, subscriptions, list memberships and the list filters (the resource behind /contacts and
the rows an import writes)."""

from __future__ import annotations

import uuid

from fastapi import Request

from ..errors import invalid
from ..state import SandboxState
from ..store import iso, parse_iso
from . import contact_shape
from .audience import check_lists
from .models import ContactCreate, ContactUpdate
from .pagination import CONTACTS_LIMIT, positive_int, split_pages
from .resource import Query, Resource
from .segment_filters import escape_like

#: The contacts' served form (the store keeps each contact's JSON as returned beside it; pages are spliced from it).
SERVED_FORMS = {"contacts": contact_shape.served_text}
SORTABLE = ("id", "created_at", "updated_at", "first_name", "last_name", "email")
SEARCH = (
    "(email LIKE :q ESCAPE '\\' OR phone LIKE :q ESCAPE '\\' OR first_name LIKE :q ESCAPE '\\' "
    "OR last_name LIKE :q ESCAPE '\\' OR (first_name || ' ' || last_name) LIKE :q ESCAPE '\\')"
)


class Contacts(Resource):
    """Contacts with channels, subscriptions and list memberships."""

    table, label, fields = "contacts", "Contact", contact_shape.FIELDS
    create_model, update_model = ContactCreate, ContactUpdate
    page_size = CONTACTS_LIMIT

    def present(self, state: SandboxState, docs: list) -> list:
        memberships = state.store.list_ids_by_contact([d["id"] for d in docs])
        return [contact_shape.present(doc, memberships[doc["id"]]) for doc in docs]

    def page_bodies(
        self, state: SandboxState, where: str, query: Query, limit: int, offset: int, count: int
    ) -> list[bytes]:
        """Pages spliced from the contacts' stored served text and list ids (nothing decoded)."""
        rows = state.store.contact_page(where, query.params, query.order, limit, offset, count)
        return [contact_shape.page_text(page) for page in split_pages(rows, limit, count)]

    def list_query(self, state: SandboxState, request: Request) -> Query:
        query = request.query_params
        clauses, params = [], {}
        search = query.get("search") or query.get("q")
        if search:
            clauses.append(SEARCH)
            params["q"] = "%" + escape_like(search.strip()) + "%"
        if query.get("list_id"):
            clauses.append("id IN (SELECT contact_id FROM list_members WHERE list_id = :list_id)")
            params["list_id"] = positive_int("list_id", query["list_id"])
        if query.get("tag"):
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(contacts.doc, '$.data.tags') WHERE lower(value) = lower(:tag))"
            )
            params["tag"] = query["tag"]
        for name, operator in (("created_after", ">="), ("created_before", "<")):  # the same window as /events
            if query.get(name):
                try:
                    params[name] = iso(parse_iso(query[name]))
                except ValueError:
                    raise invalid({name: ["must be an ISO 8601 timestamp"]}) from None
                clauses.append(f"created_at {operator} :{name}")
        sort = query.get("sort", "id")
        direction = query.get("direction", "desc").lower()
        if sort not in SORTABLE:
            raise invalid({"sort": [f"must be one of {', '.join(SORTABLE)}"]})
        if direction not in ("asc", "desc"):
            raise invalid({"direction": ["must be asc or desc"]})
        order = f"{sort} {direction}" + (f", id {direction}" if sort != "id" else "")
        return Query.matching(clauses, params, order)

    def _check_unique(self, state: SandboxState, email: str | None, own_id: int | None = None) -> None:
        if email and state.store.count(
            "contacts", state.in_brand("email = ? COLLATE NOCASE AND id != ?"), (email, own_id or 0)
        ):
            raise invalid({"email": ["has already been taken"]})

    def _set_channel(
        self,
        state: SandboxState,
        doc: dict,
        kind: str,
        value: str | None,
        subscribed: bool | None,
        now: str,
        destroy: bool = False,
    ) -> None:
        """Create, change or remove the contact's email/phone channel and keep the top-level mirrors in sync."""
        channels = doc.setdefault("channels", [])
        channel = next((c for c in channels if c["kind"] == kind), None)
        if destroy:
            if channel:
                channels.remove(channel)
            channel = None
        elif channel is None and value:
            subscribed = True if subscribed is None else subscribed
            channel = contact_shape.channel(
                state.store.next_seq("channel"),
                kind,
                value,
                subscribed=subscribed,
                verified=False,
                opt_in_at=now if subscribed else None,
                opt_out_at=None if subscribed else now,
                created_at=now,
                updated_at=now,
            )
            channels.append(channel)
        elif channel is not None:
            if value:
                channel["value"] = value
            if subscribed is not None and subscribed != channel["subscribed"]:
                channel["subscribed"] = subscribed
                channel["opt_in_at" if subscribed else "opt_out_at"] = now
            channel["updated_at"] = now
        doc[kind] = channel["value"] if channel else None
        doc[f"subscribed_{kind}"] = bool(channel and channel["subscribed"])

    def _apply_channels(self, state: SandboxState, doc: dict, changes: dict, now: str) -> None:
        """Apply ``email``/``phone``, ``subscribed_*``, ``opt_in`` and ``channels_attributes`` changes."""
        opt_in = changes.get("opt_in")
        for kind in ("email", "phone"):
            flag = f"subscribed_{kind}"
            if kind in changes or flag in changes or (opt_in is not None and doc.get(kind)):
                self._set_channel(
                    state,
                    doc,
                    kind,
                    changes.get(kind) or doc.get(kind),
                    changes.get(flag, opt_in),
                    now,
                    destroy=kind in changes and changes[kind] is None,
                )
        for entry in changes.get("channels_attributes") or []:
            self._set_channel(
                state,
                doc,
                entry["kind"],
                entry.get("value"),
                entry.get("subscribed"),
                now,
                destroy=bool(entry.get("destroy")),
            )

    def build(self, state: SandboxState, body: ContactCreate, now: str) -> dict:
        changes = body.changes()
        kinds = {c["kind"] for c in changes.get("channels_attributes") or [] if c.get("value")}
        if not (changes.get("email") or changes.get("phone") or kinds):
            raise invalid({"email": ["an email or a phone is required"]})
        check_lists(state, changes.get("list_ids") or [], "list_ids")
        doc = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"nitrosend-sandbox:{now}")),
            "first_name": changes.get("first_name"),
            "last_name": changes.get("last_name"),
            "source": changes.get("source") or "api",
            "country_code": changes.get("country_code"),
            "data": changes.get("data") or {},
            "subscribed_phone": False,
            "subscribed_email": False,
            "verification_status": "unverified",
            "enrichment_status": "not_enriched",
            "last_interacted_at": None,
            "created_at": now,
            "updated_at": now,
            "email": None,
            "phone": None,
            "channels": [],
        }
        self._apply_channels(state, doc, changes, now)
        self._check_unique(state, doc.get("email"))
        return doc

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: ContactUpdate, now: str) -> dict:
        check_lists(state, changes.get("list_ids") or [], "list_ids")
        for key in ("first_name", "last_name", "source", "country_code"):
            if key in changes:
                doc[key] = changes[key]
        if changes.get("data") is not None:
            doc["data"] = {**doc.get("data", {}), **changes["data"]}
        self._apply_channels(state, doc, changes, now)
        self._check_unique(state, doc.get("email"), doc["id"])  # however the address changed (email or channels)
        return doc

    def after_save(self, state: SandboxState, doc: dict, body: ContactUpdate) -> None:
        if body.list_ids is not None:
            state.store.set_contact_lists(doc["id"], body.list_ids)

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        state.store.set_contact_lists(doc["id"], [])


contacts = Contacts()
