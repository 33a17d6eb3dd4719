"""The generic routes of a resource: :func:`register` turns a :class:`~..services.resource.Resource` into its
get / create / update / delete endpoints and :func:`list_route` into its list endpoint, with the API's pagination
and error behaviour."""

# No ``from __future__ import annotations`` here: FastAPI reads the request-model annotations of the endpoint
# functions built in ``register`` at definition time.

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ..errors import json_response
from ..services.idempotency import request_key
from ..services.models import ResourceId
from ..services.resource import Resource
from ..state import SandboxState
from .dependencies import get_state
from .list_pages import ListRoute


class ListDocuments:
    """List (paginated groups: ``page`` + ``limit``/``per_page``/``per`` and X-* headers).

    The list endpoint of one resource, served by :class:`.list_pages.ListRoute`: called in the thread pool, it
    resolves the brand itself; :meth:`pages` answers pages after the requested one too, for the route's
    read-ahead."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def __call__(self, request: Request) -> Response:
        """The response to ``request``."""
        return self.resource.list_response(get_state(request), request)

    def pages(self, request: Request, count: int) -> list[Response]:
        """The responses to ``request``'s page and the ``count - 1`` after it (fewer past the last page), read
        together (:meth:`~..services.resource.Resource.list_responses`)."""
        return self.resource.list_responses(get_state(request), request, count)


def list_route(router: APIRouter, resource: Resource, prefix: str = "", dependencies: Sequence[Any] = ()) -> None:
    """Add the resource's list route (``GET prefix/<table>``, a :class:`.list_pages.ListRoute` answering with a
    :class:`ListDocuments`) to ``router``; ``dependencies`` are documented with it."""
    router.add_api_route(
        f"{prefix}/{resource.table}",
        ListDocuments(resource),
        methods=["GET"],
        dependencies=list(dependencies),
        tags=[resource.label + "s"],
        summary=f"List {resource.table}",
        description="List (paginated groups: ``page`` + ``limit``/``per_page``/``per`` and X-* headers).",
        name="list_documents",
        route_class_override=ListRoute,
    )


def register(router: APIRouter, resource: Resource) -> None:
    """Add the resource's get/create/update/delete routes to ``router`` (its list route is :func:`list_route`'s,
    put ahead of every other route by the app)."""
    base = f"/{resource.table}"
    tag = resource.label + "s"

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
