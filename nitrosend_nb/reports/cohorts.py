"""Sign-up cohorts: how the contacts who signed up in one week or month convert in the periods after."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nitrosend_nb.reports.attribution import DEFAULT_EVENT, orders_table
from nitrosend_nb.reports.inputs import NO_ID, NO_TIME, column, ids, times
from nitrosend_nb.reports.tables import PERIODS, currency_of


def _ordinals(ns: np.ndarray, period: str) -> np.ndarray:
    """Each int64-nanosecond time's week or month as a whole number (consecutive periods differ by 1)."""
    return pd.DatetimeIndex(ns.view("datetime64[ns]")).to_period(PERIODS[period]).asi8


def cohorts(
    contacts: pd.DataFrame,
    events: pd.DataFrame,
    *,
    period: str = "M",
    event: str = DEFAULT_EVENT,
    currency: str | None = None,
) -> pd.DataFrame:
    """Sign-up cohort x periods since sign-up (index ``cohort``, ``periods_since``): ``contacts``, ``buyers``,
    ``conversion_share``, ``conversions``, ``revenue``, ``revenue_per_contact`` and their cumulative shares.

    A contact's cohort is the week (``period="W"``, from Monday) or month (``"M"``) of its ``created_at`` (UTC);
    its conversion events (``event``, test ones left out) count in the period they happened, ``periods_since`` its
    cohort's. Every cohort has a row for each period up to the last one the data reaches (the latest sign-up or
    event), zeros included; events before the contact's sign-up, or of contacts not in ``contacts``, are left out.
    ``attrs`` holds the period, event and currency.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    people = pd.DataFrame(
        {"contact": ids(column(contacts, "id", "contacts")), "t": times(column(contacts, "created_at", "contacts"))}
    )
    people = people[people["t"].to_numpy() != NO_TIME]
    people["cohort"] = _ordinals(people["t"].to_numpy(), period)
    orders = orders_table(events, event)
    orders = orders[(orders["contact"].to_numpy() != NO_ID) & (orders["t"].to_numpy() != NO_TIME)]
    orders = orders.merge(people[["contact", "cohort"]], on="contact", how="inner")
    orders["since"] = _ordinals(orders["t"].to_numpy(), period) - orders["cohort"].to_numpy()
    orders = orders[orders["since"].to_numpy() >= 0]
    ends = [*people["cohort"], *_ordinals(orders["t"].to_numpy(), period)]
    last = max(ends, default=None)
    sizes = people.groupby("cohort").size()
    cells = (
        pd.MultiIndex.from_tuples(
            [(cohort, since) for cohort in sizes.index for since in range(int(last) - int(cohort) + 1)],
            names=["cohort", "periods_since"],
        )
        if last is not None
        else pd.MultiIndex.from_arrays([[], []], names=["cohort", "periods_since"])
    )
    by_cell = orders.groupby(["cohort", "since"])
    table = pd.DataFrame(
        {
            "buyers": by_cell["contact"].nunique(),
            "conversions": by_cell.size(),
            "revenue": by_cell["amount"].sum(),
        }
    )
    table.index = table.index.set_names(["cohort", "periods_since"])
    table = table.reindex(cells, fill_value=0).astype({"buyers": "int64", "conversions": "int64", "revenue": "float64"})
    cohort_of_row = table.index.get_level_values("cohort")
    table.insert(0, "contacts", sizes.reindex(cohort_of_row).to_numpy("int64"))
    table.insert(2, "conversion_share", table["buyers"] / table["contacts"])
    table.insert(5, "revenue_per_contact", table["revenue"] / table["contacts"])
    first_orders = orders.sort_values("since").drop_duplicates("contact")
    new_buyers = first_orders.groupby(["cohort", "since"]).size().reindex(table.index, fill_value=0)
    table["cumulative_conversion_share"] = new_buyers.groupby(level="cohort").cumsum().to_numpy() / table["contacts"]
    table["cumulative_revenue_per_contact"] = table["revenue"].groupby(level="cohort").cumsum() / table["contacts"]
    table.index = table.index.set_levels(
        pd.PeriodIndex.from_ordinals(table.index.levels[0], freq=PERIODS[period]), level="cohort"
    )
    table.attrs = {
        "period": period,
        "event": event,
        "currency": currency if currency is not None else currency_of(events, event),
    }
    return table
