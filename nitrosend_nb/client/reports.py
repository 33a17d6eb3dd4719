"""``ns.reports``: the reports of :mod:`nitrosend_nb.reports`, over frames this client fetches."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from nitrosend_nb import reports
from nitrosend_nb.reports import DEFAULT_EVENT, Frames

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["Reports"]


def _fetching(report: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """``report(frames, **options)`` as a method that fetches the frames first (its signature without them)."""

    @functools.wraps(report)
    def method(self: Reports, **options: object) -> pd.DataFrame:
        return report(self.frames(event=options.get("event", DEFAULT_EVENT)), **options)

    own = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = [own, *list(inspect.signature(report).parameters.values())[1:]]
    method.__signature__ = inspect.Signature(parameters, return_annotation=pd.DataFrame)  # type: ignore[attr-defined]
    method.__doc__ = f"{inspect.cleandoc(report.__doc__ or '')}\n\nFetches the frames first (:meth:`frames`)."
    return method


class Reports:
    """Campaign, flow, series, summary, credit and cohort reports of this client's account (or brand): each
    call fetches what it needs and computes locally (see :mod:`nitrosend_nb.reports`). To compute several reports
    from one fetch, take ``frames = ns.reports.frames()`` and call ``nitrosend_nb.reports.campaigns(frames)``..."""

    def __init__(self, client: Nitrosend) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<Reports of {self._client!r}>"

    def frames(self, *, event: str = DEFAULT_EVENT) -> Frames:
        """The frames the reports read: campaigns, flows, every message (``source_type="all"``), the ``event``
        conversion events, contacts and the complaints (active and expired)."""
        ns = self._client
        complaints = [ns.suppressions.df(reason="complaint", active=active) for active in (None, False)]
        return Frames(
            campaigns=ns.campaigns.df(),
            flows=ns.flows.df(),
            messages=ns.messages.df(source_type="all"),
            events=ns.events.df(event=event),
            contacts=ns.contacts.df(),
            suppressions=pd.concat(complaints) if any(len(frame) for frame in complaints) else complaints[0],
        )

    campaigns = _fetching(reports.campaigns)
    flows = _fetching(reports.flows)
    series = _fetching(reports.series)
    summary = _fetching(reports.summary)
    credit = _fetching(reports.credit)

    def cohorts(self, *, period: str = "M", event: str = DEFAULT_EVENT, currency: str | None = None) -> pd.DataFrame:
        """:func:`nitrosend_nb.reports.cohorts` of this account's contacts and ``event`` conversion events."""
        ns = self._client
        return reports.cohorts(
            ns.contacts.df(), ns.events.df(event=event), period=period, event=event, currency=currency
        )
