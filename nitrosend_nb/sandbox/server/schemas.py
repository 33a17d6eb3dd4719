"""Response shapes for the OpenAPI document (``/docs``): one model per presented document, built from the field
list its service presents, so the documented shape and the answer cannot drift apart.

Documentation only: the routes answer with ready-made JSON responses, which FastAPI passes through without
validating or re-encoding them against these models (no cost on the request path)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from ..services.resource import Resource


@cache
def document_model(name: str, fields: tuple[str, ...]) -> type[BaseModel]:
    """A model named ``name`` with one required field per entry of ``fields`` (``id`` an integer, the others as
    the API sends them)."""
    return create_model(
        name,
        __config__=ConfigDict(title=name),
        **{field: (int if field == "id" else Any, ...) for field in fields},
    )


def resource_model(resource: Resource, fields: Sequence[str] | None = None) -> type[BaseModel]:
    """The documented shape of one of ``resource``'s documents (``fields``: another view than the full one)."""
    return document_model(resource.label.title().replace(" ", ""), tuple(fields or resource.fields))
