"""Ready-made matplotlib charts for Nitrosend DataFrames.

Every function takes the DataFrame the client returns (``ns.campaigns.df()``, ``ns.contacts.df()``,
``ns.messages.df(source_type="all")``...), a report of :mod:`nitrosend_nb.reports` or, for :func:`usage`, the
client itself, draws on ``ax`` (a new figure when omitted) and returns the Axes. Column names are the API's field
names. An empty frame draws a "no data" chart instead of raising, so a notebook cell still reads well on an empty
account. Money axes name the currency (the report's, or the one the events state); whatever has no value, or no
campaign to its credit, is labelled "(not set)".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from . import plot_periods
from .reports import MONEY, NOT_SET, RATES, currency_of, described

if TYPE_CHECKING:
    from .client.client import Nitrosend

__all__ = [
    "campaign_sends",
    "campaign_status",
    "contacts_growth",
    "contacts_by_source",
    "contacts_by_country",
    "messages_per_day",
    "usage",
    "revenue_by_campaign",
    "suppressions_over_time",
    "failures_by_category",
    "campaign_report",
    "cohorts",
    "report_series",
]

NO_DATA = "no data"
CURRENCY_UNKNOWN = "currency not stated"  # a money axis whose amounts name no currency
MISSING_LABEL = NOT_SET  # one label for a missing value and for what no campaign or flow earned
REASON_COLOURS = {
    "hard_bounce": "#c62828",
    "soft_bounce": "#ef9a9a",
    "complaint": "#6a1b9a",
    "manual": "#607d8b",
    "admin": "#37474f",
}  # suppression reasons
STATUS_COLOURS = {"sent": "#2e7d32", "queued": "#f9a825", "failed": "#c62828"}  # message status: green, amber, red
CAMPAIGN_STATUS_COLOURS = {  # in life-cycle order: work in progress, on its way, done, stopped, filed away
    "draft": "#9e9e9e",
    "scheduled": "#1e88e5",
    "live": "#43a047",
    "paused": "#f9a825",
    "completed": "#2e7d32",
    "cancelled": "#c62828",
    "archived": "#616161",
}
OTHER_COLOUR = "#b0bec5"  # a status this module does not know (a newer API) or none at all
CHANNEL_HATCHES = {"email": "", "sms": "////"}  # one status, two channels: solid email, hatched SMS


def _axes(ax: Axes | None) -> Axes:
    """Return ``ax``, or the Axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    return ax


def _no_data(ax: Axes, title: str) -> Axes:
    """Draw an empty chart with a centred "no data" note."""
    ax.set_title(title)
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=ax.transAxes, color="grey", fontsize=14)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _utc_naive(values: pd.Series) -> pd.Series:
    """UTC timestamps without their time zone: what matplotlib's date axis plots."""
    values = pd.to_datetime(values, utc=True)
    return values.dt.tz_localize(None)


def _per_period(values: pd.Series, stamps: pd.Series, period: str) -> pd.DataFrame | pd.Series:
    """Sum ``values`` (a Series, or a DataFrame of columns) per day/week/month of ``stamps``.

    Every period from the first to the last appears, empty ones as 0, indexed by the period's start (weeks start
    on Monday); :func:`_period_bars` draws them centred on their periods.
    """
    periods = _utc_naive(stamps).dt.to_period(plot_periods.resolve(period)[1])
    totals = values.groupby(periods.to_numpy()).sum()
    totals = totals.reindex(pd.period_range(totals.index.min(), totals.index.max()), fill_value=0)
    totals.index = totals.index.start_time
    return totals


def _period_bars(ax: Axes, values: pd.Series, period: str, **style: Any) -> Any:
    """Bars of ``values`` (indexed by period start) centred on their periods, with the period axis; the bars."""
    centres, widths = plot_periods.bars(values.index, period)
    drawn = ax.bar(centres, values.to_numpy(), width=widths, **style)
    plot_periods.period_axis(ax, values.index, period)
    return drawn


