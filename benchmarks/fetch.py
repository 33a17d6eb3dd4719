"""Fetch benchmark: nitrosend-nb's concurrent, throttle-aware ``contacts.df()`` vs the docs' naive page loop.

Run:  python benchmarks/fetch.py  [--runs 3]

The sandbox runs in a separate process (``python -m nitrosend_nb.cli sandbox``) so that its work does not
share a GIL with the client being measured. Scenarios (medians of ``--runs``):

1. 20,000 contacts, 50 ms latency, rate limit 50 req/s: naive loop vs ``ns.contacts.df()`` vs the floor
   (pages / rate). Targets: within 10 % of the floor, >= 2.5x faster than naive, no failed fetch. An extra
   row with ``concurrency=8`` pushes past the limit to show the shared 429 limiter at work.
2. The same without the rate limit, ``concurrency=8``. Target: >= 5x faster than naive.
3. 100,000 contacts on loopback, no latency: total time, frame-building time, peak RSS (measured in a fresh
   child process so earlier scenarios do not inflate it).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

import nitrosend_nb as nb

PAGE = 100
SANDBOX_KEY = "nskey_test_sandbox"  # the CLI sandbox's default key (also needed to change its knobs)


@contextmanager
def sandbox_process(contacts: int) -> Iterator[tuple[str, str]]:
    """Start ``nitrosend-nb sandbox`` in a child process; yield ``(api_url, root_url)``; stop it afterwards."""
    proc = subprocess.Popen([sys.executable, "-m", "nitrosend_nb.cli", "sandbox", "--port", "0",
                             "--contacts", str(contacts)], stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            match = re.search(r"base URL:\s*(\S+)", line)
            if match:
                url = match.group(1)
                break
        else:
            raise RuntimeError("the sandbox did not start")
        root = url.rsplit("/v1/my", 1)[0]
        deadline = time.monotonic() + 60
        while True:  # announced once bound; wait until it answers
            try:
                requests.get(f"{root}/_sandbox/config", timeout=5).raise_for_status()
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, root
    finally:
        proc.terminate()
        proc.wait(10)


def configure(root: str, **knobs: object) -> None:
    """Set sandbox knobs; setting ``rate_limit`` also refills its token bucket, so every run starts alike."""
    requests.post(f"{root}/_sandbox/config", json=knobs, headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
                  timeout=10).raise_for_status()


def naive_fetch(url: str, key: str) -> dict:
    """The docs' loop: sequential requests.get per page (per_page=100) until an empty/last page, no retries."""
    rows, throttled, failed, page = 0, 0, 0, 1
    started = time.perf_counter()
    while True:
        response = requests.get(f"{url}/contacts", params={"page": page, "per_page": PAGE},
                                headers={"Authorization": f"Bearer {key}"}, timeout=30)
        if response.status_code == 429:
            throttled += 1
        elif response.status_code != 200:
            failed += 1
        else:
            batch = response.json()
            if not batch:
                break
            rows += len(batch)
            if page >= int(response.headers.get("X-Total-Pages", page)):
                break
        page += 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "throttled": throttled, "failed": failed}


class _ThrottleCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "rate limited (429)" in record.getMessage()


def client_fetch(url: str, key: str, concurrency: int) -> dict:
    """``ns.contacts.df()`` with a fresh client (fresh limiter), counting the 429s it waited out."""
    counter = _ThrottleCounter()
    logger = logging.getLogger("nitrosend_nb")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    try:
        ns = nb.connect(api_key=key, base_url=url, concurrency=concurrency, progress=False)
        started = time.perf_counter()
        try:
            frame = ns.contacts.df()
            rows, failed = len(frame), 0
        except nb.NitrosendError:
            rows, failed = 0, 1
        seconds = time.perf_counter() - started
        ns.close()
    finally:
        logger.removeHandler(counter)
    return {"seconds": seconds, "rows": rows, "throttled": counter.count, "failed": failed}


def median_of(runs: int, fn, *args) -> dict:
    results = [fn(*args) for _ in range(runs)]
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "rows": min(r["rows"] for r in results), "rows_max": max(r["rows"] for r in results),
            "throttled": sum(r["throttled"] for r in results), "failed": sum(r["failed"] for r in results),
            "all": [round(r["seconds"], 2) for r in results]}


