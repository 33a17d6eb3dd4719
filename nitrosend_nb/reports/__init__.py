"""Reports computed locally from the frames the client fetches: per campaign, per flow, per period, sign-up
cohorts, and who gets the credit for each order, complaint and unsubscribe.

Pure functions over :class:`Frames` (``df()`` frames of either dtype backend, a Parquet export read back, a
DuckDB copy queried with ``ns.sql``), so they run with no rate limit and give the same answer every time;
``ns.reports.campaigns()`` and its siblings fetch the frames and call them. Nitrosend's API has no report endpoint.

- :func:`campaigns` / :func:`flows`: one row per campaign / flow that sent.
- :func:`series`: the same statistics per week or month of the sends.
- :func:`summary`: credited to campaigns, to flows, to nothing (``"(not set)"``) and the total.
- :func:`credit`: the ledger behind them, one row per order, complaint and unsubscribe.
- :func:`cohorts`: sign-up cohort x periods since sign-up.
- :func:`readable`: a report to read (money named with its currency and rounded).

**Method.** Recipients are the messages a campaign or flow actually created, never today's list sizes.
Attribution is stated and changeable: ``model="last_touch"`` (default) credits a conversion event (``order_placed``
unless ``event=`` names another) to the contact's most recent campaign or flow message received at most
``window`` (5 days by default) before it; ``model="utm"`` credits it by its ``utm_campaign``. Complaints and
unsubscribes are credited by last touch within the window. Each is credited at most once and what no campaign or
flow earned stays in the uncredited remainder: credited + uncredited = total (:mod:`.attribution` has the exact
rules). Amounts are in the currency the events state (``data.order.currency``; the API's ``amount`` is a bare
number), kept in each report's ``attrs`` with the model, window and event.

**Glossary.**

{glossary}
"""

from nitrosend_nb.reports.attribution import DEFAULT_EVENT, DEFAULT_WINDOW, MODELS, described
from nitrosend_nb.reports.cohorts import cohorts
from nitrosend_nb.reports.glossary import GLOSSARY, MONEY, NOT_MEASURED, NOT_SET, RATES, glossary_text
from nitrosend_nb.reports.inputs import Frames
from nitrosend_nb.reports.tables import STATISTICS, campaigns, credit, currency_of, flows, readable, series, summary

__doc__ = __doc__.format(glossary=glossary_text())

__all__ = [
    "Frames",
    "campaigns",
    "flows",
    "series",
    "summary",
    "credit",
    "cohorts",
    "currency_of",
    "readable",
    "GLOSSARY",
    "NOT_MEASURED",
    "NOT_SET",
    "MONEY",
    "RATES",
    "STATISTICS",
    "MODELS",
    "described",
    "DEFAULT_EVENT",
    "DEFAULT_WINDOW",
]
