"""Import records (the resource behind /imports), how a checked request becomes one (its file stored, its
columns planned, processing started) and direct-upload declarations. Processing itself is
:class:`~nitrosend_nb.sandbox.services.import_processing.ImportRunner`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from fastapi import Request

from ..errors import ApiError, invalid
from ..state import SandboxState
from .audience import check_lists
from .idempotency import fingerprint, replay
from .import_processing import CREATES_PER_MINUTE, MAX_ACTIVE_IMPORTS, guardrail, plan_columns, read_csv
from .models import ImportCreate
from .resource import Query, Resource
from .uploads import blob_bytes, blob_for, checksum, new_blob, paced

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


@dataclass
class Accepted:
    """A checked import request: the request body, its file and how its columns map to fields."""

    body: ImportCreate
    blob: dict
    total_rows: int
    plan: list
    made: float  # real time it was accepted (the creation pace counts it)


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
            "parser": "default",
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
            "guardrail": guardrail(),
            "started_at": None,
            "ended_at": None,
            "created_at": now,
            "created_unix": accepted.made,
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
        active = state.store.count("imports", "status IN ('pending', 'processing')")
        if active >= MAX_ACTIVE_IMPORTS:
            raise ApiError(
                429,
                f"{active} imports are still running (at most {MAX_ACTIVE_IMPORTS} at once); retry when one ends",
                headers={"Retry-After": "1"},
            )
        made = paced(state, "imports", CREATES_PER_MINUTE, "imports")
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
        doc, _ = imports.create(state, Accepted(body, blob, len(rows), plan, made))
        if key:
            state.store.remember("imports", key, print_, {"id": doc["id"]})
    return doc, True
