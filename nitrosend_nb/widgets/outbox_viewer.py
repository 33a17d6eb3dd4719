"""OutboxViewer: read the e-mails a sandbox captured, rendered as the recipient would see them."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .. import errors
from .form import StatusArea, labelled
from .guard import RequestGuard
from .iframe import sandboxed_iframe

__all__ = ["OutboxViewer"]

HEADERS = (("From", "from"), ("To", "to"), ("Reply-To", "reply_to"), ("Subject", "subject"), ("Kind", "kind"),
           ("Date", "created_at"))


class OutboxViewer(widgets.VBox):
    """Browse the sandbox outbox: ``emails`` lists the captured e-mails (newest first), ``message`` shows the
    chosen one's headers and its HTML in a sandboxed iframe, ``refresh_button`` re-reads the outbox."""

    def __init__(self, client):
        self.client = client
        self._outbox = pd.DataFrame()
        self.emails = labelled(widgets.Select, "E-mails", full_width=False, options=[], rows=8)
        self.emails.layout.flex = "1 1 auto"
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.message = widgets.HTML()
        self.status = StatusArea()
        self.guard = RequestGuard([self.refresh_button])
        super().__init__([widgets.HBox([self.emails, self.refresh_button]), self.message, self.status])
        self.emails.observe(lambda change: self._show(), names="value")
        self.refresh_button.on_click(lambda button: self.guard.run(self.refresh))
        self.refresh()

    def __repr__(self) -> str:
        return f"<OutboxViewer {len(self.emails.options)} e-mail(s)>"

    def refresh(self) -> None:
        """Re-read the outbox, keeping the chosen e-mail when it is still there (else choosing the newest)."""
        if getattr(self.client, "mode", None) != "sandbox":
            self.status.error("The outbox exists only in sandbox mode: a live account delivers real e-mail.")
            self.refresh_button.disabled = True
            return
        try:
            self._outbox = self.client.outbox()
        except errors.NitrosendError as exc:
            self.status.failure(exc)
            return
        chosen = self.emails.value
        newest_first = self._outbox.sort_index(ascending=False)
        options = [(f"#{email_id} {row['kind']} \u2192 {row['to']}: {row['subject']}", int(email_id))
                   for email_id, row in newest_first.iterrows()]
        self.emails.options = options
        ids = [value for _, value in options]
        self.emails.value = chosen if chosen in ids else (ids[0] if ids else None)
        self.status.info(f"{len(options)} captured e-mail(s).")
        self._show()

    def _show(self) -> None:
        if self.emails.value is None or self.emails.value not in self._outbox.index:
            self.message.value = "<i>No e-mail captured yet: sends in sandbox mode land here.</i>"
            return
        email = self._outbox.loc[self.emails.value]
        rows = "".join(f"<tr><th style='text-align:left;padding-right:12px'>{label}</th>"
                       f"<td>{html.escape(str(email.get(column) if pd.notna(email.get(column)) else ''))}</td></tr>"
                       for label, column in HEADERS)
        document = email.get("html") if isinstance(email.get("html"), str) and email.get("html") else None
        if document is None:
            document = f"<pre>{html.escape(str(email.get('text') or ''))}</pre>"
        self.message.value = f"<table>{rows}</table>" + sandboxed_iframe(document, title="Captured e-mail")
