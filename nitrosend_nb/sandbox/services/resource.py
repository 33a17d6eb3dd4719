"""The CRUD layer: one generic implementation for every endpoint group.

A :class:`Resource` subclass (in the service module of its group) says how its documents are built, changed,
filtered (a :class:`Query`) and presented; the server's ``resource_routes.register`` turns it into list / create /
get / update / delete routes with the API's pagination and error behaviour.
Every resource is brand-owned: :meth:`Resource.fetch`, :meth:`Resource.page`, :meth:`Resource.all` and
:meth:`Resource.create` go through the request's brand-bound state (``state.find`` / ``state.in_brand`` /
``state.insert``), so a record of another brand is a 404 and creates are stamped with the request's brand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..errors import ApiError, encode, encoded_response, invalid, json_response, not_found
from ..state import SandboxState
from .idempotency import fingerprint, replay
from .pagination import DEFAULT_LIMIT, page_request, split_pages


@dataclass(frozen=True)
class Query:
    """What a list endpoint selects: an SQL condition (may be empty) with its positional or named parameters, and
    the sort order."""

    where: str = ""
    params: Sequence[Any] | Mapping[str, Any] = field(default_factory=list)
    order: str = "id DESC"

    @classmethod
    def matching(
        cls, clauses: Sequence[str], params: Sequence[Any] | Mapping[str, Any], order: str = "id DESC"
    ) -> Query:
        """The conjunction of ``clauses`` (empty ones skipped)."""
        return cls(" AND ".join(filter(None, clauses)), params, order)


class Resource:
    """Behaviour of one endpoint group over one store table. Subclasses override the hooks they need."""

    table: str = ""
    label: str = ""
    fields: Sequence[str] = ()
    create_model: type | None = None
    update_model: type | None = None
    paginated: bool = True
    page_size: int = DEFAULT_LIMIT  # rows per page when the request names no limit
    deletable: bool = True
    idempotent: bool = False  # POST honours an Idempotency-Key (header or ``idempotency_key`` body field)
    order: str = "id DESC"

    # hooks ------------------------------------------------------------------------------------------
    def present(self, state: SandboxState, docs: list) -> list:
        """Documents as the API returns them (only the schema's fields, computed ones filled in)."""
        return [{k: doc.get(k) for k in self.fields} for doc in docs]

    def present_list(self, state: SandboxState, docs: list) -> list:
        """Documents as the list endpoint returns them (defaults to :meth:`present`)."""
        return self.present(state, docs)

    def list_query(self, state: SandboxState, request: Request) -> Query:
        """The list endpoint's filters and order (default: everything, newest first), read from the request's
        query parameters."""
        return Query(order=self.order)

    def build(self, state: SandboxState, body: Any, now: str) -> dict:
        """A new document from a validated create body (raise ApiError on semantic errors)."""
        raise NotImplementedError

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: Any, now: str) -> dict:
        """``doc`` with the PATCH ``changes`` applied (default: copy the changed fields)."""
        doc.update(changes)
        return doc

    def after_save(self, state: SandboxState, doc: dict, body: Any) -> None:
        """Side effects once a document is stored (memberships, ...)."""

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        """Side effects before a document is deleted."""

    # shared operations ------------------------------------------------------------------------------
    def fetch(self, state: SandboxState, ident: int) -> dict:
        """The stored document of the request's brand, or a 404."""
        doc = state.find(self.table, ident)
        if doc is None:
            raise not_found(self.label, ident)
        return doc

    def fetch_reference(self, state: SandboxState, ident: int, field: str) -> dict:
        """The document a request body refers to by id, or a 422 naming ``field`` (not a 404: the URL exists)."""
        try:
            return self.fetch(state, ident)
        except ApiError as error:
            if error.status != 404:
                raise
            raise invalid({field: [f"unknown {self.label.lower()} {ident}"]}) from None

    def one(self, state: SandboxState, doc: dict, status: int = 200, headers: dict | None = None) -> Response:
        """Respond with one presented document."""
        return json_response(self.present(state, [doc])[0], status, headers)

    def list_response(self, state: SandboxState, request: Request) -> Response:
        """The list endpoint's response: a page of the matching documents, or all of them (unpaginated groups)."""
        return self.list_responses(state, request, 1)[0]

    def list_responses(self, state: SandboxState, request: Request, pages: int) -> list[Response]:
        """The list endpoint's responses to the page ``request`` asks for and the ``pages - 1`` after it (fewer
        past the last page), each exactly what a request for it would get; an unpaginated group's one response.
        The list route reads pages ahead of its clients with it."""
        query = self.list_query(state, request)
        return self.pages(state, request, query, pages) if self.paginated else [self.all(state, query)]

    def page(self, state: SandboxState, request: Request, query: Query) -> Response:
        """Respond with one page of the brand's documents matching ``query`` and the pagination headers."""
        return self.pages(state, request, query, 1)[0]

    def pages(self, state: SandboxState, request: Request, query: Query, count: int) -> list[Response]:
        """The responses to the page ``request`` asks for and the ``count - 1`` after it (up to the last page) of
        the brand's documents matching ``query``, with their pagination headers: read in one query."""
        pager = page_request(request, self.page_size)
        where = state.in_brand(query.where)
        total = state.store.count(self.table, where, query.params)
        count = max(1, min(count, pager.last_page(total) - pager.page + 1))
        bodies = self.page_bodies(state, where, query, pager.limit, pager.offset, count)
        return [
            encoded_response(body, 200, replace(pager, page=pager.page + step).headers(total))
            for step, body in enumerate(bodies)
        ]

    def page_bodies(
        self, state: SandboxState, where: str, query: Query, limit: int, offset: int, count: int
    ) -> list[bytes]:
        """The encoded JSON arrays of ``count`` consecutive pages of ``limit`` documents matching ``where``
        (brand-bound) in ``query``'s order, from ``offset`` on."""
        docs = state.store.query(self.table, where, query.params, query.order, limit, offset, count)
        return [encode(self.present_list(state, page)) for page in split_pages(docs, limit, count)]

    def all(self, state: SandboxState, query: Query) -> Response:
        """Respond with every document of the brand matching ``query`` (the unpaginated groups)."""
        docs = state.store.query(self.table, state.in_brand(query.where), query.params, query.order)
        return encoded_response(encode(self.present_list(state, docs)))

    def create(self, state: SandboxState, body: Any, key: str | None = None) -> tuple[dict, bool]:
        """Build, store (stamped with the request's brand) and post-process a new document atomically; returns
        (document, created). With an idempotency ``key`` seen before, the stored document is returned instead
        (409 if the body differed). Without a key, ``body`` is whatever :meth:`build` takes."""
        print_ = fingerprint(body.model_dump(mode="json", exclude_unset=True, by_alias=True)) if key else ""
        with state.store.atomic():
            previous = replay(state.store, self.table, key, print_)
            if previous is not None:
                return self.fetch(state, previous["id"]), False
            now = state.store.tick()
            doc = state.insert(self.table, self.build(state, body, now))
            self.after_save(state, doc, body)
            if key:
                state.store.remember(self.table, key, print_, {"id": doc["id"]})
        return doc, True

    def update(self, state: SandboxState, ident: int, body: Any) -> dict:
        """Apply a PATCH atomically."""
        with state.store.atomic():
            doc = self.fetch(state, ident)
            now = state.store.tick()
            doc = self.apply(state, doc, body.changes(), body, now)
            doc["updated_at"] = now
            state.store.replace(self.table, doc)
            self.after_save(state, doc, body)
        return doc

    def delete(self, state: SandboxState, ident: int) -> dict:
        """Delete atomically; return the deleted document as presented just before."""
        with state.store.atomic():
            doc = self.fetch(state, ident)
            presented = self.present(state, [doc])[0]
            state.store.tick()
            self.before_delete(state, doc)
            state.store.delete(self.table, ident)
        return presented
