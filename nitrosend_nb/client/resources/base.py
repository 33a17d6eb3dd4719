"""The generic resource: list/iter/df over one endpoint group plus get/create/update/delete of its items.

Per-group modules subclass :class:`Resource`, set ``path``, ``label``, ``schema`` and ``filters`` (the list
endpoint's documented filters, see :mod:`nitrosend_nb.client.filters`; and ``paginator`` when the list endpoint
does not page by headers) and add only the calls that differ (``messages.send``,
``campaigns.send``, ``templates.send_test``...). Groups reach the API only through the client's public
:meth:`~nitrosend_nb.Nitrosend.request` and :meth:`~nitrosend_nb.Nitrosend.paginate`.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from nitrosend_nb.client.backends import (
    DEFAULT_BACKEND,
    checked_backend,
    page_frames,
    pages_frame,
    records_frame,
    table_frames,
    tables_frame,
)
from nitrosend_nb.client.columnar import body_batches, table_batches
from nitrosend_nb.client.defaults import LIST_LIMIT
from nitrosend_nb.client.filters import LISTING_METHODS, Filters
from nitrosend_nb.client.frames import BATCH_ROWS, FrameSchema
from nitrosend_nb.client.gcpause import gc_paused, paused_steps
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.pagination import (
    HeaderPageNumberPaginator,
    Page,
    Paginator,
    json_body,
    unique_pages,
    unique_tables,
)
from nitrosend_nb.client.retry_outcome import deleted_by_earlier_attempt, holds_changes, may_be_applied_already
from nitrosend_nb.errors import NitrosendError

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["ApiGroup", "Resource", "Incremental"]


def _query_value(value: object) -> object:
    """Spell a filter value the way the API's query strings do (true/false, ISO 8601 dates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Incremental:
    """How a group's list can be loaded incrementally: records whose ``cursor`` field is later than a stored
    watermark, asked for with the ``filter`` query parameter (``/events?created_after=...``)."""

    cursor: str = "created_at"
    filter: str = "created_after"


class ApiGroup:
    """One endpoint group of a :class:`~nitrosend_nb.Nitrosend` client."""

    path: str = ""

    def __init__(self, client: Nitrosend) -> None:
        self._client = client

    def _call(
        self,
        method: str,
        path: str = "",
        *,
        json: object = None,
        params: Mapping | None = None,
        idempotency_key: str | None = None,
        files: Mapping | None = None,
        data: Mapping | None = None,
    ) -> Any:
        """Send one request below this group's path and return the decoded JSON body (None when empty);
        ``files`` (with form fields in ``data``) sends a multipart form instead of JSON."""
        response = self._client.request(
            method, self.path + path, json=json, params=params, idempotency_key=idempotency_key, files=files, data=data
        )
        return json_body(response)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} of {self._client!r}>"


