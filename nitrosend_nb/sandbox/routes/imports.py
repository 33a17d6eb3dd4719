"""Imports: ``POST /imports`` (multipart file, or JSON naming a direct upload's ``signed_id``), list, get, cancel,
spec; and the direct-upload pair outside /v1/my: ``POST /v1/direct_uploads`` (API key) and the presigned PUT
(no key: the signed token in its path authorises it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError as ModelError
from starlette.datastructures import FormData

from ..audience import check_lists
from ..crud import Query, Resource, register
from ..errors import ApiError, invalid, json_response
from ..idempotency import fingerprint, replay, request_key
from ..imports import LIMITS, plan_columns, read_csv, spec
from ..limits import body_problems, is_json
from ..models import DirectUploadCreate, ImportCreate, ResourceId
from ..state import SandboxState, app_state, get_state
from ..uploads import UPLOAD_PATH, blob_bytes, blob_for, checksum, new_blob, receive, sign

FIELDS = (
    "id",
    "brand_id",
    "resource",
    "parser",
    "status",
    "filename",
    "total_rows",
    "success_rows",
    "failed_rows",
    "rows_processed",
    "progress_pct",
    "import_errors",
    "columns",
    "options",
    "assigned_list_ids",
    "assigned_lists",
    "guardrail",
    "started_at",
    "ended_at",
    "created_at",
)
STATUSES = ("pending", "processing", "failed", "canceled", "complete", "contact_us")
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")


@dataclass
class Accepted:
    """A checked import request: the request body, its file and how its columns map to fields."""

    body: ImportCreate
    blob: dict
    total_rows: int
    plan: list


class Imports(Resource):
    """Import records; processing happens in :class:`~nitrosend_nb.sandbox.imports.ImportRunner`."""

    table, label, fields = "imports", "Import", FIELDS
    deletable = False

    def present(self, state: SandboxState, docs: list) -> list:
        wanted = {lid for doc in docs for lid in doc["assigned_list_ids"]}
        names = (
            {
                lst["id"]: lst["name"]
                for lst in state.store.query("lists", f"id IN ({','.join('?' * len(wanted))})", list(wanted))
            }
            if wanted
            else {}
        )
        return [
            {
                **{k: doc.get(k) for k in FIELDS},
                "assigned_lists": [{"id": lid, "name": names.get(lid)} for lid in doc["assigned_list_ids"]],
            }
            for doc in docs
        ]

    def list_query(self, state: SandboxState, request: Request) -> Query:
        status = request.query_params.get("status")
        if not status:
            return Query(order=self.order)
        if status not in STATUSES:
            raise invalid({"status": [f"must be one of {', '.join(STATUSES)}"]})
        return Query("status = ?", [status], self.order)

    def build(self, state: SandboxState, accepted: Accepted, now: str) -> dict:
        options = accepted.body.options.model_dump()
        return {
            "resource": accepted.body.resource,
            "parser": "csv",
            "status": "pending",
            "filename": accepted.blob["filename"],
            "blob_id": accepted.blob["id"],
            "plan": accepted.plan,
            "total_rows": accepted.total_rows,
            "success_rows": 0,
            "failed_rows": 0,
            "rows_processed": 0,
            "progress_pct": 0.0,
            "import_errors": [],
            "columns": accepted.body.columns,
            "options": options,
            "assigned_list_ids": options["list_ids"],
            "guardrail": None,
            "started_at": None,
            "ended_at": None,
            "created_at": now,
        }

    def after_save(self, state: SandboxState, doc: dict, accepted: Accepted) -> None:
        state.imports.start(doc["id"])

    def cancel(self, state: SandboxState, ident: int) -> dict:
        """Stop a pending or processing import (rows already written stay written)."""
        with state.store.atomic():
            doc = self.fetch(state, ident)
            if doc["status"] not in ("pending", "processing"):
                raise invalid({"status": [f"is {doc['status']}: only a pending or processing import can be canceled"]})
            doc.update(status="canceled", ended_at=state.store.tick())
            state.store.replace(self.table, doc)
        return doc


imports = Imports()
router = APIRouter()
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
    """Check an import request as a whole, store it (and a multipart file) and start processing it."""
    if (data is None) == (body.signed_id is None):
        raise invalid(
            {"file": ["send a file (multipart) or a signed_id from a direct upload, not both"]}
            if data is not None
            else {"signed_id": ["is required (or send the CSV as a multipart file)"]}
        )
    key = request_key(request, None)
    print_ = fingerprint({"body": body.model_dump(), "file": checksum(data) if data is not None else None})
    with state.store.atomic():
        previous = replay(state.store, "imports", key, print_)
        if previous is not None:
            return imports.one(state, imports.fetch(state, previous["id"]))
        blob = blob_for(state, body.signed_id) if data is None else None
        header, rows = read_csv(data if data is not None else blob_bytes(blob))
        plan = plan_columns(header, body.columns)
        check_lists(state, body.options.list_ids, "options.list_ids")
        if blob is None:
            blob = new_blob(
                state,
                filename=filename,
                content_type="text/csv",
                byte_size=len(data),
                checksum_=checksum(data),
                now=state.store.tick(),
                data=data,
            )
        doc, _ = imports.create(state, Accepted(body, blob, len(rows), plan))
        if key:
            state.store.remember("imports", key, print_, {"id": doc["id"]})
    return imports.one(state, doc, 201)


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
        filename = getattr(upload, "filename", None) or "upload.csv"
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
    """Answers with the blob's ``signed_id`` and a presigned ``direct_upload.url`` to PUT the bytes to."""
    declared = body.blob
    if declared.byte_size > LIMITS["max_file_size_bytes"]:
        raise invalid({"blob.byte_size": [f"is over the limit of {LIMITS['max_file_size_bytes']:,} bytes"]})
    if declared.content_type.split(";")[0].strip().lower() not in CSV_TYPES:
        raise invalid({"blob.content_type": [f"must be one of {', '.join(CSV_TYPES)}"]})
    with state.store.atomic():
        blob = new_blob(
            state,
            filename=declared.filename,
            content_type=declared.content_type,
            byte_size=declared.byte_size,
            checksum_=declared.checksum,
            now=state.store.tick(),
        )
    url = str(request.base_url).rstrip("/") + f"{UPLOAD_PATH}/{sign(state, 'upload', blob['id'])}"
    return json_response(
        {
            "id": blob["id"],
            "key": f"blob-{blob['id']}",
            "filename": blob["filename"],
            "content_type": blob["content_type"],
            "byte_size": blob["byte_size"],
            "checksum": blob["checksum"],
            "signed_id": sign(state, "blob", blob["id"]),
            "created_at": blob["created_at"],
            "direct_upload": {
                "url": url,
                "headers": {"Content-Type": blob["content_type"], "Content-MD5": blob["checksum"]},
            },
        },
        201,
    )


@uploads_router.put(UPLOAD_PATH + "/{token}", status_code=204, summary="Upload the bytes of a declared file")
async def put_upload(token: str, request: Request, state: SandboxState = Depends(app_state)) -> Response:
    """The presigned URL: no API key nor brand (the token authorises it); size and MD5 must match the
    declaration."""
    data = await request.body()
    await run_in_threadpool(receive, state, token, data, request.headers.get("Content-MD5"))
    return Response(status_code=204)
