"""Contacts: ``/contacts`` plus search and bulk import."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pandas as pd

from nitrosend_nb.client.filters import Choice, Filters, Id, Moment, Text
from nitrosend_nb.client.frames import CONTACTS
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.resources.imports import ImportHandle, ImportResult


class Contacts(Resource):
    """Contacts: ``ns.contacts.df(list_id=3)``, ``ns.contacts.search("ada")`` (the filters:
    ``help(ns.contacts.df)``)."""

    path = "/contacts"
    label = "contacts"
    schema = CONTACTS
    filters = Filters(
        Text("search", "name, email or phone contains this text"),
        Id("list_id", "members of this list"),
        Text("tag", "tagged with this (data.tags, any case)"),
        Text("sort", "the field to order by (id, created_at, updated_at, first_name, last_name, email)"),
        Choice("direction", "asc or desc (default desc)", values=("asc", "desc")),
        Moment("created_after", "created at or after this time", sandbox_only=True),
        Moment("created_before", "created before this time", sandbox_only=True),
    )

    def search(self, q: str) -> pd.DataFrame:
        """Every contact whose name, email or phone matches ``q``, as a DataFrame."""
        return self.df(search=q)

    def import_df(
        self,
        source: pd.DataFrame | str | os.PathLike,
        *,
        list_ids: Sequence[int] = (),
        columns: Mapping[str, str | None] | None = None,
        dry_run: bool = False,
        wait: bool = True,
        upload: str = "auto",
        timeout: float | None = None,
    ) -> ImportResult | ImportHandle:
        """Import contacts from a DataFrame or a CSV path, matched by email (a rerun creates no duplicates).

        Every row becomes a contact created or updated with the file's fields and added to ``list_ids``;
        ``columns`` maps a file column to a field (``{"E-mail": "email", "Plan": "data.plan", "Notes": None}``).
        ``dry_run=True`` validates every row and writes nothing. With ``wait=True`` (default) this polls with a
        progress bar and returns an :class:`ImportResult` (``.record``, ``.failed``: the input rows that failed
        with their row number and reason); ``wait=False`` returns the :class:`ImportHandle` at once. Ctrl-C while
        waiting leaves the import running and tells how to resume.
        """
        handle = self._client.imports.start(source, list_ids=list_ids, columns=columns, dry_run=dry_run, upload=upload)
        return handle.wait(timeout=timeout) if wait else handle
