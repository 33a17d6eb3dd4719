"""Reports benchmark: the campaign report, the flow report and the cohort table computed from frames already in
memory, against the time ``df()`` takes to fetch those frames, in one run.

Run:  python benchmarks/reports.py  [--contacts 100000] [--runs 3]

The sandbox (the seeded world of ``--contacts`` contacts: about 4.8 messages and 3 events per contact) runs in a
separate process. The fetch is what ``ns.reports.frames()`` does (campaigns, flows, every message, the
``order_placed`` events, contacts, the complaints), each group's ``df()`` timed; then each report is computed
``--runs`` times from those frames. Medians are printed side by side with the ratio of the three reports together
to the fetch. Target: <= 0.25.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from common import API_KEY, sandbox_server

import nitrosend_nb as nb
from nitrosend_nb import reports

TARGET = 0.25


def timed(fn):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def fetch(ns: nb.Nitrosend) -> tuple[dict[str, float], reports.Frames]:
    """The frames ``ns.reports.frames()`` fetches, each group's ``df()`` timed."""
    seconds, frames = {}, {}
    for name, call in (
        ("campaigns", ns.campaigns.df),
        ("flows", ns.flows.df),
        ("messages", lambda: ns.messages.df(source_type="all")),
        ("events", lambda: ns.events.df(event="order_placed")),
        ("contacts", ns.contacts.df),
        (
            "suppressions",
            lambda: pd.concat([ns.suppressions.df(reason="complaint", active=active) for active in (None, False)]),
        ),
    ):
        seconds[name], frames[name] = timed(call)
    return seconds, reports.Frames(**frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Reports from in-memory frames vs fetching them: {args.contacts:,} contacts, medians of {args.runs}")
    with sandbox_server(args.contacts) as (url, _root, _pid):
        ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
        fetches = [fetch(ns) for _ in range(args.runs)]
        frames = fetches[-1][1]
        computed = {
            "reports.campaigns(frames)": lambda: reports.campaigns(frames),
            "reports.flows(frames)": lambda: reports.flows(frames),
            "reports.cohorts(contacts, events)": lambda: reports.cohorts(frames.contacts, frames.events),
        }
        times = {label: [timed(fn)[0] for _ in range(args.runs)] for label, fn in computed.items()}
        ns.close()
    print(f"\n  {'fetch: df() of each group':<40}{'median':>8}   runs")
    for name in fetches[0][0]:
        line(f"{name} ({len(getattr(frames, name)):,} rows)", [seconds[name] for seconds, _ in fetches])
    fetch_total = line("all six", [sum(seconds.values()) for seconds, _ in fetches])
    print(f"\n  {'report, from the frames in memory':<40}{'median':>8}   runs")
    total = sum(line(label, runs) for label, runs in times.items())
    print(f"  {'the three together':<40}{total:>7.2f}s")
    ratio = total / fetch_total
    print(f"\n  -> reports / fetch = {ratio:.3f} (target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT MET'})")


def line(label: str, runs: list[float]) -> float:
    """Print one row (label, median, every run) and return the median."""
    median = statistics.median(runs)
    print(f"  {label:<40}{median:>7.2f}s   {[round(r, 2) for r in runs]}")
    return median


if __name__ == "__main__":
    main()