def _counts_bar(counts: pd.Series, ax: Axes, title: str, xlabel: str, colours: dict[str, str] | None = None) -> Axes:
    """Horizontal bar chart of counts, first at the top, each bar labelled with its value (and coloured by its
    label when ``colours`` are given)."""
    counts = counts.iloc[::-1]
    labels = [str(label) for label in counts.index]
    colour = [colours.get(label, OTHER_COLOUR) for label in labels] if colours is not None else None
    bars = ax.barh(labels, counts.to_numpy(), color=colour)
    ax.bar_label(bars, padding=3)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.12)
    return ax


def _largest_first(totals: pd.Series, top: int | None = None) -> pd.Series:
    """``totals`` largest first (ties by label); with ``top``, the ones beyond it summed as "other"."""
    totals = totals.sort_index().sort_values(ascending=False, kind="stable")
    if top is not None and len(totals) > top:
        totals = pd.concat([totals.iloc[:top], pd.Series({"other": totals.iloc[top:].sum()})])
    return totals


def _stack(ax: Axes, table: pd.DataFrame, period: str, style: Callable[[str], Mapping[str, Any]] | None = None) -> None:
    """One bar series per column of ``table`` (indexed by period start), each on top of the previous ones, centred
    on their periods; ``style(label)`` gives extra bar arguments (colour, hatch)."""
    bottom = pd.Series(0, index=table.index)
    for label in table.columns:
        extra = style(label) if style else {}
        _period_bars(
            ax, table[label], period, bottom=bottom.to_numpy(), label=label, edgecolor="white", linewidth=0, **extra
        )
        bottom += table[label]


def campaign_sends(campaigns: pd.DataFrame, ax: Axes | None = None, period: str = "M") -> Axes:
    """Emails sent by campaigns per month (``period="W"`` weekly, ``"D"`` daily), as bars.

    A campaign's sends are dated by ``scheduled_at``, or by ``updated_at`` (its last change, which for a sent
    campaign is the send) when it was sent without a schedule. Campaigns that sent nothing are left out.
    """
    ax = _axes(ax)
    noun, _ = plot_periods.resolve(period)
    title = f"Campaign sends per {noun}"
    if campaigns.empty:
        return _no_data(ax, title)
    sent = campaigns[campaigns["sent_count"].fillna(0) > 0]
    when = sent["scheduled_at"].fillna(sent["updated_at"])
    sent, when = sent[when.notna()], when[when.notna()]  # an undated send cannot be placed on the axis
    if sent.empty:
        return _no_data(ax, title)
    totals = _per_period(sent["sent_count"].astype("int64"), when, period)
    _period_bars(ax, totals, period)
    ax.set_title(title)
    ax.set_xlabel(f"{noun} (UTC)")
    ax.set_ylabel("emails sent")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


