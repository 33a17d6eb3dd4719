"""The ``Nitrosend`` client: one transport, one resource object per endpoint group, sandbox helpers."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import requests

from nitrosend_nb.client import defaults
from nitrosend_nb.client.backends import DEFAULT_BACKEND, records_frame
from nitrosend_nb.client.frames import OUTBOX
from nitrosend_nb.client.inbox import Inbox
from nitrosend_nb.client.pagination import (
    HeaderPageNumberPaginator,
    Page,
    PageBody,
    Paginator,
    iter_pages,
    json_body,
)
from nitrosend_nb.client.reports import Reports
from nitrosend_nb.client.resources import (
    Account,
    Brands,
    Campaigns,
    Contacts,
    Domains,
    Events,
    Flows,
    Images,
    Imports,
    Lists,
    Messages,
    Resource,
    Segments,
    Suppressions,
    Templates,
    Webhooks,
)
from nitrosend_nb.client.sandbox_urls import inbox_url
from nitrosend_nb.client.sync import DEFAULT_PATH, LOOKBACK
from nitrosend_nb.client.sync import sql as run_sql
from nitrosend_nb.client.sync import sync as sync_groups
from nitrosend_nb.client.transport import Transport
from nitrosend_nb.errors import NitrosendError
from nitrosend_nb.redaction import mask

if TYPE_CHECKING:
    from nitrosend_nb.widgets import (
        CampaignLauncher,
        ContactExplorer,
        ContactImporter,
        MailMerge,
        MessageComposer,
        OutboxViewer,
        TemplateComposer,
    )

__all__ = ["Nitrosend"]


_HEADER_PAGES = HeaderPageNumberPaginator()


class Nitrosend:
    """A connection to the Nitrosend API (or a sandbox of it). Usually made by :func:`nitrosend_nb.connect`.

    Endpoint groups: ``account``, ``brands``, ``messages``, ``campaigns``, ``contacts``, ``lists``, ``templates``,
    ``flows``, ``segments``, ``events``, ``suppressions``, ``domains``, ``imports``, ``images``, ``webhooks``;
    ``inbox`` reads a sandbox's captured emails. ``brand_sid`` scopes every request to one brand (``X-Brand-SID``;
    None: the account's default brand); :meth:`with_brand` gives a client for another brand. ``reports`` computes
    campaign, flow, series and cohort reports from what the groups fetch. ``mode`` is ``"sandbox"`` when
    ``sandbox_root`` (the sandbox server's root URL, which enables :meth:`outbox`) is given, ``"live"`` otherwise.
    ``max_wait`` is how long one request may wait out 429s before RateLimitError; ``retries`` bounds retries of 5xx
    and connection failures.

    Endpoint groups talk to the API only through :meth:`request` and :meth:`paginate`.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = defaults.BASE_URL,
        *,
        brand_sid: str | None = None,
        concurrency: int = defaults.CONCURRENCY,
        timeout: float = defaults.TIMEOUT,
        progress: bool = defaults.PROGRESS,
        max_wait: float = defaults.MAX_WAIT,
        retries: int = defaults.RETRIES,
        sandbox_root: str | None = None,
    ) -> None:
        api_key = (api_key or "").strip()  # a key read from a file or env var often ends in a newline
        if not api_key:
            raise ValueError("an API key is required (nitrosend_nb.connect() finds one for you)")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.progress = progress
        self.brand_sid = brand_sid
        self._sandbox_root = sandbox_root.rstrip("/") if sandbox_root else None
        self._key_hint = mask(api_key)
        self._synced_path = Path(DEFAULT_PATH)
        self._transport = Transport(
            self.base_url, api_key, timeout=timeout, concurrency=concurrency, max_wait=max_wait, retries=retries
        )
        self._attach_groups()

    def _attach_groups(self) -> None:
        """One object per endpoint group, bound to this client (and so to its brand)."""
        self.account = Account(self)
        self.brands = Brands(self)
        self.messages = Messages(self)
        self.campaigns = Campaigns(self)
        self.contacts = Contacts(self)
        self.lists = Lists(self)
        self.templates = Templates(self)
        self.flows = Flows(self)
        self.segments = Segments(self)
        self.events = Events(self)
        self.suppressions = Suppressions(self)
        self.domains = Domains(self)
        self.inbox = Inbox(self, self._sandbox_root)
        self.imports = Imports(self)
        self.images = Images(self)
        self.webhooks = Webhooks(self)
        self.reports = Reports(self)

    @property
    def mode(self) -> str:
        """``"sandbox"`` or ``"live"``."""
        return "sandbox" if self._sandbox_root else "live"

    @property
    def inbox_url(self) -> str | None:
        """The sandbox's inbox page (every captured email, rendered), to open in a browser; None in live mode,
        where emails are really sent."""
        return inbox_url(self._sandbox_root) if self._sandbox_root else None

    def __repr__(self) -> str:
        brand = f" brand_sid={self.brand_sid!r}" if self.brand_sid else ""
        return f"<Nitrosend mode={self.mode!r} base_url={self.base_url!r} key={self._key_hint!r}{brand}>"

    def with_brand(self, brand_sid: str | None) -> Nitrosend:
        """A client for brand ``brand_sid`` of the same account (None: the account's default brand).

        It shares this client's key, connection pool and rate limiter (one account, one rate limit), so closing
        either closes the pool of both; only the ``X-Brand-SID`` its requests carry differs.
        """
        if brand_sid is not None and (not isinstance(brand_sid, str) or not brand_sid.strip()):
            raise ValueError(f"brand_sid must be a brand's sid (e.g. from ns.brands.df()), got {brand_sid!r}")
        scoped = copy.copy(self)
        scoped.brand_sid = brand_sid.strip() if brand_sid else None
        scoped._attach_groups()
        return scoped

    @property
    def source(self) -> str:
        """What this client reads: its base URL, plus the brand when one is chosen (never the key)."""
        return self.base_url + (f"#brand={self.brand_sid}" if self.brand_sid else "")

    def groups(self) -> dict[str, Resource]:
        """The list endpoint groups of this client by name (``contacts``, ``messages``...): every attribute that
        is a :class:`~nitrosend_nb.client.resources.base.Resource`, so a group added to the client is found."""
        return {name: value for name, value in vars(self).items() if isinstance(value, Resource)}

    def sync(
        self,
        path: str | os.PathLike = DEFAULT_PATH,
        *,
        groups: Iterable[str] | None = None,
        lookback: timedelta = LOOKBACK,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Copy every group (or ``groups``) into DuckDB tables named after them in the file at ``path``.

        Groups with a time filter (events) load only what is new since the last sync (with a ``lookback``
        window, de-duplicated by id); the others are refreshed in full, so deleted records disappear. All
        tables are swapped in at once at the end: a sync that fails midway leaves the previous copy intact.
        Returns one row per group (``mode``, ``fetched``, ``rows``). :meth:`sql` then queries the copy.
        """
        summary = sync_groups(self, path, groups=groups, lookback=lookback, progress=progress)
        self._synced_path = Path(path)
        return summary

    def sql(self, query: str, params: object = None) -> pd.DataFrame:
        """Run DuckDB SQL on the copy the last :meth:`sync` wrote (default ``nitrosend.duckdb``), e.g.
        ``ns.sql("select country_code, count(*) from contacts group by 1")``; returns a DataFrame."""
        return run_sql(query, self._synced_path, params)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        base_url: str | None = None,
        data: object = None,
        files: Mapping[str, object] | None = None,
        authenticate: bool = True,
    ) -> requests.Response:
        """Send one request to ``base_url`` (default: the client's) + ``path`` and return the 2xx response, or
        raise the matching :class:`~nitrosend_nb.NitrosendError`.

        Authentication, brand scoping, retries and 429 throttling are applied. An ``idempotency_key`` is sent as
        ``Idempotency-Key``, which also makes a POST safe to retry. ``data`` (raw bytes or form fields) and
        ``files`` (multipart parts) send a body other than ``json``; ``authenticate=False`` sends neither the API
        key nor the brand header (e.g. a presigned upload URL as ``base_url`` with ``path=""``).
        """
        if self.brand_sid:
            headers = {"X-Brand-SID": self.brand_sid, **(headers or {})}
        if idempotency_key:
            headers = {**(headers or {}), "Idempotency-Key": idempotency_key}
        return self._transport.request(
            method,
            path,
            json=json,
            params=params,
            headers=headers,
            base_url=base_url,
            data=data,
            files=files,
            authenticate=authenticate,
        )

    def paginate(
        self,
        path: str,
        params: Mapping[str, object] | None = None,
        *,
        paginator: Paginator | None = None,
        label: str = "",
        max_records: int | None = None,
        limit: int = defaults.PAGE_SIZE,
        progress: bool | None = None,
        bodies: bool = False,
    ) -> Iterator[Page] | Iterator[PageBody]:
        """Every page of the list at ``path`` (filtered by ``params``), in API order.

        After page 1, pages are fetched ``concurrency`` at a time with ``limit`` records each; only as many as
        ``max_records`` needs, and past the planned last page while ``X-Next-Page`` points on. ``paginator``
        (default :class:`~nitrosend_nb.client.pagination.HeaderPageNumberPaginator`) says how the endpoint
        pages; ``label`` names the progress bar, shown unless ``progress`` (default: the client's) is False.
        ``bodies=True`` yields each page's :class:`~nitrosend_nb.client.pagination.PageBody` (its response body
        not decoded, for Arrow's JSON reader). Close the iterator to stop early.
        """
        return iter_pages(
            self.request,
            path,
            dict(params or {}),
            paginator=paginator or _HEADER_PAGES,
            label=label,
            concurrency=self.concurrency,
            progress=self.progress if progress is None else progress,
            max_records=max_records,
            limit=limit,
            bodies=bodies,
        )

    def outbox(self, *, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
        """The sandbox's captured emails, oldest first (index ``id``; ``kind``: transactional, test, campaign;
        ``dtype_backend`` ``"pyarrow"`` makes every column an ``ArrowDtype``).

        Sandbox mode only: a live account has no outbox.
        """
        if self._sandbox_root is None:
            raise NitrosendError(
                message="outbox() is only available in sandbox mode: live emails are really sent, not captured",
                method="GET",
                path="/_sandbox/outbox",
            )
        response = self.request("GET", "/_sandbox/outbox", base_url=self._sandbox_root)
        return records_frame(json_body(response), OUTBOX, dtype_backend)

    def close(self) -> None:
        """Close the connection pools."""
        self._transport.close()

    def __enter__(self) -> Nitrosend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Widgets: imported lazily so the client never pulls in ipywidgets.

    def template_composer(self, template_id: int | None = None) -> TemplateComposer:
        """A TemplateComposer widget (edit, preview and test-send a template)."""
        from nitrosend_nb.widgets import TemplateComposer

        return TemplateComposer(self, template_id=template_id)

    def message_composer(self) -> MessageComposer:
        """A MessageComposer widget (compose and send one transactional message)."""
        from nitrosend_nb.widgets import MessageComposer

        return MessageComposer(self)

    def campaign_launcher(self, campaign_id: int) -> CampaignLauncher:
        """A CampaignLauncher widget (pick an audience and send campaign ``campaign_id``)."""
        from nitrosend_nb.widgets import CampaignLauncher

        return CampaignLauncher(self, campaign_id)

    def contact_explorer(self) -> ContactExplorer:
        """A ContactExplorer widget (search and filter contacts)."""
        from nitrosend_nb.widgets import ContactExplorer

        return ContactExplorer(self)

    def contact_importer(self, df: pd.DataFrame | None = None) -> ContactImporter:
        """A ContactImporter widget (upload a CSV or import ``df``, pick lists, dry run, see failed rows)."""
        from nitrosend_nb.widgets import ContactImporter

        return ContactImporter(self, df=df)

    def mail_merge(self, df: pd.DataFrame, **options: Any) -> MailMerge:
        """A MailMerge widget: ``df`` as personal emails, every row previewed, a test to yourself, a guarded send
        and its per-row results (``options``: ``to``, ``template_id``, ``subject``, ``html``, ``name``...)."""
        from nitrosend_nb.widgets import MailMerge

        return MailMerge(self, df, **options)

    def outbox_viewer(self) -> OutboxViewer:
        """An OutboxViewer widget (browse the sandbox's captured emails)."""
        from nitrosend_nb.widgets import OutboxViewer

        return OutboxViewer(self)
