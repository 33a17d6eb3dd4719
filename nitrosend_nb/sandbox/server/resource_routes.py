"""The generic routes of a resource: :func:`register` turns a :class:`~..services.resource.Resource` into its
list / create / get / update / delete endpoints, with the API's pagination and error behaviour."""

# No ``from __future__ import annotations`` here: FastAPI reads the request-model annotations of the endpoint
# functions built in ``register`` at definition time.

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ..errors import json_response
from ..services.idempotency import request_key
from ..services.models import ResourceId
from ..services.resource import Resource
from ..state import SandboxState
from . import shortcut
from .dependencies import get_state


def register(router: APIRouter, resource: Resource) -> None:
    """Add the resource's list/create/get/update/delete routes to ``router``."""
    base = f"/{resource.table}"
    tag = resource.label + "s"

    @router.get(base, tags=[tag], summary=f"List {resource.table}")
    async def list_documents(request: Request, state: SandboxState = Depends(get_state)) -> Response:
        """List (paginated groups: ``page`` + ``limit``/``per_page``/``per`` and X-* headers).

        Async on purpose: one page is well under a millisecond of SQLite and encoding under the store's lock,
        less than the worker-thread hop a plain ``def`` endpoint costs on every request. Later requests for this
        path skip FastAPI's routing (see :mod:`.shortcut`)."""
        shortcut.learn(request, resource)
        return resource.list_response(state, request)

    @router.get(base + "/{ident}", tags=[tag], summary=f"Get a {resource.label.lower()}")
    def get_document(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
        """One record by id (404 when unknown)."""
        return resource.one(state, resource.fetch(state, ident))

    if resource.create_model is not None:
        create_model: type[BaseModel] = resource.create_model

        @router.post(base, tags=[tag], status_code=201, summary=f"Create a {resource.label.lower()}")
        def create_document(
            body: create_model,
            request: Request,  # type: ignore[valid-type]
            state: SandboxState = Depends(get_state),
        ) -> Response:
            """Create a record (201; 422 with per-field messages on invalid input; an idempotent group replays
            an earlier create with the same key as 200)."""
            key = request_key(request, getattr(body, "idempotency_key", None)) if resource.idempotent else None
            doc, created = resource.create(state, body, key)
            return resource.one(state, doc, 201 if created else 200)

    if resource.update_model is not None:
        update_model: type[BaseModel] = resource.update_model

        @router.patch(base + "/{ident}", tags=[tag], summary=f"Update a {resource.label.lower()}")
        def update_document(
            ident: ResourceId,
            body: update_model,  # type: ignore[valid-type]
            state: SandboxState = Depends(get_state),
        ) -> Response:
            """Change the fields sent (PATCH semantics)."""
            return resource.one(state, resource.update(state, ident, body))

    if resource.deletable:

        @router.delete(base + "/{ident}", tags=[tag], summary=f"Delete a {resource.label.lower()}")
        def delete_document(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
            """Delete a record; answers with the record as it was."""
            return json_response(resource.delete(state, ident))