def _row(label: str, r: dict, expected: int) -> str:
    rows = f"{r['rows']}" if r["rows"] == r["rows_max"] else f"{r['rows']}-{r['rows_max']}"
    ok = "complete" if r["rows"] == r["rows_max"] == expected and not r["failed"] else "INCOMPLETE"
    return (f"  {label:<28}{r['seconds']:>8.2f} s   runs {r['all']}   rows {rows} ({ok})   "
            f"429s hit {r['throttled']}   failed requests {r['failed']}")


def scenario_rate_limited(runs: int) -> None:
    contacts, latency, rate = 20_000, 50, 50
    pages = math.ceil(contacts / PAGE)
    floor = pages / rate
    print(f"\n1. {contacts:,} contacts, latency {latency} ms, rate limit {rate} req/s ({pages} pages of {PAGE})")
    with sandbox_process(contacts) as (url, root):
        key = SANDBOX_KEY
        configure(root, latency_ms=latency, rate_limit=rate)
        naive = median_of(runs, lambda: (configure(root, rate_limit=rate), naive_fetch(url, key))[1])
        ours = median_of(runs, lambda: (configure(root, rate_limit=rate), client_fetch(url, key, 4))[1])
        eager = median_of(runs, lambda: (configure(root, rate_limit=rate), client_fetch(url, key, 8))[1])
    print(_row("naive loop", naive, contacts))
    print(_row("ns.contacts.df()", ours, contacts))
    print(_row("  same, concurrency=8", eager, contacts))
    print(f"  {'floor (pages / rate)':<28}{floor:>8.2f} s")
    print(f"  -> ours / floor = {ours['seconds'] / floor:.2f} (target <= 1.10); "
          f"speed-up vs naive = {naive['seconds'] / ours['seconds']:.1f}x (target >= 2.5x)")


def scenario_unlimited(runs: int) -> None:
    contacts, latency = 20_000, 50
    print(f"\n2. {contacts:,} contacts, latency {latency} ms, no rate limit, concurrency=8")
    with sandbox_process(contacts) as (url, root):
        key = SANDBOX_KEY
        configure(root, latency_ms=latency, rate_limit=None)
        naive = median_of(runs, naive_fetch, url, key)
        ours = median_of(runs, client_fetch, url, key, 8)
    print(_row("naive loop", naive, contacts))
    print(_row("ns.contacts.df()", ours, contacts))
    print(f"  -> speed-up vs naive = {naive['seconds'] / ours['seconds']:.1f}x (target >= 5x)")


def large_child(url: str, key: str, runs: int) -> dict:
    """Scenario 3's measurements, run in a fresh process: total, fetch and frame times, peak RSS."""
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ns = nb.connect(api_key=key, base_url=url, progress=False)
    totals, frames, fetches, rows = [], [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        records = list(ns.contacts.iter())
        fetched = time.perf_counter()
        frame = ns.contacts.frame(records)
        done = time.perf_counter()
        totals.append(done - started)
        fetches.append(fetched - started)
        frames.append(done - fetched)
        rows = len(frame)
        del records, frame
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"total": statistics.median(totals), "fetch": statistics.median(fetches),
            "frame": statistics.median(frames), "rows": rows, "baseline_mb": baseline_kb / 1024,
            "peak_mb": peak_kb / 1024}


def scenario_large(runs: int) -> None:
    contacts = 100_000
    print(f"\n3. {contacts:,} contacts on loopback, no latency (client measured in a fresh process)")
    with sandbox_process(contacts) as (url, _root):
        out = subprocess.run([sys.executable, __file__, "--large-child", url, "--runs", str(runs)],
                             capture_output=True, text=True, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"  rows {r['rows']:,}   total {r['total']:.2f} s  (fetch {r['fetch']:.2f} s + frame building "
          f"{r['frame']:.2f} s)   peak RSS {r['peak_mb']:.0f} MB (after imports {r['baseline_mb']:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_child:
        print(json.dumps(large_child(args.large_child, SANDBOX_KEY, args.runs)))
        return
    print(f"nitrosend-nb {nb.__version__} fetch benchmark (medians of {args.runs})")
    scenario_rate_limited(args.runs)
    scenario_unlimited(args.runs)
    scenario_large(args.runs)


if __name__ == "__main__":
    main()
