"""The campaign, flow, series and summary reports and the credit ledger: the :class:`~.attribution.Analysis` of the
frames, aggregated per campaign, per flow, per period or per kind of source."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from nitrosend_nb.reports.attribution import (
    DEFAULT_EVENT,
    DEFAULT_WINDOW,
    Analysis,
    Settings,
    analyse,
)
from nitrosend_nb.reports.glossary import MONEY, NOT_SET, RATES
from nitrosend_nb.reports.inputs import (
    CAMPAIGN,
    FAILURE_CATEGORIES,
    FLOW,
    KINDS,
    NO_ID,
    NO_TIME,
    Frames,
    column,
    ids,
    stamp,
    texts,
)

#: The statistics of a campaign, flow or series row, in order.
STATISTICS = (
    "recipients",
    "delivered",
    "queued",
    "failed",
    *(f"failed_{category}" for category in FAILURE_CATEGORIES),
    "bounced",
    "bounce_rate",
    "complaints",
    "complaint_rate",
    "unsubscribes",
    "unsubscribe_rate",
    "conversions",
    "converted",
    "conversion_rate",
    "revenue",
    "revenue_per_recipient",
    "average_order_value",
)
#: What a series is of: campaigns, flows or both.
SERIES_OF = {"campaigns": (CAMPAIGN,), "flows": (FLOW,), "all": (CAMPAIGN, FLOW)}
#: Period codes: weeks starting on Monday, calendar months (UTC).
PERIODS = {"W": "W-SUN", "M": "M"}


def _stated_currency(data: object) -> object:
    """The currency one event's ``data`` (a dict, or JSON text from an export) states, or None."""
    if isinstance(data, str):
        data = json.loads(data) if data.strip() else None
    if not isinstance(data, dict):
        return None
    order = data.get("order")
    return data.get("currency") or (order.get("currency") if isinstance(order, dict) else None)


def currency_of(events: pd.DataFrame, event: str = DEFAULT_EVENT) -> str | None:
    """The currency the conversion events' amounts are in, as their ``data`` states it (``data.currency`` or
    ``data.order.currency``; ``amount`` itself is a bare number, and the API names no account currency); None when
    no event states one (or the frame has no ``data``). ValueError when they state several: amounts in different
    currencies cannot be added."""
    if "data" not in events.columns:
        return None
    name = texts(column(events, "event", "events"))
    stated = map(_stated_currency, column(events, "data", "events").to_numpy()[name == event])
    found = {str(currency).upper() for currency in stated if currency}
    if len(found) > 1:
        raise ValueError(
            f"the {event} events are in several currencies ({', '.join(sorted(found))}): their amounts cannot be "
            "added; report on one currency's events at a time"
        )
    return found.pop() if found else None


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as float64, NaN where the denominator is 0."""
    top, bottom = numerator.to_numpy("float64"), denominator.to_numpy("float64")
    return pd.Series(np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom != 0), index=numerator.index)


def tally(sends: pd.DataFrame, send_keys: np.ndarray, ledger: pd.DataFrame, ledger_keys: np.ndarray) -> pd.DataFrame:
    """The :data:`STATISTICS` (and first/last send) per key: ``sends`` grouped by ``send_keys``, the credited
    outcomes of ``ledger`` by ``ledger_keys``."""
    status, category = sends["status"].to_numpy(), sends["category"].to_numpy()
    failed = status == "failed"
    flags = {
        "recipients": np.ones(len(sends), dtype=bool),
        "delivered": status == "sent",
        "queued": status == "queued",
        "failed": failed,
        **{f"failed_{c}": failed & (category == c) for c in FAILURE_CATEGORIES},
        "bounced": sends["bounced"].to_numpy(),
    }
    table = pd.DataFrame(flags).astype("int64").groupby(send_keys).sum()
    moments = pd.Series(sends["t"].to_numpy()).groupby(send_keys)
    first, last = moments.min(), moments.max()
    outcome = ledger["outcome"].to_numpy()
    is_order = outcome == "order"
    counted = {
        "complaints": pd.Series(outcome == "complaint").groupby(ledger_keys).sum(),
        "unsubscribes": pd.Series(outcome == "unsubscribe").groupby(ledger_keys).sum(),
        "conversions": pd.Series(is_order).groupby(ledger_keys).sum(),
        "revenue": pd.Series(np.where(is_order, ledger["amount"].to_numpy(), 0.0)).groupby(ledger_keys).sum(),
    }
    reached = is_order & (ledger["message"].to_numpy() != NO_ID)
    counted["converted"] = pd.Series(ledger["message"].to_numpy()[reached]).groupby(ledger_keys[reached]).nunique()
    keys = table.index.union(counted["conversions"].index)
    table = table.reindex(keys, fill_value=0)
    for name, values in counted.items():
        table[name] = values.reindex(keys, fill_value=0).astype("float64" if name == "revenue" else "int64")
    table["bounce_rate"] = _ratio(table["bounced"], table["recipients"])
    table["complaint_rate"] = _ratio(table["complaints"], table["delivered"])
    table["unsubscribe_rate"] = _ratio(table["unsubscribes"], table["delivered"])
    table["conversion_rate"] = _ratio(table["converted"], table["delivered"])
    table["revenue_per_recipient"] = _ratio(table["revenue"], table["recipients"])
    table["average_order_value"] = _ratio(table["revenue"], table["conversions"])
    table = table[list(STATISTICS)]
    table.insert(0, "first_send", stamp(first.reindex(keys, fill_value=NO_TIME).to_numpy("int64")))
    table.insert(1, "last_send", stamp(last.reindex(keys, fill_value=NO_TIME).to_numpy("int64")))
    return table


def _credited_to(analysis: Analysis, kind: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The ledger's rows credited to sources of ``kind``, and those sources' ids."""
    ledger = analysis.ledger[analysis.ledger["kind"].to_numpy() == kind]
    return ledger, ledger["source"].to_numpy()