def campaign_status(campaigns: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """How many campaigns are in each status (draft, scheduled, live, paused, completed, cancelled, archived),
    every status shown even at 0, each in its own colour (:data:`CAMPAIGN_STATUS_COLOURS`)."""
    ax = _axes(ax)
    title = "Campaigns by status"
    if campaigns.empty:
        return _no_data(ax, title)
    counts = campaigns["status"].value_counts(sort=False)  # in the enum's order
    counts.index = counts.index.astype(str)
    if campaigns["status"].isna().any():
        counts[MISSING_LABEL] = int(campaigns["status"].isna().sum())
    return _counts_bar(counts, ax, title, "campaigns", CAMPAIGN_STATUS_COLOURS)


def contacts_growth(contacts: pd.DataFrame, ax: Axes | None = None, period: str = "W") -> Axes:
    """New contacts per week (bars) and the running total (line, right-hand axis).

    ``period="M"`` counts per month, ``"D"`` per day. The running total lives on ``ax.right_ax``.
    """
    ax = _axes(ax)
    noun, _ = plot_periods.resolve(period)
    title = f"Contacts added per {noun}"
    contacts = contacts[contacts["created_at"].notna()] if not contacts.empty else contacts
    if contacts.empty:
        return _no_data(ax, title)
    new = _per_period(pd.Series(1, index=contacts.index), contacts["created_at"], period)
    total = new.cumsum()
    new_bars = _period_bars(ax, new, period, label=f"new per {noun}")
    right = ax.twinx()
    centres, _ = plot_periods.bars(total.index, period)  # each period's running total above its bar
    (line,) = right.plot(centres, total.to_numpy(), color="tab:orange", marker=".", label="total")
    ax.right_ax = right
    ax.set_title(title)
    ax.set_xlabel(f"{noun} (UTC)")
    ax.set_ylabel(f"new contacts per {noun}")
    right.set_ylabel("total contacts")
    right.set_ylim(bottom=0)
    for axis in (ax, right):
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(handles=[new_bars, line], loc="upper left")
    return ax


def _contacts_by(contacts: pd.DataFrame, column: str, label: str, ax: Axes | None, top: int) -> Axes:
    """Bar chart of contacts counted by ``column``, largest first; values beyond the ``top`` are summed as "other"."""
    ax = _axes(ax)
    title = f"Contacts by {label}"
    if contacts.empty:
        return _no_data(ax, title)
    values = contacts[column].astype("object").fillna(MISSING_LABEL)
    return _counts_bar(_largest_first(values.value_counts(), top), ax, title, "contacts")


def contacts_by_source(contacts: pd.DataFrame, ax: Axes | None = None, top: int = 10) -> Axes:
    """How many contacts came from each ``source`` (signup form, import, api...), largest first."""
    return _contacts_by(contacts, "source", "source", ax, top)


def contacts_by_country(contacts: pd.DataFrame, ax: Axes | None = None, top: int = 10) -> Axes:
    """How many contacts live in each country (``country_code``), largest first."""
    return _contacts_by(contacts, "country_code", "country", ax, top)


def messages_per_day(
    messages: pd.DataFrame, ax: Axes | None = None, by: str | Sequence[str] = ("status", "channel")
) -> Axes:
    """Messages created per day as stacked bars, one colour per ``status`` / ``channel`` combination.

    ``by="status"`` or ``by="channel"`` stacks by one column only.
    """
    ax = _axes(ax)
    columns = [by] if isinstance(by, str) else list(by)
    title = f"Messages per day by {' and '.join(columns)}"
    messages = messages[messages["created_at"].notna()] if not messages.empty else messages
    if messages.empty:
        return _no_data(ax, title)
    # one 0/1 column per combination ("sent / email"...), summed per day: the stacked series
    groups = messages[columns].astype("object").fillna(MISSING_LABEL).apply(" / ".join, axis=1)
    table = _per_period(pd.get_dummies(groups).astype("int64"), messages["created_at"], "D")

    def style(label: str) -> dict:
        parts = dict(zip(columns, label.split(" / "), strict=False))
        return {
            "color": STATUS_COLOURS.get(parts.get("status")),
            "hatch": CHANNEL_HATCHES.get(parts.get("channel"), ""),
        }

    _stack(ax, table, "D", style)
    ax.set_title(title)
    ax.set_xlabel("day (UTC)")
    ax.set_ylabel("messages")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title=" / ".join(columns), loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars
    return ax


def usage(source: Nitrosend | pd.DataFrame, ax: Axes | None = None) -> Axes:
    """This billing period's usage of each resource (email, sms, ai) as a share of its allowance.

    ``source`` is a connected client (``ns``) or the DataFrame from ``ns.account.usage()``. Each bar is labelled
    "used / allowance"; a resource without an allowance (unlimited) is measured against its ``budget`` when it has
    one ("budget_used / budget budget"), else drawn empty and labelled "used (unlimited)". A red dashed line marks
    100 %.
    """
    ax = _axes(ax)
    title = "Usage against allowance"
    table = source if isinstance(source, pd.DataFrame) else source.account.usage()
    if table.empty:
        return _no_data(ax, title)
    none = pd.Series(float("nan"), index=table.index)
    used = table["used"].astype("float64").fillna(0)
    allowance = table["allowance"].astype("float64")
    budget = table["budget"].astype("float64") if "budget" in table else none
    budget_used = table["budget_used"].astype("float64").fillna(0) if "budget_used" in table else none
    budgeted = allowance.isna() & (budget > 0)
    share = (used / allowance.where(allowance > 0)).fillna(0).where(~budgeted, budget_used / budget)
    labels = [
        f"{int(used[name]):,} / {int(allowance[name]):,}"
        if pd.notna(allowance[name])
        else f"{budget_used[name]:,.0f} / {budget[name]:,.0f} budget"
        if budgeted[name]
        else f"{int(used[name]):,} (unlimited)"
        for name in share.index
    ]
    share = share.iloc[::-1]
    bars = ax.barh([str(name) for name in share.index], share.to_numpy())
    ax.bar_label(bars, labels=labels[::-1], padding=3)
    ax.axvline(1.0, color="tab:red", linestyle="--", linewidth=1)
    ax.set_xlim(0, max(1.25, float(share.max()) * 1.25))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.set_title(title)
    ax.set_xlabel("share of allowance (or budget) used")
    return ax


def revenue_by_campaign(
    events: pd.DataFrame, ax: Axes | None = None, top: int = 10, currency: str | None = None
) -> Axes:
    """Revenue (the sum of ``amount``) per ``utm_campaign`` of ``ns.events.df()``, largest first; events
    without a campaign are summed as "(not set)", campaigns beyond the ``top`` as "other". The axis names
    ``currency`` (by default the one the order events state)."""
    ax = _axes(ax)
    title = "Revenue by utm_campaign"
    if events.empty:
        return _no_data(ax, title)
    paid = events[events["amount"].notna()]
    if paid.empty:
        return _no_data(ax, title)
    campaign = paid["utm_campaign"].astype("object").fillna(MISSING_LABEL)
    totals = _largest_first(paid["amount"].astype("float64").groupby(campaign.to_numpy()).sum(), top).iloc[::-1]
    bars = ax.barh([str(label) for label in totals.index], totals.to_numpy())
    ax.bar_label(bars, labels=[f"{value:,.2f}" for value in totals], padding=3)
    ax.set_title(title)
    ax.set_xlabel(f"revenue ({currency or currency_of(events) or CURRENCY_UNKNOWN})")
    ax.margins(x=0.15)
    return ax


def suppressions_over_time(suppressions: pd.DataFrame, ax: Axes | None = None, period: str = "M") -> Axes:
    """New suppressions per month (``period="W"`` weekly, ``"D"`` daily) stacked by ``reason``, dated by
    ``event_occurred_at`` (the bounce or complaint), else ``created_at``."""
    ax = _axes(ax)
    noun, _ = plot_periods.resolve(period)
    title = f"Suppressions per {noun} by reason"
    if suppressions.empty:
        return _no_data(ax, title)
    when = suppressions["event_occurred_at"].fillna(suppressions["created_at"])
    dated = suppressions[when.notna()]
    if dated.empty:
        return _no_data(ax, title)
    reasons = dated["reason"].astype("object").fillna(MISSING_LABEL)
    table = _per_period(pd.get_dummies(reasons).astype("int64"), when[when.notna()], period)
    _stack(ax, table, period, lambda label: {"color": REASON_COLOURS.get(label)})
    ax.set_title(title)
    ax.set_xlabel(f"{noun} (UTC)")
    ax.set_ylabel("suppressions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="reason", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def failures_by_category(messages: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Failed messages of ``ns.messages.df(source_type="all")`` counted per ``failure_category`` (recipient,
    provider, delivery...), largest first; a failure without a category counts as "(not set)"."""
    ax = _axes(ax)
    title = "Failed messages by category"
    failed = messages[messages["status"] == "failed"] if not messages.empty else messages
    if failed.empty:
        return _no_data(ax, title)
    counts = failed["failure_category"].astype("object").fillna(MISSING_LABEL).value_counts()
    return _counts_bar(_largest_first(counts), ax, title, "failed messages")


def _words(column: str) -> str:
    """A report column in words: ``revenue_per_recipient`` -> "revenue per recipient"."""
    return column.replace("_", " ")


def _label(column: str, currency: str | None) -> str:
    """A report column as an axis label: its words, with the currency of a money column."""
    return f"{_words(column)} ({currency or CURRENCY_UNKNOWN})" if column in MONEY else _words(column)


def _value_axis(ax: Axes, column: str, currency: str | None, axis: str = "x") -> None:
    """Label a value axis for ``column``: a percentage for a rate, the currency for money, whole numbers else."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_label_text(_label(column, currency))
    if column in RATES:
        target.set_major_formatter(PercentFormatter(xmax=1.0))
    elif column not in MONEY:
        target.set_major_locator(MaxNLocator(integer=True))


def campaign_report(
    report: pd.DataFrame, axes: Sequence[Axes] | None = None, top: int | None = None
) -> tuple[Axes, Axes]:
    """Revenue per recipient and conversion rate side by side, one bar per campaign (or flow) of
    ``nitrosend_nb.reports.campaigns(...)`` / ``flows(...)``, best earner per recipient on top (``top``: only
    that many). The money axis names the report's currency, the rate axis its attribution. Returns both Axes."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 0.9 + 0.38 * max(len(report), 3)), layout="constrained", sharey=True)
    left, right = axes
    if report.empty:
        return _no_data(left, "Revenue per recipient"), _no_data(right, "Conversion rate")
    ranked = report.sort_values("revenue_per_recipient", ascending=False, kind="stable")
    ranked = ranked.iloc[:top].iloc[::-1]
    labels = [str(name) if pd.notna(name) else MISSING_LABEL for name in ranked["name"]]
    currency = report.attrs.get("currency")
    for ax, column, text in (
        (left, "revenue_per_recipient", lambda v: f"{v:,.2f}"),
        (right, "conversion_rate", lambda v: f"{v:.1%}"),
    ):
        values = ranked[column].astype("float64").fillna(0.0)
        bars = ax.barh(labels, values.to_numpy())
        ax.bar_label(bars, labels=[text(v) for v in values], padding=3)
        _value_axis(ax, column, currency)
        ax.margins(x=0.2)
    left.set_title("Revenue per recipient")
    method = described(report.attrs)
    right.set_title("Conversion rate" + (f" ({method})" if method else ""))
    return left, right


def cohorts(table: pd.DataFrame, column: str = "cumulative_conversion_share", ax: Axes | None = None) -> Axes:
    """A heatmap of ``nitrosend_nb.reports.cohorts(...)``: one row per sign-up cohort, one column per period since
    sign-up, coloured (and written) by ``column`` (a share as a percentage, money in the table's currency)."""
    ax = _axes(ax)
    noun = {"W": "week", "M": "month"}.get(table.attrs.get("period"), "period")
    title = f"{_words(column).capitalize()} by sign-up {noun}"
    if table.empty:
        return _no_data(ax, title)
    grid = table[column].astype("float64").unstack("periods_since")
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="viridis", interpolation="nearest")
    rate = column in RATES
    currency = table.attrs.get("currency")
    if grid.size <= 400:  # small enough to write every value legibly
        for (row, col), value in np.ndenumerate(grid.to_numpy()):
            if not np.isnan(value):
                shown = f"{value:.0%}" if rate else f"{value:,.0f}"
                ink = "black" if image.norm(value) > 0.6 else "white"  # legible on viridis' light and dark ends
                ax.text(col, row, shown, ha="center", va="center", fontsize=7, color=ink)
    ax.set_yticks(range(len(grid.index)), [str(cohort) for cohort in grid.index])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"sign-up {noun} (UTC)")
    ax.set_xlabel(f"{noun}s since sign-up")
    ax.set_title(title)
    bar = ax.figure.colorbar(image, ax=ax, format=PercentFormatter(xmax=1.0) if rate else None)
    bar.set_label(_label(column, currency))
    return ax


def report_series(series: pd.DataFrame, column: str, ax: Axes | None = None) -> Axes:
    """``column`` of ``nitrosend_nb.reports.series(...)`` per week or month of sends, as bars on a date axis (money
    in the report's currency, rates as percentages)."""
    ax = _axes(ax)
    period = series.attrs.get("period", "M")
    noun, _ = plot_periods.resolve(period)
    title = f"{_words(column).capitalize()} per {noun} of sends"
    if series.empty:
        return _no_data(ax, title)
    values = series[column].astype("float64")
    starts = pd.DatetimeIndex(_utc_naive(series.index.to_series()))
    _period_bars(ax, pd.Series(values.fillna(0).to_numpy(), index=starts), period)
    method = described(series.attrs)
    ax.set_title(title + (f"\n{method}" if method and column not in ("recipients", "delivered") else ""))
    ax.set_xlabel(f"{noun} of the send (UTC)")
    _value_axis(ax, column, series.attrs.get("currency"), axis="y")
    return ax
