"""Sandbox benchmarks: seconds to seed 100,000 contacts, and rows/s served by ``GET /contacts?limit=100`` over them.

Run ``python benchmarks/sandbox.py [--contacts N] [--pages P] [--runs R]``; prints the median of ``R`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from nitrosend_nb.sandbox import Sandbox
from nitrosend_nb.sandbox.seed import seed_store
from nitrosend_nb.sandbox.store import Store


def seed_seconds(contacts: int) -> float:
    """Seconds to seed an in-memory store with ``contacts`` contacts (plus all other seed data)."""
    store = Store()
    started = time.perf_counter()
    seed_store(store, seed=0, contacts=contacts)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def rows_per_second(sandbox: Sandbox, pages: int) -> float:
    """Contacts per second fetched over HTTP, ``pages`` pages of 100 spread across the whole table."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sandbox.api_key}"
    total_pages = int(session.get(sandbox.url + "/contacts", params={"limit": 100}).headers["X-Total-Pages"])
    wanted = [1 + (i * total_pages) // pages for i in range(pages)]
    rows, started = 0, time.perf_counter()
    for page in wanted:
        response = session.get(sandbox.url + "/contacts", params={"limit": 100, "page": page})
        response.raise_for_status()
        rows += len(response.json())
    return rows / (time.perf_counter() - started)


def main() -> None:
    """Print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    seeds = [seed_seconds(args.contacts) for _ in range(args.runs)]
    print(f"seed {args.contacts:,} contacts: median {statistics.median(seeds):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in seeds)})")
    with Sandbox(contacts=args.contacts) as sandbox:
        rates = [rows_per_second(sandbox, args.pages) for _ in range(args.runs)]
    print(f"GET /contacts?limit=100, {args.pages} pages over {args.contacts:,} contacts: median "
          f"{statistics.median(rates):,.0f} rows/s (runs: {', '.join(f'{r:,.0f}' for r in rates)})")


if __name__ == "__main__":
    main()
