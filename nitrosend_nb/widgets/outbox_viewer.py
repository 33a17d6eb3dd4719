"""OutboxViewer: the sandbox inbox in a notebook: search, pages, one email in every view, its checks, live."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .. import errors
from . import html as markup
from .base import Form
from .form import labelled, text_input, view_picker

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["OutboxViewer"]

HEADERS = (
    ("From", "from"),
    ("To", "to"),
    ("Reply-To", "reply_to"),
    ("Subject", "subject"),
    ("Kind", "kind"),
    ("Date", "created_at"),
)
EXTRA_VIEWS = (("Headers", "headers"), ("Source", "source"), ("Merge context", "context"), ("Checks", "checks"))
PAGE_SIZE = 25


class OutboxViewer(Form):
    """Browse the sandbox inbox: ``query`` + ``search_button`` search it (the inbox's grammar: ``to:``,
    ``kind:campaign``, ``-tag:x``...), ``emails`` lists one page (newest first; ``newer_button``/``older_button``
    page), ``view`` picks how ``message`` shows the chosen email (desktop, mobile, plain text, headers, source,
    merge context, checks), ``refresh_button`` re-reads and ``live`` re-reads by itself when a new email lands
    (polling every ``poll_interval`` seconds). The outbox exists only in sandbox mode."""

    #: Here ``live`` is the checkbox for live updates; it replaces :attr:`Form.live`, the account's mode, which an
    #: outbox that exists only in sandbox mode checks through the client itself.
    live: widgets.Checkbox = None

    def __init__(self, client: Nitrosend, *, poll_interval: float = 2.0) -> None:
        super().__init__(client)
        self.poll_interval = poll_interval
        self.page = 1
        self._email: dict | None = None
        self._latest: dict | None = None
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self.query = text_input("Search", 'to:ada kind:campaign -tag:vip subject:"sale"')
        self.search_button = widgets.Button(description="Search", icon="search")
        self.emails = labelled(widgets.Select, "E-mails", full_width=False, options=[], rows=8)
        self.emails.layout.flex = "1 1 auto"
        self.newer_button = widgets.Button(description="Newer", icon="arrow-left")
        self.older_button = widgets.Button(description="Older", icon="arrow-right")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.live = widgets.Checkbox(
            value=False, description="Live", indent=False, tooltip="Show new e-mails as they land"
        )
        self.view = view_picker(EXTRA_VIEWS)
        self.message = widgets.HTML()
        self._lay_out(
            widgets.HBox([self.query, self.search_button]),
            widgets.HBox(
                [self.emails, widgets.VBox([self.refresh_button, self.live, self.newer_button, self.older_button])]
            ),
            self.view,
            self.message,
            self.status,
        )
        self.emails.observe(lambda change: self._open(), names="value")
        self.view.observe(lambda change: self._show(), names="value")
        self._guard(
            {
                self.refresh_button: self.refresh,
                self.search_button: self.search,
                self.newer_button: lambda: self.go(self.page - 1),
                self.older_button: lambda: self.go(self.page + 1),
            }
        )
        self.live.observe(lambda change: self._start_live() if change["new"] else self._stop(), names="value")
        self.refresh()

    def __repr__(self) -> str:
        return f"<OutboxViewer {len(self.emails.options)} e-mail(s)>"

    # ----------------------------------------------------------------- list
    def search(self) -> None:
        """Search from the first page."""
        self.go(1)

    def go(self, page: int) -> None:
        """Show page ``page`` of the current search."""
        self.page = max(1, page)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the current page, keeping the chosen e-mail when it is still listed (else the newest)."""
        if getattr(self.client, "mode", None) != "sandbox":
            self.status.error("The outbox exists only in sandbox mode: a live account delivers real e-mail.")
            for button in self.guard.buttons:
                button.disabled = True
            self.live.disabled = True
            return
        with self._lock:
            found = self._call(
                lambda: self.client.inbox.search(self.query.value.strip(), page=self.page, limit=PAGE_SIZE)
            )
            if found is None:
                return
            chosen = self.emails.value
            options = [(f"#{e['id']} {e['kind']} \u2192 {e['to']}: {e['subject']}", int(e["id"])) for e in found]
            self.emails.options = options
            ids = [value for _, value in options]
            self.emails.value = chosen if chosen in ids else (ids[0] if ids else None)
            self.newer_button.disabled = self.page <= 1
            self.older_button.disabled = found.next_page is None
            self.status.info(
                f"{found.total} e-mail(s){' match' if self.query.value.strip() else ''}; "
                f"page {found.page} of {found.total_pages}."
            )
            self._open()

    # ----------------------------------------------------------------- one email
    def _open(self) -> None:
        ident = self.emails.value
        if ident is None:
            self._email = None
        elif self._email is None or self._email["id"] != ident:
            email = self._call(lambda: self.client.inbox.get(ident))
            if email is None:
                return
            self._email = email
        self._show()

    def _show(self) -> None:
        email = self._email
        if email is None:
            self.message.value = markup.text("No e-mail captured yet: sends in sandbox mode land here.", "muted")
            return
        self.message.value = markup.key_values(
            (label, email.get(key) or "") for label, key in HEADERS
        ) + self._view_html(email)

    def _view_html(self, email: dict) -> str:
        view = self.view.value
        if view == "headers":
            return markup.key_values(email["headers"].items())
        if view == "source":
            source = self._call(lambda: self.client.inbox.source(email["id"]))
            return "" if source is None else markup.pre(source.decode("utf-8", "replace"))
        if view == "context":
            return markup.pre(json.dumps(email["context"], indent=2, ensure_ascii=False))
        if view == "checks":
            report = self._call(lambda: self.client.inbox.checks(email["id"]))
            return "" if report is None else markup.checks(report)
        return markup.email_view(
            view,
            self.client.inbox.local_pictures(email.get("html")) or markup.pre(email.get("text") or ""),
            email.get("text"),
            "Captured e-mail",
        )

    # ----------------------------------------------------------------- live
    def _start_live(self) -> None:
        self._call(self._remember_latest)
        self._schedule()

    def _remember_latest(self) -> None:
        self._latest = self.client.inbox.latest()

    def _schedule(self) -> None:
        with self._lock:
            if self._closed or not self.live.value:
                return
            self._timer = threading.Timer(self.poll_interval, self._poll)
            self._timer.daemon = True
            self._timer.start()

    def _stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _poll(self) -> None:
        try:
            latest = self.client.inbox.latest()
        except errors.NitrosendError:
            latest = self._latest  # the sandbox did not answer this time: try again next round
        if latest != self._latest and not self._closed:
            self._latest = latest
            self.refresh()
        self._schedule()

    def close(self) -> None:
        """Stop live updates and close the widget and its parts."""
        with self._lock:
            self._closed = True
        self._stop()
        super().close()
