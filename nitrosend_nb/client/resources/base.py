"""The generic resource: list/iter/df over one endpoint group plus get/create/update/delete of its items.

Per-group modules subclass :class:`Resource`, set ``path``, ``label`` and ``schema`` (and ``paginator`` when the
list endpoint does not page by headers) and add only the calls that differ (``messages.send``,
``campaigns.send``, ``templates.send_test``...). Groups reach the API only through the client's public
:meth:`~nitrosend_nb.Nitrosend.request` and :meth:`~nitrosend_nb.Nitrosend.paginate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from nitrosend_nb.client.defaults import LIST_LIMIT
from nitrosend_nb.client.frames import FrameSchema, to_frame
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.pagination import HeaderPageNumberPaginator, Page, Paginator
from nitrosend_nb.client.retry_outcome import deleted_by_earlier_attempt, holds_changes, may_be_applied_already
from nitrosend_nb.errors import NitrosendError

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["ApiGroup", "Resource"]


def _query_value(value: object) -> object:
    """Spell a filter value the way the API's query strings do (true/false, ISO 8601 dates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


class ApiGroup:
    """One endpoint group of a :class:`~nitrosend_nb.Nitrosend` client."""

    path: str = ""

    def __init__(self, client: Nitrosend) -> None:
        self._client = client

    def _call(self, method: str, path: str = "", *, json: object = None, params: Mapping | None = None,
              idempotency_key: str | None = None, files: Mapping | None = None, data: Mapping | None = None) -> Any:
        """Send one request below this group's path and return the decoded JSON body (None when empty);
        ``files`` (with form fields in ``data``) sends a multipart form instead of JSON."""
        response = self._client.request(method, self.path + path, json=json, params=params,
                                        idempotency_key=idempotency_key, files=files, data=data)
        return response.json() if response.content else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} of {self._client!r}>"


class Resource(ApiGroup):
    """A collection endpoint (``GET/POST {path}``) with items at ``{path}/{id}`` (GET/PATCH/DELETE)."""

    label: str = ""  # names the resource in progress bars
    schema: FrameSchema
    paginator: Paginator = HeaderPageNumberPaginator()  # how the list endpoint pages (stateless, shared)
    item_methods: frozenset[str] = frozenset({"PATCH", "DELETE"})  # what the API allows on {path}/{id}

    def list(self, page: int = 1, limit: int = LIST_LIMIT, **filters: object) -> Page:
        """One page of records (a list of dicts with ``.page``, ``.total``, ``.total_pages``, ``.next_page``)."""
        return self.paginator.fetch(self._client.request, self.path, self._params(filters), page, limit)

    def iter(self, *, max_rows: int | None = None, progress: bool | None = None, **filters: object) -> Iterator[dict]:
        """Every record matching ``filters`` (at most ``max_rows``), in API order, each id once.

        Pages are fetched 100 records at a time; after the first, the rest are fetched concurrently.
        ``progress=False`` hides the progress bar the client would otherwise show.
        """
        if max_rows is not None and max_rows <= 0:
            return
        pages = self._client.paginate(self.path, self._params(filters), paginator=self.paginator, label=self.label,
                                      max_records=max_rows, progress=progress)
        seen: set = set()
        count = 0
        try:
            for page in pages:
                for record in page:
                    key = record.get("id") if isinstance(record, dict) else None
                    if key is not None:
                        if key in seen:  # a record shifted across a page boundary while pages were fetched
                            continue
                        seen.add(key)
                    yield record
                    count += 1
                    if max_rows is not None and count >= max_rows:
                        return
        finally:  # stops the page fetcher (and its threads) on early exit
            pages.close()

    def df(self, *, max_rows: int | None = None, **filters: object) -> pd.DataFrame:
        """All records matching ``filters`` as a DataFrame indexed by ``id`` with the resource's fixed dtypes."""
        return self.frame(list(self.iter(max_rows=max_rows, **filters)))

    def frame(self, records: Iterable[dict]) -> pd.DataFrame:
        """Records of this resource (e.g. a :class:`Page` from :meth:`list`) as a DataFrame with its dtypes."""
        return to_frame(list(records), self.schema)

    def get(self, id: int) -> dict:
        """One record by id (NotFoundError when it does not exist)."""
        return self._call("GET", self._item(id))

    def create(self, **fields: object) -> dict:
        """Create a record from ``fields`` (the API's request body) and return it."""
        return self._call("POST", json=fields)

    def update(self, id: int, **fields: object) -> dict:
        """PATCH the given fields of record ``id`` and return the updated record (also when a retry after a lost
        response is refused as a conflict although the record already holds the change)."""
        try:
            return self._item_call("PATCH", id, fields)
        except NitrosendError as error:
            if not may_be_applied_already(error):
                raise
            conflict = error
        current = self.get(id)
        if not holds_changes(current, fields):
            raise conflict
        return current

    def delete(self, id: int) -> dict | None:
        """Delete record ``id``; returns the deleted record when the API sends it back (None when a retry after a
        lost response found it already deleted)."""
        try:
            return self._item_call("DELETE", id)
        except NitrosendError as error:
            if deleted_by_earlier_attempt(error):
                return None
            raise

    def _item_call(self, method: str, id: int, fields: dict | None = None) -> Any:
        if method not in self.item_methods:
            raise NotImplementedError(f"the Nitrosend API has no {method} {self.path}/{{id}}")
        return self._call(method, self._item(id), json=fields)

    def _item(self, id: object) -> str:
        """The path of record ``id`` below :attr:`path` (ids are checked before any request)."""
        return f"/{valid_id(id)}"

    @staticmethod
    def _params(filters: Mapping[str, object]) -> dict:
        return {name: _query_value(value) for name, value in filters.items() if value is not None}
