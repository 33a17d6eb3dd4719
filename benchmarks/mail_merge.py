"""Mail merge benchmark: ``ns.messages.send_df`` vs the naive loop of ``ns.messages.send`` calls.

Run:  python benchmarks/mail_merge.py  [--runs 3] [--rows 1000]

The sandbox runs in a separate process (``python -m nitrosend_nb.cli sandbox``) so that its work does not share a
GIL with the client being measured, with 50 ms of latency per request and its rate limit at 50 requests a second.
Each run merges the same ``--rows`` rows (1,000 by default) under a run name of its own, so every run really sends;
the rate limit's token bucket is refilled before each. Printed side by side (medians of ``--runs``):

* ``send_df`` (with its dry-run checks: suppressions, the brand, the newest message id) against the floor the rate
  limit sets, rows / rate. Target: <= 1.10x the floor.
* The naive loop, one ``ns.messages.send`` after the other (the same client, keys and content). Target: naive /
  ``send_df`` >= 2.5x.
* Both: emails the sandbox captured (must equal the rows, every run), failed rows and 429s waited out.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
import requests
from common import API_KEY, configure, counting_429s, sandbox_server

import nitrosend_nb as nb

LATENCY_MS, RATE = 50, 50
SUBJECT = "Your refund of {{ data.amount }}, {{ data.first_name }}"
HTML = "<p>Hi {{ data.first_name }}, we refunded {{ data.amount }} for order {{ data.order }}.</p>"


def refunds(rows: int) -> pd.DataFrame:
    """``rows`` refund notices, each to its own address."""
    return pd.DataFrame(
        {
            "email": [f"customer{i}@example.test" for i in range(rows)],
            "first_name": [f"Name{i}" for i in range(rows)],
            "amount": [f"£{i % 90 + 10}.50" for i in range(rows)],
            "order": range(10_000, 10_000 + rows),
        }
    )


def captured(root: str) -> int:
    """Emails in the sandbox's outbox."""
    response = requests.get(f"{root}/_sandbox/outbox", timeout=60)
    response.raise_for_status()
    return len(response.json())


def with_send_df(url: str, df: pd.DataFrame, name: str) -> dict:
    """One ``send_df`` call with a fresh client (a fresh limiter): seconds, rows sent, rows failed, 429s."""
    with counting_429s() as counter:
        ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
        started = time.perf_counter()
        result = ns.messages.send_df(df, subject=SUBJECT, html=HTML, name=name, dry_run=False, confirm=len(df))
        seconds = time.perf_counter() - started
        ns.close()
    counts = result.counts
    return {
        "seconds": seconds,
        "sent": counts.get("sent", 0),
        "failed": len(df) - counts.get("sent", 0),
        "throttled": counter.count,
    }


def with_a_loop(url: str, df: pd.DataFrame, name: str) -> dict:
    """The naive loop: ``ns.messages.send`` row after row, with the same keys and content."""
    with counting_429s() as counter:
        ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
        started = time.perf_counter()
        sent = failed = 0
        for row in df.itertuples(index=False):
            data = {"first_name": row.first_name, "amount": row.amount, "order": row.order}
            try:
                ns.messages.send(
                    to=row.email, subject=SUBJECT, html=HTML, data=data, idempotency_key=f"{name}-{row.email}"
                )
                sent += 1
            except nb.NitrosendError:
                failed += 1
        seconds = time.perf_counter() - started
        ns.close()
    return {"seconds": seconds, "sent": sent, "failed": failed, "throttled": counter.count}


def measure(runs: int, root: str, fn, url: str, df: pd.DataFrame, label: str) -> dict:
    """``runs`` runs of ``fn``, each under its own run name after a refill of the rate limit; their median and how
    many emails each left in the outbox."""
    results = []
    for run in range(runs):
        configure(root, rate_limit=RATE)
        before = captured(root)
        result = fn(url, df, f"{label}-{run}")
        result["captured"] = captured(root) - before
        results.append(result)
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "all": [round(r["seconds"], 2) for r in results],
        "captured": [r["captured"] for r in results],
        "failed": sum(r["failed"] for r in results),
        "throttled": sum(r["throttled"] for r in results),
    }


def line(label: str, r: dict, rows: int) -> str:
    complete = "complete" if set(r["captured"]) == {rows} and not r["failed"] else "INCOMPLETE"
    return (
        f"  {label:<24}{r['seconds']:>8.2f} s   runs {r['all']}   emails per run {r['captured']} ({complete})   "
        f"failed rows {r['failed']}   429s waited out {r['throttled']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    df = refunds(args.rows)
    floor = args.rows / RATE
    print(f"nitrosend-nb {nb.__version__} mail merge benchmark (medians of {args.runs})")
    print(f"\n{args.rows:,} rows, latency {LATENCY_MS} ms, rate limit {RATE} req/s (client concurrency 4)")
    with sandbox_server(250) as (url, root, _pid):
        configure(root, latency_ms=LATENCY_MS, rate_limit=RATE)
        ours = measure(args.runs, root, with_send_df, url, df, "send-df")
        naive = measure(args.runs, root, with_a_loop, url, df, "naive")
    print(line("ns.messages.send_df", ours, args.rows))
    print(line("naive loop", naive, args.rows))
    print(f"  {'floor (rows / rate)':<24}{floor:>8.2f} s")
    print(
        f"  -> send_df / floor = {ours['seconds'] / floor:.2f} (target <= 1.10); "
        f"naive / send_df = {naive['seconds'] / ours['seconds']:.1f}x (target >= 2.5x)"
    )


if __name__ == "__main__":
    main()
