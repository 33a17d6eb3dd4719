"""Imports: ``POST /imports`` (multipart file, or JSON naming a direct upload's ``signed_id``), list, get, cancel,
spec; and the direct-upload pair outside /v1/my: ``POST /v1/direct_uploads`` (API key) and the presigned PUT
(no key: the signed token in its path authorises it). What a request becomes: :mod:`...services.imports`."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError as ModelError
from starlette.datastructures import FormData

from ...errors import ApiError, invalid, json_response
from ...limits import body_problems, clean_filename, is_json
from ...services.idempotency import request_key
from ...services.import_processing import spec
from ...services.imports import accept, imports
from ...services.models import DirectUploadCreate, ImportCreate, ResourceId
from ...services.uploads import UPLOAD_PATH, declare_upload, receive
from ...state import SandboxState
from ..dependencies import app_state, get_state
from ..resource_routes import register

router = APIRouter()
LISTED = (imports,)  # its list route is the generic one, put first by the app
uploads_router = APIRouter(tags=["Imports"])


def _model(data: dict) -> ImportCreate:
    try:
        return ImportCreate.model_validate(data)
    except ModelError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def _form_json(form: FormData, name: str) -> object:
    raw = form.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        raise invalid({name: ["must be a JSON object"]}) from None


def _accept(state: SandboxState, request: Request, body: ImportCreate, data: bytes | None, filename: str) -> Response:
    """Accept a parsed import request (off the event loop: it reads and stores the file)."""
    doc, created = accept(state, body, data, filename, request_key(request, None))
    return imports.one(state, doc, 201 if created else 200)


@router.get("/imports/spec", tags=["Imports"], summary="Importable fields, write modes and limits")
def import_spec() -> Response:
    """What an import accepts: fields per resource, parsers, write modes, row numbering and limits."""
    return json_response(spec())


@router.post("/imports", tags=["Imports"], status_code=201, summary="Start an import")
async def create_import(request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Multipart (``file``, ``resource``, ``columns`` and ``options`` as JSON) or JSON with a ``signed_id``.
    Answers 201 with the import (``pending``); poll ``GET /imports/{id}`` for progress. The gate checks a JSON
    body's strings; a form's fields are checked here the same way."""
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        fields = {"resource": form.get("resource") or "contacts", "signed_id": form.get("signed_id") or None}
        for name in ("columns", "options"):
            if (value := _form_json(form, name)) is not None:
                fields[name] = value
        if problems := body_problems(fields):
            raise invalid(problems)
        data = await upload.read() if upload is not None and hasattr(upload, "read") else None
        filename = clean_filename(getattr(upload, "filename", None)) or "upload.csv"
    elif not is_json(content_type):
        raise ApiError(
            415, "Send the CSV as multipart/form-data (field 'file'), or JSON naming a direct upload's signed_id"
        )
    else:
        try:
            fields = await request.json()
        except ValueError:
            raise ApiError(400, "Malformed JSON in request body") from None
        if not isinstance(fields, dict):
            raise invalid({"body": ["must be a JSON object"]})
        data, filename = None, ""
    body = _model(fields)
    return await run_in_threadpool(_accept, state, request, body, data, filename)


@router.post("/imports/{ident}/cancel", tags=["Imports"], summary="Cancel an import")
def cancel_import(ident: ResourceId, state: SandboxState = Depends(get_state)) -> Response:
    """Stop a pending or processing import; 422 once it has ended."""
    return imports.one(state, imports.cancel(state, ident))


register(router, imports)


@uploads_router.post("/v1/direct_uploads", status_code=201, summary="Declare a file before uploading it")
def create_direct_upload(
    body: DirectUploadCreate, request: Request, state: SandboxState = Depends(get_state)
) -> Response:
    """Answers with the blob's ``signed_id`` and a presigned ``direct_upload.url`` to PUT the bytes to; name it
    by ``signed_id`` in ``POST /imports`` (purpose ``import``) or ``POST /images`` (``image``, ``media_asset``)."""
    return json_response(declare_upload(state, body.purpose, body.blob, str(request.base_url)), 201)


@uploads_router.put(UPLOAD_PATH + "/{token}", status_code=204, summary="Upload the bytes of a declared file")
async def put_upload(token: str, request: Request, state: SandboxState = Depends(app_state)) -> Response:
    """The presigned URL: no API key nor brand (the token authorises it); size and MD5 must match the
    declaration."""
    data = await request.body()
    await run_in_threadpool(receive, state, token, data, request.headers.get("Content-MD5"))
    return Response(status_code=204)