def per_source(analysis: Analysis, kind: int, frame: pd.DataFrame, of: str, details: tuple[str, ...]) -> pd.DataFrame:
    """One row per campaign (or flow) of ``frame`` that sent: its ``details`` columns, then the statistics; in
    the order of their first send."""
    sends = analysis.sends[analysis.sends["kind"].to_numpy() == kind]
    ledger, keys = _credited_to(analysis, kind)
    table = tally(sends, sends["source"].to_numpy(), ledger, keys)
    info = pd.DataFrame(
        {name: pd.array(texts(column(frame, name, of)), dtype="string") for name in details},
        index=pd.Index(ids(column(frame, "id", of)), name="id"),
    )
    report = info.join(table, how="inner").sort_values(["first_send"], kind="stable")
    report.index = report.index.astype("int64")
    report.attrs = analysis.settings.as_attrs()
    return report


METHOD_DOC = """Method (keyword arguments of every attributed report): ``model``, ``"last_touch"`` (default) or
``"utm"``; ``window``, a duration (``"5 days"`` by default: how long before an outcome a touch may earn it);
``event``, the conversion event (``"order_placed"``); ``currency``, what the amounts are in (by default the currency
the events state). The report's ``attrs`` keep them."""


def attributed(build: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """A report from ``build(analysis, frames, **options)``: the public function ``report(frames, *, **options,
    model, window, event, currency)`` analysing ``frames`` under that method first (its signature and docstring
    say so)."""

    @functools.wraps(build, assigned=("__module__", "__name__", "__qualname__"))  # its own annotations stay
    def report(
        frames: Frames,
        *,
        model: str = "last_touch",
        window: object = DEFAULT_WINDOW,
        event: str = DEFAULT_EVENT,
        currency: str | None = None,
        **options: object,
    ) -> pd.DataFrame:
        stated = currency if currency is not None else currency_of(frames.events, event)
        return build(analyse(frames, Settings.of(model, window, event, stated)), frames, **options)

    method = list(inspect.signature(report, follow_wrapped=False).parameters.values())
    options = list(inspect.signature(build).parameters.values())[2:]
    parameters = [method[0], *options, *method[1:-1]]  # frames, the report's own options, then the method
    report.__signature__ = inspect.Signature(parameters, return_annotation=pd.DataFrame)  # type: ignore[attr-defined]
    report.__doc__ = f"{inspect.cleandoc(build.__doc__ or '')}\n\n{METHOD_DOC}"
    return report


@attributed
def campaigns(analysis: Analysis, frames: Frames) -> pd.DataFrame:
    """One row per campaign that sent (index: its id): ``name``, ``status``, ``channel``, ``first_send``,
    ``last_send`` and the statistics (recipients ... average_order_value; see :data:`~.glossary.GLOSSARY`), with
    conversions, complaints and unsubscribes credited as :mod:`~nitrosend_nb.reports.attribution` says."""
    return per_source(analysis, CAMPAIGN, frames.campaigns, "campaigns", ("name", "status", "channel"))


@attributed
def flows(analysis: Analysis, frames: Frames) -> pd.DataFrame:
    """One row per flow that sent (index: its id): ``name``, ``status``, ``first_send``, ``last_send`` and the
    statistics, credited as :func:`campaigns` does."""
    return per_source(analysis, FLOW, frames.flows, "flows", ("name", "status"))


@attributed
def series(analysis: Analysis, frames: Frames, *, period: str = "M", of: str = "all") -> pd.DataFrame:
    """The statistics per week (``period="W"``, from Monday) or month (``"M"``) of the sends of campaigns, flows or
    both (``of``), every period from the first to the last present (index ``period``: its first day, UTC). What a
    send earned counts in the send's period (a utm-credited order that reached no recipient: in its own), so each
    period's rates compare like with like."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if of not in SERIES_OF:
        raise ValueError(f"of must be one of {', '.join(SERIES_OF)}, not {of!r}")
    sends = analysis.sends[np.isin(analysis.sends["kind"].to_numpy(), SERIES_OF[of])]
    ledger = analysis.ledger[np.isin(analysis.ledger["kind"].to_numpy(), SERIES_OF[of])]
    sent_at = ledger["message_t"].to_numpy()
    when = np.where(ledger["message"].to_numpy() != NO_ID, sent_at, ledger["t"].to_numpy())
    table = tally(sends, _period_starts(sends["t"].to_numpy(), period), ledger, _period_starts(when, period))
    table = table.drop(columns=["first_send", "last_send"])
    if len(table):
        every = pd.date_range(table.index.min(), table.index.max(), freq="MS" if period == "M" else "W-MON")
        table = table.reindex(every, fill_value=0)
        rates = [name for name in table.columns if name.endswith(("_rate", "_per_recipient", "_value"))]
        table[rates] = table[rates].where(table["recipients"] > 0)
    table.index = pd.DatetimeIndex(table.index, name="period").tz_localize("UTC")
    table.attrs = {**analysis.settings.as_attrs(), "period": period, "of": of}
    return table


def _period_starts(ns: np.ndarray, period: str) -> pd.DatetimeIndex:
    """The first day (naive UTC) of the week or month of each int64-nanosecond time."""
    return pd.DatetimeIndex(ns.view("datetime64[ns]")).to_period(PERIODS[period]).start_time


@attributed
def summary(analysis: Analysis, frames: Frames) -> pd.DataFrame:
    """Conversions, revenue, complaints and unsubscribes credited to campaigns, to flows and to nothing
    (``"(not set)"``), and their total (index ``credited_to``): credited + uncredited = total."""
    ledger = analysis.ledger
    kind = pd.Series(ledger["kind"].to_numpy()).map({CAMPAIGN: "campaigns", FLOW: "flows"}).fillna(NOT_SET)
    outcome = ledger["outcome"].to_numpy()
    table = (
        pd.DataFrame(
            {
                "conversions": outcome == "order",
                "revenue": np.where(outcome == "order", ledger["amount"].to_numpy(), 0.0),
                "complaints": outcome == "complaint",
                "unsubscribes": outcome == "unsubscribe",
            }
        )
        .groupby(kind.to_numpy())
        .sum()
    )
    table = table.reindex(["campaigns", "flows", NOT_SET], fill_value=0)
    table.loc["total"] = table.sum()
    table = table.astype({"conversions": "int64", "revenue": "float64", "complaints": "int64", "unsubscribes": "int64"})
    table.index.name = "credited_to"
    table.attrs = analysis.settings.as_attrs()
    return table


@attributed
def credit(analysis: Analysis, frames: Frames) -> pd.DataFrame:
    """The credit ledger: one row per conversion event, complaint and unsubscribe with what earned it (``outcome``,
    ``outcome_id``, ``contact_id``, ``at``, ``amount``, ``kind``, ``source_id``, ``name``, ``message_id``)."""
    ledger = analysis.ledger
    kind = ledger["kind"].to_numpy()
    names = {
        kind_code: pd.Series(texts(column(frame, "name", of)), index=ids(column(frame, "id", of)))
        for kind_code, frame, of in ((CAMPAIGN, frames.campaigns, "campaigns"), (FLOW, frames.flows, "flows"))
    }
    name = [names[k].get(s) if k in names else None for k, s in zip(kind, ledger["source"].to_numpy(), strict=True)]
    table = pd.DataFrame(
        {
            "outcome": pd.Categorical(ledger["outcome"].to_numpy(), categories=["order", "complaint", "unsubscribe"]),
            "outcome_id": ledger["id"].to_numpy(),
            "contact_id": pd.array(np.where(ledger["contact"] == NO_ID, None, ledger["contact"]), dtype="Int64"),
            "at": stamp(ledger["t"].to_numpy()),
            "amount": np.where(ledger["outcome"].to_numpy() == "order", ledger["amount"].to_numpy(), np.nan),
            "kind": pd.Categorical(
                [KINDS[k] if k >= 0 else NOT_SET for k in kind], categories=["campaign", "flow", NOT_SET]
            ),
            "source_id": pd.array(np.where(ledger["source"] == NO_ID, None, ledger["source"]), dtype="Int64"),
            "name": pd.array(name, dtype="string"),
            "message_id": pd.array(np.where(ledger["message"] == NO_ID, None, ledger["message"]), dtype="Int64"),
        }
    )
    table.attrs = analysis.settings.as_attrs()
    return table


def readable(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """``table`` (or its ``columns``) to read: money rounded to 2 decimals and named with the report's currency
    (``revenue (GBP)``), rates and shares rounded to 3 decimals, the rest as it is."""
    shown = table if columns is None else table[columns]
    currency = table.attrs.get("currency") or "currency not stated"
    rounded = {column: 2 if column in MONEY else 3 for column in shown.columns if column in MONEY or column in RATES}
    named = {column: f"{column} ({currency})" for column in shown.columns if column in MONEY}
    return shown.round(rounded).rename(columns=named)
