"""Flows: list (standalone flows), create (idempotent with an Idempotency-Key), get, update (optimistic concurrency
on ``updated_at``), delete, and the step schema at ``GET /flows/spec`` (the rules:
:mod:`nitrosend_nb.sandbox.services.flows`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ...errors import json_response
from ...services.flows import flows
from ...services.specs import flow_spec
from ..resource_routes import register

router = APIRouter()
LISTED = (flows,)  # its list route is the generic one, put first by the app


@router.get("/flows/spec", tags=["Flows"], summary="Get the flow step type schema")
def step_schema() -> Response:
    """Step types with their params, trigger events and segment filter names."""
    return json_response(flow_spec())


register(router, flows)
