"""Bulk imports: ``/imports`` (upload a CSV or a DataFrame, poll, cancel, list) and the handle and result types.

Small files go up as one multipart ``POST /imports``; larger ones (or ``upload="direct"``) take the direct-upload
path: ``POST /v1/direct_uploads`` declares the file, its bytes are PUT to the presigned URL (without the API
key), and ``POST /imports`` names the upload by ``signed_id``. Either way the server processes rows in the
background; :meth:`ImportHandle.wait` polls with a progress bar and returns an :class:`ImportResult`.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from nitrosend_nb.client.filters import Choice, Filters
from nitrosend_nb.client.frames import IMPORTS
from nitrosend_nb.client.idempotency import new_idempotency_key
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.uploads import direct_upload

__all__ = ["Imports", "ImportHandle", "ImportResult", "ImportInterrupted"]

DIRECT_UPLOAD_ABOVE = 1024 * 1024  # bytes: bigger files take the direct-upload path under upload="auto"
FINISHED = frozenset({"complete", "failed", "canceled", "contact_us"})


@dataclass
class ImportResult:
    """A finished import: ``record`` (the API's import record) and ``failed`` (one row per failed input row:
    ``row`` number, ``reason``, then the input's own columns; indexed like the input DataFrame; empty when every
    row went in)."""

    record: dict
    failed: pd.DataFrame = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when the import completed with no failed row."""
        return self.record.get("status") == "complete" and not self.record.get("failed_rows")

    def __repr__(self) -> str:
        r = self.record
        return (
            f"<ImportResult {r.get('id')} {r.get('status')}: {r.get('success_rows')} of {r.get('total_rows')} "
            f"rows {'valid (dry run)' if _dry_run(r) else 'imported'}, {r.get('failed_rows')} failed>"
        )


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C while waiting for an import: the import itself keeps running on the server (see ``handle``)."""

    def __init__(self, handle: ImportHandle, record: dict) -> None:
        self.handle = handle
        super().__init__(
            f"stopped waiting, but import {handle.id} keeps running on the server "
            f"({record.get('progress_pct') or 0:g}% done). Resume with ns.imports.wait({handle.id}) "
            f"or stop it with ns.imports.cancel({handle.id})."
        )


def _dry_run(record: Mapping) -> bool:
    return (record.get("options") or {}).get("write_mode", "real") != "real"


class ImportHandle:
    """A started import: ``refresh()`` reads its record, ``wait()`` polls until it ends, ``cancel()`` stops it."""

    def __init__(self, imports: Imports, record: dict, source: pd.DataFrame | None = None) -> None:
        self._imports = imports
        self.record = record
        self.id = record["id"]
        self._source = source

    def __repr__(self) -> str:
        return f"<ImportHandle {self.id} {self.record.get('status')} {self.record.get('progress_pct') or 0:g}%>"

    def refresh(self) -> dict:
        """Fetch and return the current import record."""
        self.record = self._imports.get(self.id)
        return self.record

    def cancel(self) -> dict:
        """Cancel the import (rows already written stay); returns the record."""
        self.record = self._imports.cancel(self.id)
        return self.record

    def wait(
        self,
        *,
        poll_interval: float = 0.2,
        timeout: float | None = None,
        progress: bool | None = None,
        on_progress: Callable[[dict], None] | None = None,
    ) -> ImportResult:
        """Poll until the import ends (a tqdm bar of rows processed) and return its :class:`ImportResult`.

        ``on_progress(record)`` is called after each poll (a widget's progress bar). Ctrl-C stops waiting, not
        the import: it raises :class:`ImportInterrupted` saying how to resume. ``timeout`` (seconds) raises
        TimeoutError, the import again left running."""
        show = self._imports.progress if progress is None else progress
        started = time.monotonic()
        bar = tqdm(
            total=self.record.get("total_rows") or 0,
            desc=f"import {self.id}",
            unit="row",
            disable=not show,
            leave=False,
        )
        try:
            while self.record.get("status") not in FINISHED:
                if timeout is not None and time.monotonic() - started > timeout:
                    raise TimeoutError(
                        f"import {self.id} still {self.record.get('status')} after {timeout:g} s; "
                        f"it keeps running: ns.imports.wait({self.id}) resumes waiting"
                    )
                time.sleep(poll_interval)
                self.refresh()
                bar.total = self.record.get("total_rows") or bar.total
                bar.update((self.record.get("rows_processed") or 0) - bar.n)
                if on_progress is not None:
                    on_progress(self.record)
        except KeyboardInterrupt:
            raise ImportInterrupted(self, self.record) from None
        finally:
            bar.close()
        return ImportResult(self.record, failed_rows(self.record, self._source))


def failed_rows(record: Mapping, source: pd.DataFrame | None) -> pd.DataFrame:
    """The failed rows of an import: ``row`` and ``reason`` (a row's reasons joined by "; "), joined to the
    input row and indexed like the input when it is known."""
    reasons: dict[int, list[str]] = {}
    for entry in record.get("import_errors") or []:
        reasons.setdefault(int(entry[0]), []).append(str(entry[1]))
    rows = sorted(reasons)
    report = pd.DataFrame(
        {
            "row": pd.array(rows, dtype="Int64"),
            "reason": pd.array(["; ".join(reasons[r]) for r in rows], dtype="string"),
        }
    )
    if source is None:
        return report
    inside = [r for r in rows if 1 <= r <= len(source)]
    picked = source.iloc[[r - 1 for r in inside]]
    report = report[report["row"].isin(inside)].set_index(picked.index)
    return pd.concat([report, picked], axis=1)


def _csv_bytes(source: pd.DataFrame | str | os.PathLike) -> tuple[bytes, str, pd.DataFrame]:
    """(file bytes, file name, the rows as a DataFrame for the failed-rows report) of a DataFrame or CSV path."""
    if isinstance(source, pd.DataFrame):
        return source.to_csv(index=False).encode("utf-8"), "dataframe.csv", source
    with open(source, "rb") as handle:
        data = handle.read()
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skip_blank_lines=True)
    return data, os.path.basename(os.fspath(source)), frame


class Imports(Resource):
    """Past and running imports (``df()`` lists them), and starting new ones."""

    path = "/imports"
    label = "imports"
    schema = IMPORTS
    filters = Filters(
        Choice("resource", "what was imported (contacts)", values=("contacts",)),
        Choice("status", "the import's state", values=tuple(IMPORTS.columns["status"].categories), sandbox_only=True),
    )
    item_methods = frozenset()  # an import is changed only by cancel()

    @property
    def progress(self) -> bool:
        """Whether waits show a progress bar (the client's ``progress`` setting)."""
        return self._client.progress

    def spec(self) -> dict:
        """What an import accepts: ``resource``, ``parser``, ``ui`` (how a form presents it: accepted files, the
        match key, how rows are numbered), ``required_rules``, ``fields`` (``[{name, description, required}]``) and
        ``guardrails`` (the import policy: ``standing``, ``max_rows``, ``max_file_size_bytes``/``_mb``,
        ``max_active_imports``, the create and direct-upload rate limits per minute, ``write_modes``)."""
        return self._call("GET", "/spec")

    def cancel(self, id: int) -> dict:
        """Cancel a pending or processing import; returns its record."""
        return self._call("POST", f"{self._item(id)}/cancel")

    def handle(self, id: int) -> ImportHandle:
        """A handle on an existing import (e.g. one you stopped waiting for)."""
        return ImportHandle(self, self.get(id))

    def wait(self, id: int, **options: Any) -> ImportResult:
        """Wait for import ``id`` to end (see :meth:`ImportHandle.wait`)."""
        return self.handle(id).wait(**options)

    def start(
        self,
        source: pd.DataFrame | str | os.PathLike,
        *,
        list_ids: Sequence[int] = (),
        columns: Mapping[str, str | None] | None = None,
        dry_run: bool = False,
        upload: str = "auto",
    ) -> ImportHandle:
        """Upload a DataFrame or CSV file as a contacts import and return its handle (processing has begun).

        ``columns`` maps file columns to contact fields (``"data.<key>"`` for custom fields, None to skip);
        ``upload`` is ``"multipart"``, ``"direct"`` (direct upload + presigned PUT) or ``"auto"`` (direct above
        1 MiB). The request carries an Idempotency-Key, so a retried upload never starts two imports."""
        if upload not in ("auto", "multipart", "direct"):
            raise ValueError("upload must be 'auto', 'multipart' or 'direct'")
        data, filename, frame = _csv_bytes(source)
        options = {
            "list_ids": [valid_id(i, "list_ids") for i in list_ids],
            "write_mode": "dry_run" if dry_run else "real",
        }
        body = {"resource": "contacts", "columns": dict(columns or {}), "options": options}
        key = new_idempotency_key()
        if upload == "direct" or (upload == "auto" and len(data) > DIRECT_UPLOAD_ABOVE):
            signed_id = direct_upload(self._client, data, filename=filename, content_type="text/csv", purpose="import")
            record = self._call("POST", json={**body, "signed_id": signed_id}, idempotency_key=key)
        else:
            form = {name: json.dumps(value) if isinstance(value, dict) else value for name, value in body.items()}
            record = self._call("POST", files={"file": (filename, data, "text/csv")}, data=form, idempotency_key=key)
        return ImportHandle(self, record, frame)
