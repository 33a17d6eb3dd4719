"""Import records (the resource behind /imports), how a checked request becomes one (its file stored, its
columns planned, processing started) and direct-upload declarations. Processing itself is
:class:`~nitrosend_nb.sandbox.services.import_processing.ImportRunner`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from fastapi import Request

from ..errors import invalid
from ..limits import media_type
from ..state import SandboxState
from .audience import check_lists
from .idempotency import fingerprint, replay
from .import_processing import LIMITS, plan_columns, read_csv
from .models import BlobDeclaration, ImportCreate
from .resource import Query, Resource
from .uploads import UPLOAD_PATH, blob_bytes, blob_for, checksum, new_blob, sign

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
RESOURCES = get_args(ImportCreate.model_fields["resource"].annotation)  # what an import can create: contacts
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")


@dataclass
class Accepted:
    """A checked import request: the request body, its file and how its columns map to fields."""

    body: ImportCreate
    blob: dict
    total_rows: int
    plan: list


class Imports(Resource):
    """Import records; processing happens in :class:`~nitrosend_nb.sandbox.services.import_processing.ImportRunner`."""

    table, label, fields = "imports", "Import", FIELDS
    deletable = False

    def present(self, state: SandboxState, docs: list) -> list:
        wanted = {lid for doc in docs for lid in doc["assigned_list_ids"]}
        names = {ident: lst["name"] for ident, lst in state.store.by_ids("lists", wanted).items()}
        return [
            {
                **{k: doc.get(k) for k in FIELDS},
                "assigned_lists": [{"id": lid, "name": names.get(lid)} for lid in doc["assigned_list_ids"]],
            }
            for doc in docs
        ]

    def list_query(self, state: SandboxState, request: Request) -> Query:
        """Filters ``status`` and ``resource`` (what was imported: ``contacts``, the one kind today)."""
        clauses, params = [], []
        for name, allowed in (("status", STATUSES), ("resource", RESOURCES)):
            value = request.query_params.get(name)
            if value:
                if value not in allowed:
                    raise invalid({name: [f"must be one of {', '.join(allowed)}"]})
                clauses.append("status = ?" if name == "status" else "json_extract(doc, '$.resource') = ?")
                params.append(value)
        return Query.matching(clauses, params, self.order)

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


def accept(
    state: SandboxState, body: ImportCreate, data: bytes | None, filename: str, key: str | None
) -> tuple[dict, bool]:
    """Check an import request as a whole, store it (and a multipart file ``data``) and start processing it;
    returns (import, created): with an idempotency ``key`` seen before, the import that request started."""
    if (data is None) == (body.signed_id is None):
        raise invalid(
            {"file": ["send a file (multipart) or a signed_id from a direct upload, not both"]}
            if data is not None
            else {"signed_id": ["is required (or send the CSV as a multipart file)"]}
        )
    print_ = fingerprint({"body": body.model_dump(), "file": checksum(data) if data is not None else None})
    with state.store.atomic():
        previous = replay(state.store, "imports", key, print_)
        if previous is not None:
            return imports.fetch(state, previous["id"]), False
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
    return doc, True


def declare_upload(state: SandboxState, declared: BlobDeclaration, base_url: str) -> dict:
    """A blob for a file to upload (size and type checked) with its ``signed_id`` and a presigned
    ``direct_upload.url`` under ``base_url`` to PUT the bytes to."""
    if declared.byte_size > LIMITS["max_file_size_bytes"]:
        raise invalid({"blob.byte_size": [f"is over the limit of {LIMITS['max_file_size_bytes']:,} bytes"]})
    if media_type(declared.content_type) not in CSV_TYPES:
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
    url = base_url.rstrip("/") + f"{UPLOAD_PATH}/{sign(state, 'upload', blob['id'])}"
    return {
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
    }
