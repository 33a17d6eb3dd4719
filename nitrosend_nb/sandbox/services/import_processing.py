"""Bulk contact imports: the CSV rules, the published limits, and the background processor.

An import is accepted by ``POST /imports`` (checked as a whole: size, row count, columns, lists) and then
processed off the request path, a batch of rows at a time at the ``import_rows_per_second`` knob's pace, so
polls of ``GET /imports/{id}`` see ``rows_processed`` and ``progress_pct`` advance. Each row is validated on
its own; a bad row lands in ``import_errors`` as ``[row, reason, column]`` (row 1 is the first record after the
header) while the good rows are created or updated through the contacts resource itself, matched by email so
a rerun of the same file creates nothing twice. ``write_mode`` ``dry_run`` (and ``shadow``, which the sandbox
treats the same way) validates and matches every row but writes nothing.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from typing import Any

from pydantic import ValidationError as ModelError

from ..engine.delivery import find_contact
from ..errors import ApiError, invalid
from ..limits import MAX_IMPORT_FILE_BYTES, string_problem
from ..state import SandboxState
from .contacts import contacts  # the contacts resource: imported rows get every contact rule
from .models import ContactCreate, ContactUpdate
from .plans import IMPORT_MAX_ROWS, import_policy
from .uploads import DIRECT_UPLOADS_PER_MINUTE, blob_bytes

logger = logging.getLogger("nitrosend_nb.sandbox")

#: What one file may hold (its rows: the standing's ``max_rows``, :func:`policy`).
LIMITS = {"max_file_size_bytes": MAX_IMPORT_FILE_BYTES, "max_columns": 50, "max_value_length": 255}
WRITE_MODES = ("real", "shadow", "dry_run")
MAX_ACTIVE_IMPORTS = 10  # imports pending or processing at once, account-wide; one more answers 429
CREATES_PER_MINUTE = 60  # imports started in any 60 seconds; one more answers 429 with Retry-After

#: Contact fields a column can fill (``data.<key>`` fills a custom field; mapping a column to null skips it).
FIELDS = {
    "email": "the contact's email address (required; rows are matched to existing contacts by it)",
    "first_name": "first name",
    "last_name": "last name",
    "phone": "E.164 phone number",
    "country_code": "two-letter ISO country code",
    "source": "where the contact came from (default: import)",
    "subscribed_email": "true/false, yes/no or 1/0",
    "subscribed_phone": "true/false, yes/no or 1/0",
    "tags": "tags separated by ; (stored in data.tags)",
}
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
FULL_SPEED_BATCH = 500


def policy() -> dict:
    """The import policy (``guardrails`` of ``GET /imports/spec``): the account standing's row limit, the file
    limits, how many imports may run and be started, and the write modes."""
    return {
        **import_policy(),
        "max_file_size_bytes": MAX_IMPORT_FILE_BYTES,
        "max_file_size_mb": MAX_IMPORT_FILE_BYTES // (1024 * 1024),
        "max_active_imports": MAX_ACTIVE_IMPORTS,
        "create_rate_limit_per_minute": CREATES_PER_MINUTE,
        "direct_upload_rate_limit_per_minute": DIRECT_UPLOADS_PER_MINUTE,
        "write_modes": list(WRITE_MODES),
    }


def guardrail() -> dict:
    """An accepted import's ``guardrail``: within the standing's row limit (a larger file is refused outright),
    so imported automatically."""
    return {"tier": "auto", "status": "ok", **import_policy()}


def spec() -> dict:
    """The ``GET /imports/spec`` document (contacts, the one resource): how the importer presents itself, the
    rules every file and row meets, the fields a column can fill, and the policy."""
    return {
        "resource": "contacts",
        "parser": "default",
        "ui": {
            "title": "Import contacts",
            "accept": [".csv", "text/csv"],
            "match_on": "email",
            "row_numbers": "row 1 is the first record after the header line",
            "custom_fields": "map a column to data.<key> to keep it as a custom field, or to null to skip it",
        },
        "required_rules": {
            "required_fields": ["email"],
            "encoding": "UTF-8 CSV with a header line",
            "max_columns": LIMITS["max_columns"],
            "max_value_length": LIMITS["max_value_length"],
        },
        "fields": [{"name": name, "description": text, "required": name == "email"} for name, text in FIELDS.items()]
        + [{"name": "data.<key>", "description": "a custom field", "required": False}],
        "guardrails": policy(),
    }


def _header_key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and records of a CSV file (empty lines ignored, not counted); 422 naming ``file`` for what cannot be
    read."""
    if len(data) > LIMITS["max_file_size_bytes"]:
        raise invalid({"file": [f"is {len(data):,} bytes; the limit is {LIMITS['max_file_size_bytes']:,}"]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid({"file": ["is not UTF-8 text (save the CSV as UTF-8)"]}) from None
    try:
        records = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise invalid({"file": [f"is not valid CSV: {exc}"]}) from None
    if not records:
        raise invalid({"file": ["is empty: a header line and at least one row are needed"]})
    header, rows = records[0], records[1:]
    for number, cell in enumerate(header, 1):
        if problem := string_problem(cell):
            raise invalid({"file": [f"column {number} of the header line {problem}"]})
    if len(header) > LIMITS["max_columns"]:
        raise invalid({"file": [f"has {len(header)} columns; the limit is {LIMITS['max_columns']}"]})
    if len(rows) > IMPORT_MAX_ROWS:
        raise invalid({"file": [f"has {len(rows):,} rows; the limit is {IMPORT_MAX_ROWS:,} at the account's standing"]})
    return [cell.strip() for cell in header], rows


def plan_columns(header: list[str], columns: dict[str, Any]) -> list[str | None]:
    """The field each column fills (None: skipped), from the ``columns`` map and the header's own names;
    422 naming ``columns`` for unknown or ambiguous columns and a missing email column."""
    problems: list[str] = []
    for name in columns:
        if name not in header:
            problems.append(f"{name!r} is not a column of the file (its columns: {', '.join(header)})")
    plan: list[str | None] = []
    for name in header:
        target = columns[name] if name in columns else _header_key(name)
        if target is not None and not (target in FIELDS or re.fullmatch(r"data\.[A-Za-z_][\w-]{0,63}", target)):
            hint = (
                f"map it with columns={{{name!r}: 'data.{_header_key(name)}'}} or columns={{{name!r}: None}} to skip it"
            )
            problems.append(
                f"unknown column {name!r}: {hint}"
                if name not in columns
                else f"{name!r} maps to unknown field {target!r}"
            )
        plan.append(target)
    filled = [target for target in plan if target is not None]
    problems += [f"more than one column fills {t!r}" for t in sorted({t for t in filled if filled.count(t) > 1})]
    if "email" not in filled:
        problems.append("no column fills 'email' (contacts are matched by email)")
    if problems:
        raise invalid({"columns": problems})
    return plan


def _row_fields(cells: list[str], header: list[str], plan: list[str | None]) -> tuple[dict, list[list]]:
    """The contact fields one record fills, and its problems as ``[reason, column]`` pairs."""
    problems: list[list] = []
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        problems.append([f"unknown column: the row has {len(cells)} values but the header names {len(header)}", None])
    fields: dict[str, Any] = {}
    for name, target, raw in zip(header, plan, cells, strict=False):  # a short row leaves the rest empty
        value = raw.strip()
        if target is None or not value:
            continue
        if problem := string_problem(value):  # what the JSON API refuses (NUL, ESC, BEL, DEL...)
            problems.append([f"{name}: {problem}", name])
        elif len(value) > LIMITS["max_value_length"]:
            problems.append([f"{name}: is longer than {LIMITS['max_value_length']} characters", name])
        elif target.startswith("data."):
            fields.setdefault("data", {})[target[5:]] = value
        elif target == "tags":
            fields.setdefault("data", {})["tags"] = [tag.strip() for tag in value.split(";") if tag.strip()]
        elif target.startswith("subscribed_"):
            if value.lower() not in TRUE | FALSE:
                problems.append([f"{name}: must be true or false", name])
            fields[target] = value.lower() in TRUE
        else:
            fields[target] = value
    email_column = next(n for n, t in zip(header, plan, strict=True) if t == "email")
    if "email" not in fields and not any(column == email_column for _, column in problems):
        problems.append(["email: is required", email_column])
    return fields, problems


def _model_problems(exc: ModelError, header: list[str], plan: list[str | None]) -> list[list]:
    column_of = {target: name for name, target in zip(header, plan, strict=True) if target}
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else "row"
        message = error.get("msg", "is invalid").removeprefix("Value error, ")
        problems.append([f"{column_of.get(field, field)}: {message}", column_of.get(field)])
    return problems


class ImportRunner:
    """Processes accepted imports in background threads; :meth:`stop` ends them between batches."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._stopping = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def start(self, import_id: int) -> None:
        """Begin processing import ``import_id`` off the request path."""
        thread = threading.Thread(
            target=self._run, args=(import_id,), name=f"nitrosend-import-{import_id}", daemon=True
        )
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()} | {thread}
        thread.start()

    def stop(self) -> None:
        """Stop every import between two batches (it stays ``processing`` and resumes on :meth:`resume`)."""
        self._stopping.set()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(5)

    def resume(self) -> None:
        """Restart imports left pending or processing (a --db sandbox restarted mid-import)."""
        for doc in self.state.store.query("imports", "status IN ('pending', 'processing')", order="id ASC"):
            self.start(doc["id"])

    def _run(self, import_id: int) -> None:
        try:
            self._process(import_id)
        except Exception:  # the sandbox is shutting down (store closed) or reset under us
            if not self._stopping.is_set():
                logger.exception("import %s failed", import_id)
                self._finish(import_id, "failed")

    def _finish(self, import_id: int, status: str) -> None:
        store = self.state.store
        with store.atomic():
            doc = store.get("imports", import_id)
            if doc is not None and doc["status"] in ("pending", "processing"):
                doc.update(status=status, ended_at=store.tick())
                store.replace("imports", doc)

    def _process(self, import_id: int) -> None:
        store, knobs = self.state.store, self.state.knobs
        doc = store.get("imports", import_id)
        if doc is None:
            return
        brand = store.get("brands", doc["brand_id"])
        if brand is None:
            return  # the brand was deleted (its imports with it)
        header, rows = read_csv(blob_bytes(store.get("blobs", doc["blob_id"])))
        context = _Context(self.state, doc, brand, header)
        with store.atomic():
            doc = store.get("imports", import_id)
            if doc is None or doc["status"] not in ("pending", "processing"):
                return
            if doc["status"] == "pending":
                doc.update(status="processing", started_at=store.tick())
                store.replace("imports", doc)
        position = doc["rows_processed"]
        while position < len(rows):
            rate = knobs.import_rows_per_second
            batch = max(1, int(rate / 10)) if rate else FULL_SPEED_BATCH
            started = time.monotonic()
            with store.atomic():
                doc = store.get("imports", import_id)
                if doc is None or doc["status"] != "processing":
                    return  # canceled, or the sandbox was reset
                for number in range(position + 1, min(position + batch, len(rows)) + 1):
                    context.process(doc, number, rows[number - 1])
                position = min(position + batch, len(rows))
                doc["rows_processed"] = position
                doc["progress_pct"] = round(100 * position / len(rows), 1)
                store.replace("imports", doc)
            pause = batch / rate - (time.monotonic() - started) if rate else 0
            if self._stopping.wait(max(0.0, pause)):
                return
        self._finish(import_id, "complete")


class _Context:
    """What processing one import's rows needs: the state bound to the import's brand (the runner works outside
    requests), its column plan, options and the emails seen so far."""

    def __init__(self, state: SandboxState, doc: dict, brand: dict, header: list[str]) -> None:
        self.state, self.header = state.for_brand(brand), header
        self.plan = doc["plan"]
        self.list_ids = doc["options"].get("list_ids") or []
        self.writes = doc["options"].get("write_mode", "real") == "real"
        self.seen: dict[str, int] = {}

    def process(self, doc: dict, number: int, cells: list[str]) -> None:
        """Validate one record and (unless dry run) create or update its contact; count the outcome."""
        problems = self._apply(number, cells)
        if problems:
            doc["failed_rows"] += 1
            doc["import_errors"].extend([number, *problem] for problem in problems)
        else:
            doc["success_rows"] += 1

    def _apply(self, number: int, cells: list[str]) -> list[list]:
        fields, problems = _row_fields(cells, self.header, self.plan)
        if problems:
            return problems
        key = fields["email"].lower()
        if key in self.seen:
            column = next(n for n, t in zip(self.header, self.plan, strict=True) if t == "email")
            return [[f"{column}: duplicate of row {self.seen[key]} in this file", column]]
        self.seen[key] = number
        try:
            ContactCreate.model_validate(fields)
        except ModelError as exc:
            return _model_problems(exc, self.header, self.plan)
        if not self.writes:
            return []
        existing = find_contact(self.state, fields["email"])
        try:
            if existing is None:
                fields.setdefault("source", "import")
                contacts.create(self.state, ContactCreate.model_validate({**fields, "list_ids": self.list_ids}))
            else:
                current = self.state.store.list_ids_by_contact([existing["id"]])[existing["id"]]
                lists = list(dict.fromkeys(current + self.list_ids))
                contacts.update(self.state, existing["id"], ContactUpdate.model_validate({**fields, "list_ids": lists}))
        except ApiError as exc:
            return [[f"{name}: {messages[0]}", None] for name, messages in (exc.validation_errors or {}).items()] or [
                [exc.message or "refused", None]
            ]
        return []
