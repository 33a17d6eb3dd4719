"""MailMerge: a DataFrame to personal emails in a form: every row previewed, the problems listed, a test of any row
to yourself, then the send (guarded in live mode), its progress and each row's result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from .. import errors
from ..client.mail_merge import Lookups, MergeInterrupted, MergePlan, MergeResult
from ..rendering import MergeError
from . import html as markup
from .base import Form
from .form import FieldErrors, hidden, labelled, shown, text_area, text_input, view_picker
from .validation import check, parse_address

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["MailMerge"]

NO_TEMPLATE = "(none: write the email below)"
SHOWN_ROWS = 50  #: rows listed in the problems and results tables (the rest are counted)
#: The order the results table lists rows in: what needs attention first.
RESULT_ORDER = ("failed", "conflict", "skipped", "pending", "sent", "already_sent", "would_send")


class MailMerge(Form):
    """Send ``df`` as a mail merge, one personal email per row (``ns.messages.send_df`` in a form).

    Parts: ``address_column``, ``template`` (or ``subject``, ``body_format`` and ``body``), ``name`` (the run's
    name: each row's Idempotency-Key derives from it), ``previous_button``/``next_button`` and ``row_label``,
    ``preview_view`` (desktop, mobile, plain text) and ``preview`` (a sandboxed iframe), ``summary`` and
    ``problems`` (the dry run), ``test_to`` and ``test_button`` (the shown row to yourself, marked as a test),
    ``confirm_count`` (live mode: type the number of emails to enable Send), ``send_button``, ``progress``,
    ``status`` and ``results`` (failed rows first); ``plan`` is the current
    :class:`~nitrosend_nb.client.mail_merge.MergePlan` and ``result`` the last send's
    :class:`~nitrosend_nb.client.mail_merge.MergeResult`. Sends are idempotent per row: clicking twice, or
    running the cell again, sends nobody twice. ``options`` go to the plan as they are (``from_``, ``reply_to``,
    ``tags``, ``data``, ``key``).
    """

    def __init__(
        self,
        client: Nitrosend,
        df: pd.DataFrame,
        *,
        to: str | None = None,
        template_id: int | None = None,
        subject: str = "",
        html: str = "",
        name: str = "",
        preview_delay: float = 0.3,
        **options: Any,
    ) -> None:
        super().__init__(client)
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"mail_merge takes a pandas DataFrame, not {type(df).__name__}")
        self.df = df
        self.options = options
        self.lookups = Lookups(client)
        self.plan: MergePlan | None = None
        self.result: MergeResult | None = None
        self.position = 0

        columns = [str(column) for column in df.columns]
        self.address_column = labelled(
            widgets.Dropdown, "Address column", full_width=False, options=columns, value=_address_column(columns, to)
        )
        self.template = labelled(widgets.Dropdown, "Template", options=[(NO_TEMPLATE, None)])
        self.subject = text_input("Subject", "Subject line, e.g. Your refund, {{ data.first_name }}", subject)
        self.body_format = labelled(
            widgets.Dropdown,
            "Body format",
            full_width=False,
            options=[("HTML", "html"), ("Plain text", "text")],
            value="html",
        )
        self.body = text_area("Body", "<p>Hi {{ data.first_name }}, ...</p>  ({{ data.<column> }} for each column)")
        self.body.value = html
        self.name = text_input("Run name", "names this send, e.g. refund-notice-2026-11 (required to send)", name)
        self.previous_button = widgets.Button(description="Previous", icon="arrow-left")
        self.next_button = widgets.Button(description="Next", icon="arrow-right")
        self.row_label = widgets.HTML()
        self.preview_view = view_picker()
        self.preview = widgets.HTML()
        self.summary = widgets.HTML()
        self.problems = widgets.HTML()
        self.test_to = labelled(widgets.Text, "Test to", full_width=False, placeholder="you@example.com")
        self.test_to.layout.flex = "1 1 auto"
        self.test_button = widgets.Button(description="Send row to me", icon="paper-plane")
        self.confirm_count = text_input("Confirm count", "type the number of emails to send to enable Send")
        self.send_button = widgets.Button(description="Send", button_style="danger", icon="paper-plane")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, description="Sent", style={"description_width": "110px"}
        )
        self.results = widgets.HTML()

        self.errors = FieldErrors(
            {
                "address_column": self.address_column,
                "subject": self.subject,
                "body": self.body,
                "name": self.name,
                "test_to": self.test_to,
                "confirm_count": self.confirm_count,
            },
            aliases={"html": "body", "text": "body", "to": "address_column"},
        )
        self.preview_debounce = self._debouncer(self.refresh, preview_delay)
        self._lay_out(
            self.address_column,
            self.errors.labels["address_column"],
            self.template,
            self.errors.row("subject"),
            self.body_format,
            self.errors.row("body"),
            self.errors.row("name"),
            widgets.HBox([self.previous_button, self.next_button, self.row_label]),
            self.preview_view,
            self.preview,
            self.summary,
            self.problems,
            widgets.HBox([self.test_to, self.test_button]),
            self.errors.labels["test_to"],
            self.errors.row("confirm_count"),
            self.send_button,
            self.progress,
            self.status,
            self.results,
        )
        hidden(self.progress)
        if not self.live:
            hidden(self.confirm_count)

        self.template.observe(self._on_template, names="value")
        self._load_templates(template_id)
        for part in (self.address_column, self.template, self.subject, self.body, self.body_format, self.name):
            part.observe(lambda change: self.preview_debounce.trigger(), names="value")
        self.preview_view.observe(lambda change: self.show_row(), names="value")
        self.confirm_count.observe(lambda change: self._sync(), names="value")
        self.previous_button.on_click(lambda button: self.move(-1))
        self.next_button.on_click(lambda button: self.move(1))
        self._guard({self.test_button: self.send_test, self.send_button: self.send}, settle=self._sync)
        self.refresh()

    def __repr__(self) -> str:
        return f"<MailMerge rows={len(self.df)} mode={'live' if self.live else 'sandbox'}>"

    # ----------------------------------------------------------------- building the plan
    def _load_templates(self, template_id: int | None) -> None:
        templates = self._call(lambda: list(self.client.templates.iter(progress=False)))
        if templates is None:
            return
        self.template.options = [(NO_TEMPLATE, None)] + [
            (f"#{t['id']} {t.get('name') or '(unnamed)'}", t["id"]) for t in templates
        ]
        if template_id in {t["id"] for t in templates}:
            self.template.value = template_id

    def _on_template(self, change: dict) -> None:
        uses_template = change["new"] is not None
        self.subject.disabled = self.body.disabled = self.body_format.disabled = uses_template

    def content(self) -> dict[str, Any]:
        """The plan's arguments as the form holds them."""
        name = self.name.value.strip() or None
        if self.template.value is not None:
            return {"template_id": self.template.value, "name": name}
        body = self.body.value if self.body.value.strip() else None
        return {"subject": self.subject.value or None, self.body_format.value: body, "name": name}

    def refresh(self) -> None:
        """Prepare the merge from the form (every row rendered and checked, nothing sent) and show it."""
        self.preview_debounce.cancel()
        self.errors.clear()
        self.plan = None
        try:
            self.plan = MergePlan(
                self.client, self.df, self.address_column.value, lookups=self.lookups, **self.content(), **self.options
            )
        except MergeError as exc:
            self.errors.show({exc.field: str(exc)})
            self.summary.value = markup.block(markup.text(f"{exc.field}: {exc}", "error"), "error")
        except ValueError as exc:
            self.summary.value = markup.block(markup.text(str(exc), "error"), "error")
        except errors.NitrosendError as exc:
            self.status.failure(exc)
            self.summary.value = ""
        if self.plan is None:
            self.problems.value = self.preview.value = self.row_label.value = ""
            self._sync()
            return
        self.position = min(self.position, max(len(self.plan.rows) - 1, 0))
        dry_run = self.plan.preview()
        self.summary.value = markup.block(markup.text(f"Dry run: {dry_run.summary}.", bold=True))
        self.problems.value = _table(dry_run.skipped, ("to", "problem"), "Not sent")
        self.show_row()
        self._sync()

    # ----------------------------------------------------------------- rows
    def move(self, step: int) -> None:
        """Show the row ``step`` rows further (negative: back), staying within the frame."""
        if self.plan is not None and self.plan.rows:
            self.position = max(0, min(len(self.plan.rows) - 1, self.position + step))
            self.show_row()
            self._sync()

    def show_row(self) -> None:
        """Render the current row into the chosen view, with its recipient, subject and problem."""
        if self.plan is None or not self.plan.rows:
            self.row_label.value = markup.text("No rows.", "muted")
            self.preview.value = ""
            return
        row = self.plan.rows[self.position]
        problem = self.plan.problem(self.position)
        state = markup.text(f"not sent: {problem}", "warn") if problem else markup.text("would send", "ok")
        self.row_label.value = (
            markup.text(f"Row {self.position + 1} of {len(self.plan.rows)} (index {row.label!r}): ") + state
        )
        self.previous_button.disabled = self.position == 0
        self.next_button.disabled = self.position >= len(self.plan.rows) - 1
        try:
            email = self.plan.render(self.position)
        except MergeError as exc:
            self.preview.value = markup.block(markup.text(f"{exc.field}: {exc}", "error"), "error")
            return
        head = markup.key_values((("To", row.address or "(none)"), ("Subject", email.subject)))
        self.preview.value = f'<div class="ns-head">{head}</div>' + markup.email_view(
            self.preview_view.value,
            self.client.inbox.local_pictures(email.html),
            email.text,
            f"Row {self.position + 1}",
        )

    # ----------------------------------------------------------------- actions
    def _sync(self) -> None:
        """Enable exactly the buttons that can act now."""
        if self.guard.in_flight:
            return
        eligible = self.plan.eligible if self.plan is not None else 0
        confirmed = not self.live or self.confirm_count.value.strip() == str(eligible)
        self.send_button.disabled = not eligible or not self.name.value.strip() or not confirmed
        self.send_button.description = f"Send {eligible} email(s)" if eligible else "Send"
        self.test_button.disabled = not self._row_eligible()

    def _row_eligible(self) -> bool:
        return self.plan is not None and bool(self.plan.rows) and self.plan.problem(self.position) is None

    def send_test(self) -> MergeResult | None:
        """Send the shown row to the ``test_to`` address, marked as a test (the same test twice sends once)."""
        problems: dict[str, str] = {}
        address = check(problems, "test_to", parse_address, self.test_to.value)
        self.errors.show(problems)
        if self.plan is None or address is None:
            self.status.error("No test was sent: " + ("fix the test address." if problems else "fix the form."))
            return None
        if not self._row_eligible():
            self.status.error(f"No test was sent: this row is not sent: {self.plan.problem(self.position)}.")
            return None
        self.status.info(f"Sending row {self.position + 1} to {address}\u2026")
        one_row = self.df.iloc[[self.position]]
        result = self._call(
            lambda: MergePlan(
                self.client, one_row, self.address_column.value, lookups=self.lookups, **self.content(), **self.options
            ).send(test_to=address, progress=False)
        )
        if result is None:
            return None
        status = result.frame["status"].iloc[0]
        if status == "failed":
            self.status.error(f"The test was not sent: {result.frame['error'].iloc[0]}")
        elif status == "already_sent":
            self.status.info(f"This exact test of row {self.position + 1} already went to {address}; not sent again.")
        else:
            self.status.success(
                f"Sent row {self.position + 1} to {address} as a test (message #{result.frame['message_id'].iloc[0]})."
            )
        return result

    def send(self) -> MergeResult | None:
        """Send every eligible row (live mode: once the count is confirmed), with progress, then list the results
        (failed rows first)."""
        self.refresh()  # what is sent is what the form says now
        if self.plan is None:
            self.status.error("Nothing was sent: fix the form first.")
            return None
        if not self.name.value.strip():
            self.errors.set("name", "Name the run: a rerun under the same name sends nobody twice.")
            self.status.error("Nothing was sent: the run has no name.")
            return None
        count = self.plan.eligible
        confirm = None
        if self.live:
            if self.confirm_count.value.strip() != str(count):
                self.errors.set("confirm_count", f"Type {count}, the number of emails, to send them for real.")
                self.status.error("Nothing was sent: the number of emails was not confirmed.")
                return None
            confirm = count
        self.results.value = ""
        self.progress.max, self.progress.value = max(count, 1), 0
        shown(self.progress)
        self.status.info(f"Sending {count} email(s)\u2026")
        try:
            result = self._call(lambda: self.plan.send(confirm=confirm, progress=False, on_progress=self._advance))
        except MergeInterrupted as exc:  # the kernel was interrupted: what went out is known, a rerun sends the rest
            result = exc.result
        if result is None:
            return None
        self._show_result(result)
        return result

    def _advance(self, done: int, total: int) -> None:
        self.progress.value = done

    def _show_result(self, result: MergeResult) -> None:
        self.result = result
        counts = result.counts
        if counts.get("failed") or counts.get("conflict") or counts.get("pending"):
            self.status.error(f"Done with problems: {result.summary}.")
        else:
            self.status.success(f"Done: {result.summary}.")
        order = {status: rank for rank, status in enumerate(RESULT_ORDER)}
        frame = result.frame.iloc[result.frame["status"].map(order).astype(int).argsort(kind="stable")]
        self.results.value = _table(frame, ("status", "to", "message_id", "error", "problem"), "Results")


def _address_column(columns: list[str], wanted: str | None) -> str | None:
    """``wanted`` when given, else the column named like an e-mail address (``email``, ``E-mail``...), else the
    first column."""
    if wanted is not None:
        if wanted not in columns:
            raise ValueError(f"to={wanted!r} is not a column of the DataFrame (its columns: {', '.join(columns)})")
        return wanted
    named = [c for c in columns if c.lower().replace("-", "").replace("_", "") in ("email", "emailaddress", "to")]
    return (named or columns or [None])[0]


def _table(frame: pd.DataFrame, columns: tuple[str, ...], title: str) -> str:
    """The first :data:`SHOWN_ROWS` rows of ``frame`` (index and ``columns``) as a table under ``title``."""
    if frame.empty:
        return ""
    shown_rows = frame.head(SHOWN_ROWS)
    rows = [
        [str(label), *("" if pd.isna(value) else str(value) for value in values)]
        for label, values in zip(shown_rows.index, shown_rows[list(columns)].itertuples(index=False), strict=True)
    ]
    more = len(frame) - len(shown_rows)
    note = markup.text(f" (first {SHOWN_ROWS} of {len(frame)})", "muted") if more else ""
    heading = markup.text(title, bold=True) + note
    return heading + markup.grid(("row", *columns), rows)
