"""One generic CRUD implementation for every endpoint group.

A :class:`Resource` subclass says how its documents are built, changed, filtered and presented; :func:`register`
turns it into list / create / get / update / delete routes with the API's pagination and error behaviour.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the request-model annotations of the endpoint
# functions built in ``register`` at definition time.

from typing import Any, Optional, Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ..errors import json_response, not_found
from ..models import ResourceId
from ..pagination import page_request
from ..state import SandboxState, get_state


class Resource:
    """Behaviour of one endpoint group over one store table. Subclasses override the hooks they need."""

    table: str = ""
    label: str = ""
    fields: Sequence[str] = ()
    create_model: Optional[type] = None
    update_model: Optional[type] = None
    paginated: bool = True
    deletable: bool = True
    order: str = "id DESC"

    # hooks ------------------------------------------------------------------------------------------
    def present(self, state: SandboxState, docs: list) -> list:
        """Documents as the API returns them (only the schema's fields, computed ones filled in)."""
        return [{k: doc.get(k) for k in self.fields} for doc in docs]

    def present_list(self, state: SandboxState, docs: list) -> list:
        """Documents as the list endpoint returns them (defaults to :meth:`present`)."""
        return self.present(state, docs)

    def list_query(self, state: SandboxState, request: Request) -> tuple:
        """(where, params, order) for the list endpoint's filters."""
        return "", [], self.order

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
        """The stored document or a 404."""
        doc = state.store.get(self.table, ident)
        if doc is None:
            raise not_found(self.label, ident)
        return doc

    def one(self, state: SandboxState, doc: dict, status: int = 200, headers: Optional[dict] = None) -> Response:
        """Respond with one presented document."""
        return json_response(self.present(state, [doc])[0], status, headers)

    def page(self, state: SandboxState, request: Request, where: str, params: Sequence, order: str,
             present=None) -> Response:
        """Respond with one page of matching documents and the pagination headers."""
        present = present or self.present_list
        pager = page_request(request)
        total = state.store.count(self.table, where, params)
        docs = state.store.query(self.table, where, params, order, pager.limit, pager.offset)
        return json_response(present(state, docs), 200, pager.headers(total))

    def create(self, state: SandboxState, body: Any) -> dict:
        """Build, store and post-process a new document atomically."""
        with state.store.atomic():
            now = state.store.tick()
            doc = state.store.insert(self.table, self.build(state, body, now))
            self.after_save(state, doc, body)
        return doc

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


def register(router: APIRouter, resource: Resource) -> None:
    """Add the resource's list/create/get/update/delete routes to ``router``."""
    base = f"/{resource.table}"
    tag = resource.label + "s"

    @router.get(base, tags=[tag], summary=f"List {resource.table}")
    async def list_documents(request: Request, state: SandboxState = Depends(get_state)) -> Response:
        """List (paginated groups: ``page`` + ``limit``/``per_page``/``per`` and X-* headers).

        Async on purpose: one page is about a millisecond of SQLite and encoding under the store's lock, less
        than the worker-thread hop a plain ``def`` endpoint costs on every request."""
        where, params, order = resource.list_query(state, request)
        if resource.paginated:
            return resource.page(state, request, where, params, order)
        docs = state.store.query(resource.table, where, params, order)
        return json_response(resource.present_list(state, docs))

    @router.get(base + "/{ident}", tags=[tag], summary=f"Get a {resource.label.lower()}")
    def get_document(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
        """One record by id (404 when unknown)."""
        return resource.one(state, resource.fetch(state, ident))

    if resource.create_model is not None:
        create_model: type[BaseModel] = resource.create_model

        @router.post(base, tags=[tag], status_code=201, summary=f"Create a {resource.label.lower()}")
        def create_document(body: create_model, state: SandboxState = Depends(get_state)) -> Response:  # type: ignore[valid-type]
            """Create a record (201; 422 with per-field messages on invalid input)."""
            return resource.one(state, resource.create(state, body), 201)

    if resource.update_model is not None:
        update_model: type[BaseModel] = resource.update_model

        @router.patch(base + "/{ident}", tags=[tag], summary=f"Update a {resource.label.lower()}")
        def update_document(ident: ResourceId, body: update_model,  # type: ignore[valid-type]
                            state: SandboxState = Depends(get_state)) -> Response:
            """Change the fields sent (PATCH semantics)."""
            return resource.one(state, resource.update(state, ident, body))

    if resource.deletable:
        @router.delete(base + "/{ident}", tags=[tag], summary=f"Delete a {resource.label.lower()}")
        def delete_document(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
            """Delete a record; answers with the record as it was."""
            return json_response(resource.delete(state, ident))