class Resource(ApiGroup):
    """A collection endpoint (``GET/POST {path}``) with items at ``{path}/{id}`` (GET/PATCH/DELETE).

    The listing calls (``list``, ``pages``, ``iter``, ``frames``, ``df``, ``to_parquet``) of every subclass accept
    exactly the filters its ``filters`` declares, checked when called (see :func:`_strict`).
    """

    label: str = ""  # names the resource in progress bars
    schema: FrameSchema
    filters: Filters = Filters()  # the list endpoint's documented filters (none unless the group declares them)
    paginator: Paginator = HeaderPageNumberPaginator()  # how the list endpoint pages (stateless, shared)
    item_methods: frozenset[str] = frozenset({"PATCH", "DELETE"})  # what the API allows on {path}/{id}
    incremental: Incremental | None = None  # set when the list endpoint filters by time (ns.sync loads only news)

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Give the subclass its own strict listing methods (its filters checked, shown by ``help()``)."""
        super().__init_subclass__(**kwargs)
        for name in LISTING_METHODS:
            method = getattr(cls, name)
            setattr(cls, name, _strict(getattr(method, "unfiltered", method), cls.filters, cls.label or cls.__name__))

    def list(self, page: int = 1, limit: int = LIST_LIMIT, **filters: object) -> Page:
        """One page of records (a list of dicts with ``.page``, ``.total``, ``.total_pages``, ``.next_page``)."""
        return self.paginator.fetch(self._client.request, self.path, self._params(filters), page, limit)

    def pages(
        self, *, max_rows: int | None = None, progress: bool | None = None, **filters: object
    ) -> Iterator[list[dict]]:
        """Every record matching ``filters`` (at most ``max_rows``) page by page, in API order, each id once.

        Pages are fetched 100 records at a time; after the first, the rest are fetched concurrently.
        ``progress=False`` hides the progress bar the client would otherwise show.
        """
        if max_rows is not None and max_rows <= 0:
            return iter(())
        return unique_pages(self._paginate(max_rows, progress, filters), max_rows)

    def _paginate(
        self, max_rows: int | None, progress: bool | None, filters: Mapping[str, object], bodies: bool = False
    ) -> Generator[Any, None, None]:
        """The client's pages of this group's list (its bodies not decoded with ``bodies``), filtered."""
        return self._client.paginate(
            self.path,
            self._params(filters),
            paginator=self.paginator,
            label=self.label,
            max_records=max_rows,
            progress=progress,
            bodies=bodies,
        )

    def iter(self, *, max_rows: int | None = None, progress: bool | None = None, **filters: object) -> Iterator[dict]:
        """Every record matching ``filters`` (at most ``max_rows``), in API order, each id once (see :meth:`pages`)."""
        for page in self.pages(max_rows=max_rows, progress=progress, **filters):
            yield from page

    def frames(
        self,
        *,
        max_rows: int | None = None,
        progress: bool | None = None,
        batch_rows: int = BATCH_ROWS,
        dtype_backend: str = DEFAULT_BACKEND,
        **filters: object,
    ) -> Iterator[pd.DataFrame]:
        """The records of :meth:`pages` as typed DataFrames of about ``batch_rows`` rows each, converted as the
        pages arrive: memory holds one batch of decoded records, not the whole account. ``dtype_backend``:
        ``"numpy_nullable"`` (nullable pandas dtypes, lists and objects as Python objects) or ``"pyarrow"``
        (every column an ``ArrowDtype``, lists and objects as Arrow lists and structs)."""
        if self._reads_bodies(dtype_backend):
            frames = table_frames(self._body_tables(max_rows, progress, batch_rows, filters), self.schema)
        else:
            pages = map(self._frame_rows, self.pages(max_rows=max_rows, progress=progress, **filters))
            frames = page_frames(pages, self.schema, batch_rows, dtype_backend)
        yield from paused_steps(frames)

    def df(
        self, *, max_rows: int | None = None, dtype_backend: str = DEFAULT_BACKEND, **filters: object
    ) -> pd.DataFrame:
        """All records matching ``filters`` as a DataFrame indexed by ``id`` with the resource's fixed dtypes
        (``dtype_backend``: ``"numpy_nullable"`` or ``"pyarrow"``, as in :meth:`frames`)."""
        with gc_paused():
            if self._reads_bodies(dtype_backend):
                return tables_frame(self._body_tables(max_rows, None, BATCH_ROWS, filters), self.schema)
            pages = map(self._frame_rows, self.pages(max_rows=max_rows, **filters))
            return pages_frame(pages, self.schema, BATCH_ROWS, dtype_backend)

    def _reads_bodies(self, dtype_backend: str) -> bool:
        """Whether frames of ``dtype_backend`` (checked) are read from the list's page bodies
        (:meth:`_body_tables`): ``pyarrow`` ones, but for a group whose records need reshaping (:meth:`_frame_rows`),
        which has them decoded as dicts."""
        return checked_backend(dtype_backend) == "pyarrow" and type(self)._frame_rows is Resource._frame_rows

    def _body_tables(
        self, max_rows: int | None, progress: bool | None, batch_rows: int, filters: Mapping[str, object]
    ) -> Iterator[pa.Table]:
        """The records of :meth:`pages` as Arrow tables of the ``pyarrow`` frames' columns, read from the page
        bodies by Arrow's JSON reader (:func:`~nitrosend_nb.client.columnar.body_batches`): no Python dict per
        record; de-duplicated by id on the tables."""
        if max_rows is not None and max_rows <= 0:
            return
        bodies = self._paginate(max_rows, progress, filters, bodies=True)
        try:
            contents = (body.content for body in bodies)
            yield from unique_tables(body_batches(contents, self.schema, batch_rows), self.schema.index, max_rows)
        finally:  # stops the page fetcher (and its threads) on early exit
            bodies.close()

    def tables(
        self,
        *,
        max_rows: int | None = None,
        progress: bool | None = None,
        batch_rows: int = BATCH_ROWS,
        **filters: object,
    ) -> Iterator[pa.Table]:
        """The records of :meth:`pages` as Arrow tables of about ``batch_rows`` rows, converted as the pages arrive:
        the ``pyarrow`` frames' columns with the index first and undeclared fields as JSON text (what
        :meth:`to_parquet` and ``ns.sync`` write)."""
        pages = self.pages(max_rows=max_rows, progress=progress, **filters)
        yield from paused_steps(table_batches(map(self._frame_rows, pages), self.schema, batch_rows))

    def to_parquet(self, path: str | os.PathLike, *, progress: bool | None = None, **filters: object) -> Path:
        """Stream every record matching ``filters`` into one Parquet file at ``path`` (written whole or not at
        all), batch by batch with the columns of :meth:`tables` (lists and records as Parquet lists and structs,
        free-form objects as JSON); returns the path.

        Memory stays flat however large the account: one batch is held at a time.
        """
        from nitrosend_nb.client.export import write_parquet

        return write_parquet(self.tables(progress=progress, **filters), path, self.schema, label=self.label)

    def frame(self, records: Iterable[dict], *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """Records of this resource (e.g. a :class:`Page` from :meth:`list`) as a DataFrame with its dtypes."""
        return records_frame(self._frame_rows(list(records)), self.schema, dtype_backend)

    def _frame_rows(self, records: list[dict]) -> list[dict]:
        """Records as the rows of this resource's frames (a group whose records nest what its frame shows as
        columns reshapes them here, for :meth:`frame`, :meth:`frames` and everything built on them)."""
        return records

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

    def _checked(self, call: str, keywords: list[str], given: Mapping[str, object]) -> dict[str, object]:
        """``given`` filters checked against this group's declaration (see :meth:`Filters.check`)."""
        return self.filters.check(
            given, call=call, keywords=keywords, live=self._client.mode == "live", columns=self.schema.columns
        )

    @staticmethod
    def _params(filters: Mapping[str, object]) -> dict:
        """Checked filters as query parameters."""
        return {name: _query_value(value) for name, value in filters.items() if value is not None}


def _strict(method: Callable[..., Any], filters: Filters, group: str) -> Callable[..., Any]:
    """``method`` (a listing method taking ``**filters``) wrapped to accept only ``filters``: checked at call time,
    before any request (also for the lazy ``iter`` and ``frames``), and listed in its docstring and signature."""
    signature = inspect.signature(method)
    own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    keywords = [p.name for p in own[1:]]
    call = f"{group}.{method.__name__}"

    @functools.wraps(method)
    def listing(self: Resource, *args: object, **kwargs: object) -> Any:
        given = {name: kwargs.pop(name) for name in list(kwargs) if name not in keywords}
        return method(self, *args, **kwargs, **self._checked(call, keywords, given))

    listing.__signature__ = signature.replace(parameters=own + filters.parameters())  # type: ignore[attr-defined]
    listing.__doc__ = f"{inspect.cleandoc(method.__doc__ or '')}\n\n{filters.describe()}"
    listing.unfiltered = method  # type: ignore[attr-defined]
    return listing
