"""Fetch benchmark: nitrosend-nb's concurrent, throttle-aware ``contacts.df()`` vs the docs' naive page loop.

Run:  python benchmarks/fetch.py  [--runs 3]

The sandbox runs in a separate process (``python -m nitrosend_nb.cli sandbox``) so that its work does not
share a GIL with the client being measured. Scenarios (medians of ``--runs``):

1. 20,000 contacts, 50 ms latency, rate limit 50 req/s: naive loop vs ``ns.contacts.df()`` vs the floor
   (pages / rate). Targets: within 10 % of the floor, >= 2.5x faster than naive, no failed fetch. An extra
   row with ``concurrency=8`` pushes past the limit to show the shared 429 limiter at work.
2. The same without the rate limit, ``concurrency=8``. Target: >= 5x faster than naive.
3. Big accounts, on loopback without latency, each measurement in a fresh child process (peak RSS read from
   ``VmHWM``, which, unlike ``ru_maxrss``, does not carry over the parent's peak across fork+exec):
   client CPU alone (decoding and typed frames over the same raw pages of 100,000 contacts, no network;
   rows per CPU second, target >= 150,000); ``contacts.df()`` time and peak RSS over the post-import baseline
   divided by the frame's ``memory_usage(deep=True).sum()`` (target <= 2); ``contacts.to_parquet()`` peak RSS
   at 100,000 and 1,000,000 contacts (target: at 1M <= 1.3x at 100k).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import API_KEY, configure, counting_429s, peak_rss_mb, run_child, sandbox_server

import nitrosend_nb as nb
from nitrosend_nb.client.frames import CONTACTS, concat_frames, frame_batches
from nitrosend_nb.client.gcpause import gc_paused
from nitrosend_nb.client.pagination import HeaderPageNumberPaginator, unique_pages

PAGE = 100


def naive_fetch(url: str, key: str) -> dict:
    """The docs' loop: sequential requests.get per page (per_page=100) until an empty/last page, no retries."""
    rows, throttled, failed, page = 0, 0, 0, 1
    started = time.perf_counter()
    while True:
        response = requests.get(
            f"{url}/contacts",
            params={"page": page, "per_page": PAGE},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
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


def client_fetch(url: str, key: str, concurrency: int) -> dict:
    """``ns.contacts.df()`` with a fresh client (fresh limiter), counting the 429s it waited out."""
    with counting_429s() as counter:
        ns = nb.connect(api_key=key, base_url=url, concurrency=concurrency, progress=False)
        started = time.perf_counter()
        try:
            frame = ns.contacts.df()
            rows, failed = len(frame), 0
        except nb.NitrosendError:
            rows, failed = 0, 1
        seconds = time.perf_counter() - started
        ns.close()
    return {"seconds": seconds, "rows": rows, "throttled": counter.count, "failed": failed}


def median_of(runs: int, fn, *args) -> dict:
    results = [fn(*args) for _ in range(runs)]
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "rows": min(r["rows"] for r in results),
        "rows_max": max(r["rows"] for r in results),
        "throttled": sum(r["throttled"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "all": [round(r["seconds"], 2) for r in results],
    }


def _row(label: str, r: dict, expected: int) -> str:
    rows = f"{r['rows']}" if r["rows"] == r["rows_max"] else f"{r['rows']}-{r['rows_max']}"
    ok = "complete" if r["rows"] == r["rows_max"] == expected and not r["failed"] else "INCOMPLETE"
    return (
        f"  {label:<28}{r['seconds']:>8.2f} s   runs {r['all']}   rows {rows} ({ok})   "
        f"429s hit {r['throttled']}   failed requests {r['failed']}"
    )


def scenario_rate_limited(runs: int) -> None:
    contacts, latency, rate = 20_000, 50, 50
    pages = math.ceil(contacts / PAGE)
    floor = pages / rate
    print(f"\n1. {contacts:,} contacts, latency {latency} ms, rate limit {rate} req/s ({pages} pages of {PAGE})")
    with sandbox_server(contacts) as (url, root, _pid):
        key = API_KEY
        configure(root, latency_ms=latency, rate_limit=rate)
        naive = median_of(runs, lambda: (configure(root, rate_limit=rate), naive_fetch(url, key))[1])
        ours = median_of(runs, lambda: (configure(root, rate_limit=rate), client_fetch(url, key, 4))[1])
        eager = median_of(runs, lambda: (configure(root, rate_limit=rate), client_fetch(url, key, 8))[1])
    print(_row("naive loop", naive, contacts))
    print(_row("ns.contacts.df()", ours, contacts))
    print(_row("  same, concurrency=8", eager, contacts))
    print(f"  {'floor (pages / rate)':<28}{floor:>8.2f} s")
    print(
        f"  -> ours / floor = {ours['seconds'] / floor:.2f} (target <= 1.10); "
        f"speed-up vs naive = {naive['seconds'] / ours['seconds']:.1f}x (target >= 2.5x)"
    )


def scenario_unlimited(runs: int) -> None:
    contacts, latency = 20_000, 50
    print(f"\n2. {contacts:,} contacts, latency {latency} ms, no rate limit, concurrency=8")
    with sandbox_server(contacts) as (url, root, _pid):
        key = API_KEY
        configure(root, latency_ms=latency, rate_limit=None)
        naive = median_of(runs, naive_fetch, url, key)
        ours = median_of(runs, client_fetch, url, key, 8)
    print(_row("naive loop", naive, contacts))
    print(_row("ns.contacts.df()", ours, contacts))
    print(f"  -> speed-up vs naive = {naive['seconds'] / ours['seconds']:.1f}x (target >= 5x)")


class _RawResponse:
    """A fetched page kept as bytes and headers, replayed to the client's paginator without the network."""

    def __init__(self, response: requests.Response) -> None:
        self.content, self.headers = response.content, response.headers


def cpu_child(url: str, runs: int) -> dict:
    """Client CPU alone: fetch every raw page once, then time what ``df()`` does with them (decode with the
    paginator's ``read``, de-duplicate, typed batches, concatenation), ``runs`` times."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {API_KEY}"
    first = session.get(f"{url}/contacts", params={"limit": PAGE, "page": 1})
    raw = [_RawResponse(first)] + [
        _RawResponse(session.get(f"{url}/contacts", params={"limit": PAGE, "page": n}))
        for n in range(2, int(first.headers["X-Total-Pages"]) + 1)
    ]
    paginator, seconds, cpu = HeaderPageNumberPaginator(), [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with gc_paused():
            pages = (paginator.read(r, page=n, limit=PAGE) for n, r in enumerate(raw, start=1))
            frame = concat_frames(list(frame_batches(unique_pages(pages), CONTACTS)), CONTACTS)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        rows = len(frame)
        del frame
    return {"rows": rows, "seconds": statistics.median(seconds), "cpu": statistics.median(cpu)}


def _contents_mb(frame) -> float:
    """What the frame's object cells hold beyond the outer objects ``memory_usage(deep=True)`` counts: the dicts,
    lists and strings nested in them (``channels``' dicts, say), each object once."""
    seen, total = set(), 0
    stack = [value for column in frame.columns if frame[column].dtype == object for value in frame[column]]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple)):
            children = list(value)
        else:
            continue
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                total += sys.getsizeof(child)
                stack.append(child)
    return total / 2**20


def df_child(url: str) -> dict:
    """One ``contacts.df()``: seconds, and peak RSS over the baseline after imports and connecting."""
    ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
    ns.account.get()
    baseline = peak_rss_mb()
    started = time.perf_counter()
    frame = ns.contacts.df()
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    deep = frame.memory_usage(deep=True).sum() / 2**20
    return {
        "rows": len(frame),
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "frame_mb": deep,
        "nested_mb": _contents_mb(frame),
    }


def parquet_child(url: str) -> dict:
    """One ``contacts.to_parquet()`` into a temporary file: seconds, baseline and peak RSS."""
    ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
    ns.account.get()
    baseline = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = ns.contacts.to_parquet(Path(tmp) / "contacts.parquet")
        seconds = time.perf_counter() - started
        size = path.stat().st_size / 2**20
    return {"seconds": seconds, "baseline_mb": baseline, "peak_mb": peak_rss_mb(), "file_mb": size}


def _children(runs: int, flag: str, url: str) -> list[dict]:
    return [json.loads(run_child(__file__, flag, url)) for _ in range(runs)]


def _median(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def scenario_large(runs: int, big: int) -> None:
    contacts = 100_000
    print(f"\n3. Big accounts on loopback, no latency (each measurement in a fresh process; medians of {runs})")
    with sandbox_server(contacts) as (url, _root, _pid):
        cpu = json.loads(run_child(__file__, "--cpu-child", url, "--runs", str(runs)))
        frames = _children(runs, "--df-child", url)
        small = _children(runs, "--parquet-child", url)
    rate, wall_rate = cpu["rows"] / cpu["cpu"], cpu["rows"] / cpu["seconds"]
    print(
        f"  client CPU alone, {cpu['rows']:,} contacts from raw pages: {cpu['cpu']:.2f} s CPU = {rate:,.0f} rows/s "
        f"per CPU second   target >= 150,000: {rate / 150_000:.2f}x   (wall {cpu['seconds']:.2f} s = "
        f"{wall_rate:,.0f} rows/s, slower when other processes share the cores)"
    )
    over, frame_mb = _median(frames, "peak_mb") - _median(frames, "baseline_mb"), _median(frames, "frame_mb")
    nested_mb = _median(frames, "nested_mb")
    print(
        f"  contacts.df(): {_median(frames, 'seconds'):.2f} s, {frames[0]['rows']:,} rows; peak RSS "
        f"{_median(frames, 'peak_mb'):.0f} MB, after imports {_median(frames, 'baseline_mb'):.0f} MB, "
        f"peak over baseline {over:.0f} MB"
    )
    print(
        f"    peak over baseline / frame.memory_usage(deep=True).sum() ({frame_mb:.0f} MB) = {over / frame_mb:.2f}"
        f"   target <= 2\n"
        f"    (memory_usage counts an object cell's outer list only; the dicts and strings nested in the cells "
        f"add {nested_mb:.0f} MB that the frame holds too: peak over baseline / both = "
        f"{over / (frame_mb + nested_mb):.2f})"
    )
    rows = [(contacts, small)]
    if big:
        with sandbox_server(big) as (url, _root, _pid):
            rows.append((big, _children(runs, "--parquet-child", url)))
    for count, results in rows:
        print(
            f"  contacts.to_parquet() at {count:>9,}: {_median(results, 'seconds'):6.2f} s, peak RSS "
            f"{_median(results, 'peak_mb'):.0f} MB (after imports {_median(results, 'baseline_mb'):.0f} MB), "
            f"file {_median(results, 'file_mb'):.0f} MB"
        )
    if big:
        ratio = _median(rows[1][1], "peak_mb") / _median(small, "peak_mb")
        print(f"  -> to_parquet peak at {big:,} / at {contacts:,} = {ratio:.2f} (target <= 1.30)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", type=int, default=1_000_000, help="contacts for the large to_parquet run (0: skip)")
    parser.add_argument("--only", choices=("1", "2", "3"), help="run one scenario")
    parser.add_argument("--cpu-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--df-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--parquet-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_child or args.df_child or args.parquet_child:
        result = (
            cpu_child(args.cpu_child, args.runs)
            if args.cpu_child
            else df_child(args.df_child)
            if args.df_child
            else parquet_child(args.parquet_child)
        )
        print(json.dumps(result))
        return
    print(f"nitrosend-nb {nb.__version__} fetch benchmark (medians of {args.runs})")
    if args.only in (None, "1"):
        scenario_rate_limited(args.runs)
    if args.only in (None, "2"):
        scenario_unlimited(args.runs)
    if args.only in (None, "3"):
        scenario_large(args.runs, args.big)


if __name__ == "__main__":
    main()
