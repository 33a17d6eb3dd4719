"""Contact events: ``/events`` (track, list with filters and a time window, get, delete)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from nitrosend_nb.client.backends import backend_of
from nitrosend_nb.client.filters import Filters, Flag, Id, Moment, Number, Pattern, Text
from nitrosend_nb.client.frames import EVENTS
from nitrosend_nb.client.idempotency import idempotency_key as content_key
from nitrosend_nb.client.resources.base import Incremental, Resource

#: What an event's name looks like (the API's rule).
EVENT_NAME = r"[a-z][a-z0-9_]{0,63}"


class Events(Resource):
    """Purchases, sign-ups, page views... tracked against contacts, e.g. ``ns.events.df(event="order_placed",
    since="2026-10-01")``: the time window ``created_after`` (inclusive; ``since=`` is the same) /
    ``created_before`` (exclusive) takes ISO 8601 text, ``datetime`` or ``pd.Timestamp`` (the filters:
    ``help(ns.events.df)``)."""

    path = "/events"
    label = "events"
    schema = EVENTS
    filters = Filters(
        Pattern("event", "the event's name, e.g. order_placed", pattern=EVENT_NAME),
        Id("contact_id", "that contact's events"),
        Number("amount", "exactly this amount"),
        Text("resource_uid", "the resource's uid (an order number...)"),
        Text("resource_name", "the resource's name"),
        Text("resource_url", "the resource's URL"),
        Flag("test", "True: test events only; False: real ones only"),
        *(Text(f"utm_{part}", f"the event's utm_{part}") for part in ("source", "medium", "term", "content")),
        Text("utm_campaign", "the event's utm_campaign (a campaign's slug)"),
        Text("browser", "the browser it came from"),
        Text("os", "the operating system it came from"),
        Text("device_type", "desktop, mobile or tablet"),
        Moment("created_after", "created at or after this time (inclusive)"),
        Moment("created_before", "created before this time (exclusive)"),
        Moment("since", "created_after by its toolkit name", same_as="created_after"),
    )
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
