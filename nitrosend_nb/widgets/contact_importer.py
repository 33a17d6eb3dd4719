"""ContactImporter: import contacts from an uploaded CSV file or a DataFrame, with lists, dry run, progress and
the failed rows."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd

from ..client.resources.imports import ImportResult
from . import html as markup
from .base import Form
from .form import labelled

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["ContactImporter"]

OTHER_COLUMNS = (("as custom fields", "data"), ("skip them", "skip"))


class ContactImporter(Form):
    """Import contacts (matched by email, so importing twice adds nobody twice).

    Parts: ``upload`` (a CSV file; it replaces the DataFrame given as ``df``), ``source_label``, ``lists``
    (added to every imported contact), ``other_columns`` (columns that are not contact fields: custom fields
    ``data.<name>``, or skipped), ``dry_run``, ``import_button``, ``progress``, ``status`` and ``failed_table``;
    ``result`` is the last :class:`~nitrosend_nb.client.resources.imports.ImportResult`.
    """

    def __init__(self, client: Nitrosend, *, df: pd.DataFrame | None = None, poll_interval: float = 0.2) -> None:
        super().__init__(client)
        self.df = df
        self.poll_interval = poll_interval
        self.result = None
        self.upload = widgets.FileUpload(accept=".csv,text/csv", multiple=False, description="CSV file")
        self.source_label = widgets.HTML()
        self.lists = labelled(widgets.SelectMultiple, "Add to lists", rows=4)
        self.other_columns = labelled(
            widgets.ToggleButtons, "Other columns", full_width=False, options=OTHER_COLUMNS, value="data"
        )
        self.dry_run = widgets.Checkbox(description="Dry run (validate only, write nothing)", value=False, indent=False)
        self.import_button = widgets.Button(description="Import", button_style="primary", icon="upload")
        self.progress = widgets.FloatProgress(
            value=0, min=0, max=100, description="Progress", style={"description_width": "110px"}
        )
        self.failed_table = widgets.HTML()
        self._lay_out(
            widgets.HBox([self.upload, self.source_label]),
            self.lists,
            self.other_columns,
            self.dry_run,
            self.import_button,
            self.progress,
            self.status,
            self.failed_table,
        )
        self.upload.observe(lambda change: self._show_source(), names="value")
        self._guard({self.import_button: self.run_import})
        self._load_lists()
        self._show_source()

    def __repr__(self) -> str:
        return f"<ContactImporter {self._describe_source()}>"

    def _load_lists(self) -> None:
        contact_lists = self._call(lambda: list(self.client.lists.iter(progress=False)))
        if contact_lists is not None:
            self.lists.options = [
                (f"{item['name']} ({int(item.get('contacts_count') or 0):,})", item["id"]) for item in contact_lists
            ]

    def _source(self) -> tuple[pd.DataFrame | None, str]:
        """The rows to import and what they are called (the uploaded file wins over ``df``)."""
        if self.upload.value:
            item = self.upload.value[0]
            frame = pd.read_csv(io.BytesIO(bytes(item["content"])), dtype=str, keep_default_na=False)
            return frame, item["name"]
        return self.df, "the DataFrame"

    def _describe_source(self) -> str:
        try:
            frame, name = self._source()
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            return f"cannot read the file: {exc}"
        if frame is None:
            return "choose a CSV file (with an email column)"
        return f"{name}: {len(frame):,} rows, columns {', '.join(map(str, frame.columns))}"

    def _show_source(self) -> None:
        self.source_label.value = markup.text(self._describe_source())

    def _columns(self, frame: pd.DataFrame) -> dict:
        """Map the columns that are not contact fields as the ``other_columns`` choice says."""
        fields = {field["name"] for field in self.client.imports.spec()["fields"]}
        other = [c for c in frame.columns if str(c).strip().lower().replace(" ", "_") not in fields]
        return {
            c: (f"data.{str(c).strip().lower().replace(' ', '_')}" if self.other_columns.value == "data" else None)
            for c in other
        }

    def run_import(self) -> None:
        """Upload the rows, follow the progress, then show the outcome and the failed rows."""
        self.failed_table.value = ""
        self.progress.value = 0
        try:
            frame, name = self._source()
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            self.status.error(f"Cannot read {self.upload.value[0]['name']}: {exc}")
            return
        if frame is None:
            self.status.error("Choose a CSV file first (or pass df= to the importer).")
            return
        self.status.info(f"Importing {len(frame):,} rows from {name}...")
        result = self._call(lambda: self._import(frame))
        if result is None:
            return
        self.result = result
        self.progress.value = self.result.record.get("progress_pct") or 0
        self._show_result()

    def _import(self, frame: pd.DataFrame) -> ImportResult:
        """Start importing ``frame`` and follow it to the end (the progress bar moves as it goes); its result."""
        handle = self.client.imports.start(
            frame, list_ids=list(self.lists.value), columns=self._columns(frame), dry_run=self.dry_run.value
        )
        return handle.wait(
            poll_interval=self.poll_interval,
            progress=False,
            on_progress=lambda record: setattr(self.progress, "value", record.get("progress_pct") or 0),
        )

    def _show_result(self) -> None:
        record, failed = self.result.record, self.result.failed
        verb = "valid (dry run: nothing written)" if self.dry_run.value else "imported"
        text = (
            f"Import {record['id']} {record['status']}: {record.get('success_rows')} of "
            f"{record.get('total_rows')} rows {verb}, {record.get('failed_rows')} failed."
        )
        if record["status"] != "complete":
            self.status.error(text)
        else:
            self.status.success(text)
        if not failed.empty:
            self.failed_table.value = markup.text("Failed rows", bold=True) + failed.to_html(
                border=0, escape=True, na_rep=""
            )
