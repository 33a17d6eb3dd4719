"""Contact events: ``/events`` (track, list with filters and a time window, get, delete)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd

from nitrosend_nb.client.backends import backend_of
from nitrosend_nb.client.frames import EVENTS
from nitrosend_nb.client.idempotency import idempotency_key as content_key
from nitrosend_nb.client.resources.base import Incremental, Resource


class Events(Resource):
    """Purchases, sign-ups, page views... tracked against contacts. List filters: ``event``, ``contact_id``,
    ``amount``, ``resource_uid``, ``resource_name``, ``resource_url``, ``test``, ``utm_source``, ``utm_medium``,
    ``utm_term``, ``utm_content``, ``utm_campaign``, ``browser``, ``os``, ``device_type`` and the time window
    ``created_after`` (inclusive; ``since=`` is the same) / ``created_before`` (exclusive), as ISO 8601 text,
    ``datetime`` or ``pd.Timestamp``."""

    path = "/events"
    label = "events"
    schema = EVENTS
    item_methods = frozenset({"DELETE"})  # an event cannot be changed
    incremental = Incremental(cursor="created_at", filter="created_after")  # ns.sync loads only new events

    def track(
        self,
        event: str,
        *,
        contact_id: int | None = None,
        contact_email: str | None = None,
        amount: float | None = None,
        data: dict | None = None,
        idempotency_key: str | None = None,
        **fields: object,
    ) -> dict:
        """Track ``event`` (``^[a-z][a-z0-9_]{0,63}$``) for a contact given by id or email; returns the event.

        The API requires an idempotency key. Without ``idempotency_key`` one is derived from the arguments, so
        running the same cell again returns the stored event instead of counting it twice. Two real events with
        identical arguments (the same customer buying the same thing twice) therefore need their own key: pass
        the order number as ``idempotency_key`` (or a distinguishing ``resource_uid``). ``fields`` carries the
        API's other fields (``resource_uid``, ``resource_name``, ``resource_url``, ``test``, ``utm_*``).
        """
        given = dict(
            event=event, contact_id=contact_id, contact_email=contact_email, amount=amount, data=data, **fields
        )
        payload = {name: value for name, value in given.items() if value is not None}
        key = idempotency_key or content_key("POST /events", payload)
        return self._call("POST", json=payload, idempotency_key=key)

    def create(self, **fields: object) -> dict:
        """Same as :meth:`track` (an event is created by tracking it)."""
        return self.track(**fields)

    def pages(
        self, *, max_rows: int | None = None, progress: bool | None = None, since: object = None, **filters: object
    ) -> Iterator[list[dict]]:
        """Every event matching ``filters`` page by page; ``since`` is ``created_after`` (events created at or
        after it). ``iter``, ``frames``, ``df`` and ``to_parquet`` read through here, so all take ``since``."""
        if since is not None:
            if filters.get("created_after") is not None:
                raise ValueError("give since= or created_after=, not both (they are the same filter)")
            filters["created_after"] = since
        return super().pages(max_rows=max_rows, progress=progress, **filters)

    @staticmethod
    def newest(events: pd.DataFrame | list[Mapping]) -> pd.Timestamp | None:
        """The newest ``created_at`` among ``events`` (a frame from :meth:`df` or records): where to resume.

        ``created_after`` is inclusive, so resuming from it re-reads the events of that second; :meth:`refresh`
        drops them by id.
        """
        stamps = (
            events["created_at"]
            if isinstance(events, pd.DataFrame)
            else pd.to_datetime([e.get("created_at") for e in events], utc=True, format="ISO8601")
        )
        newest = pd.Series(stamps).max() if len(stamps) else None
        return None if newest is None or pd.isna(newest) else newest

    def refresh(self, events: pd.DataFrame, **filters: object) -> pd.DataFrame:
        """``events`` (from :meth:`df`, with the same ``filters``) plus the events created since its newest one,
        each id once, in the same ``dtype_backend``: incremental loading without refetching history. An empty
        frame loads everything."""
        newer = self.df(since=self.newest(events), dtype_backend=backend_of(events), **filters)
        if events.empty:
            return newer
        combined = pd.concat([events, newer[~newer.index.isin(events.index)]])
        return combined.sort_index(ascending=False)
