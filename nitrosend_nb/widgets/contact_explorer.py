"""ContactExplorer: search and filter contacts page by page, as a DataFrame."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd

from . import html as markup
from .base import Form
from .form import labelled

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["ContactExplorer"]

ALL_LISTS = "All contacts"
#: Columns shown in the table (when present); ``frame`` keeps every column.
SHOWN_COLUMNS = ("first_name", "last_name", "email", "country_code", "subscribed_email", "list_ids", "created_at")


class ContactExplorer(Form):
    """Browse contacts: ``search`` (debounced as you type) and ``list_filter`` narrow a paged table.

    Parts: ``search``, ``list_filter``, ``prev_button``, ``next_button``, ``page_label``
    ("page X of Y (N contacts)"), ``table`` and ``status``; ``frame`` is the current page as a DataFrame.
    """

    def __init__(self, client: Nitrosend, *, page_size: int = 25, search_delay: float = 0.3) -> None:
        super().__init__(client)
        self.page_size = page_size
        self.page = 1
        self.total_pages = 0
        self.total = 0
        self._frame = pd.DataFrame()
        self._refresh_lock = threading.Lock()

        self.search = labelled(widgets.Text, "Search", full_width=False, placeholder="name, e-mail or phone")
        self.search.layout.flex = "1 1 auto"
        self.list_filter = labelled(widgets.Dropdown, "List", full_width=False, options=[(ALL_LISTS, None)])
        self.prev_button = widgets.Button(description="Previous", icon="chevron-left")
        self.next_button = widgets.Button(description="Next", icon="chevron-right")
        self.page_label = widgets.Label()
        self.table = widgets.HTML()
        self.search_debounce = self._debouncer(self._first_page, search_delay)

        self._lay_out(
            widgets.HBox([self.search, self.list_filter]),
            widgets.HBox([self.prev_button, self.next_button, self.page_label]),
            self.table,
            self.status,
        )

        self.search.observe(lambda change: self.search_debounce.trigger(), names="value")
        self.list_filter.observe(lambda change: self._first_page(), names="value")
        self._guard(
            {self.prev_button: lambda: self.go_to(self.page - 1), self.next_button: lambda: self.go_to(self.page + 1)},
            settle=self._sync,
        )

        self._load_lists()
        self.refresh()

    def __repr__(self) -> str:
        return f"<ContactExplorer page {self.page} of {self.total_pages} ({self.total} contacts)>"

    @property
    def frame(self) -> pd.DataFrame:
        """The contacts on the current page (index ``id``)."""
        return self._frame

    def _load_lists(self) -> None:
        contact_lists = self._call(lambda: list(self.client.lists.iter(progress=False)))
        if contact_lists is None:
            return
        self.list_filter.options = [(ALL_LISTS, None)] + [
            (f"{item['name']} ({int(item.get('contacts_count') or 0):,})", item["id"]) for item in contact_lists
        ]

    def _first_page(self) -> None:
        self._fetch(1)

    def go_to(self, page: int) -> None:
        """Show page ``page`` (clamped to the pages that exist)."""
        self._fetch(max(1, min(page, max(self.total_pages, 1))))

    def refresh(self) -> None:
        """Fetch the current page again for the current search and list filter, and show it."""
        self._fetch(self.page)

    def _fetch(self, page_number: int) -> None:
        self.search_debounce.cancel()
        filters = {}
        if self.search.value.strip():
            filters["search"] = self.search.value.strip()
        if self.list_filter.value is not None:
            filters["list_id"] = self.list_filter.value
        with self._refresh_lock:
            page = self._call(lambda: self.client.contacts.list(page=page_number, limit=self.page_size, **filters))
            if page is None:
                return  # the page shown so far stays, with its label
            self.page = page_number
            self.total, self.total_pages = int(page.total or 0), int(page.total_pages or 0)
            self._frame = self.client.contacts.frame(page)
            self.status.clear()
            self._show()
        self._sync()

    def _show(self) -> None:
        if self.total == 0:
            self.page_label.value = "no contacts match"
            self.table.value = markup.text("No contacts match this search.", "muted")
            return
        self.page_label.value = f"page {self.page} of {self.total_pages} ({self.total:,} contacts)"
        shown = self._frame[[column for column in SHOWN_COLUMNS if column in self._frame.columns]].copy()
        if "created_at" in shown:
            shown["created_at"] = shown["created_at"].dt.strftime("%Y-%m-%d")
        self.table.value = shown.to_html(classes="ns-contacts", border=0, na_rep="", escape=True)

    def _sync(self) -> None:
        if self.guard.in_flight:
            return
        self.prev_button.disabled = self.page <= 1
        self.next_button.disabled = self.page >= self.total_pages
