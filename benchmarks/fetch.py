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
   client CPU alone over the same raw pages of 100,000 contacts, no network, the three paths interleaved in one
   process: the ceiling (orjson -> ``pyarrow.array`` of each batch against the contact struct type, custom data
   fields included -> ``ArrowDtype`` frame), ``df(dtype_backend="pyarrow")``'s conversion (Arrow's JSON reader
   over the page bodies; target: >= 0.9x the ceiling's rows/s) and the default backend's (rows per CPU second; no
   slower than before);
   ``contacts.df()`` time and peak RSS over the post-import baseline, per backend: the default's divided by its
   frame with everything its cells hold (target <= 2), the Arrow frame's divided by its ``nbytes`` (target
   <= 1.5); ``contacts.to_parquet()`` peak RSS at 100,000 and 1,000,000 contacts (target: at 1M <= 1.3x at 100k).
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

import orjson
import pandas as pd
import pyarrow as pa
import requests
from common import API_KEY, configure, counting_429s, peak_rss_mb, run_child, sandbox_server

import nitrosend_nb as nb
from nitrosend_nb.client.backends import pages_frame, tables_frame
from nitrosend_nb.client.columnar import arrow_type, body_batches, wire_type
from nitrosend_nb.client.frames import BATCH_ROWS, CONTACTS, FLOAT, INT, TEXT, TIME
from nitrosend_nb.client.gcpause import gc_paused
from nitrosend_nb.client.pagination import HeaderPageNumberPaginator, unique_pages, unique_tables

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


#: The seeded contacts' custom ``data`` fields, which the ceiling converts with the declared ones (the client
#: finds them on the fly: they are not in its declarations).
CUSTOM_DATA = {"plan": TEXT, "orders_count": INT, "lifetime_value": FLOAT, "currency": TEXT}


def _ceiling_types() -> tuple[pa.StructType, pa.StructType]:
    """The contact struct the ceiling converts (the client's own, custom data fields added), and its type after
    the timestamps are parsed."""
    wire = wire_type(CONTACTS)
    data = wire.field("data").type
    data = pa.struct([*data, *((name, arrow_type(kind)) for name, kind in CUSTOM_DATA.items())])
    wire = pa.struct([field.with_type(data) if field.name == "data" else field for field in wire])

    channel = CONTACTS.columns["channels"].item  # the timestamps, named as in a contact and in its channels
    timestamps = {name for name, kind in [*CONTACTS.columns.items(), *channel.fields] if kind == TIME}

    def frame(kind: pa.DataType, name: str = "") -> pa.DataType:
        if pa.types.is_struct(kind):
            return pa.struct([field.with_type(frame(field.type, field.name)) for field in kind])
        if pa.types.is_list(kind):
            return pa.list_(frame(kind.value_type))
        return arrow_type(TIME) if name in timestamps and kind == pa.string() else kind

    return wire, frame(wire)


def _ceiling(raw: list[_RawResponse], wire: pa.StructType, typed: pa.StructType) -> pd.DataFrame:
    """The ceiling: orjson, then ``pyarrow.array`` of each batch against the contact struct, the timestamps cast,
    one ``ArrowDtype`` frame indexed by id."""
    tables, batch = [], []
    for response in raw:
        batch.extend(orjson.loads(response.content))
        if len(batch) >= BATCH_ROWS:
            tables.append(pa.Table.from_struct_array(pa.array(batch, type=wire).cast(typed)))
            batch = []
    if batch:
        tables.append(pa.Table.from_struct_array(pa.array(batch, type=wire).cast(typed)))
    return pa.concat_tables(tables).to_pandas(types_mapper=pd.ArrowDtype).set_index("id")


def cpu_child(url: str, runs: int) -> dict:
    """Client CPU alone: fetch every raw page once, then time, ``runs`` times interleaved, the ceiling and what
    ``df()`` does with the pages for each backend, as it calls it: ``pyarrow``, the paginator's ``read_body``, the
    bodies read by Arrow's JSON reader, de-duplication on the tables and their join; ``numpy_nullable``, the
    paginator's ``read`` (orjson), de-duplication, the typed batches and their join."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {API_KEY}"
    first = session.get(f"{url}/contacts", params={"limit": PAGE, "page": 1})
    raw = [_RawResponse(first)] + [
        _RawResponse(session.get(f"{url}/contacts", params={"limit": PAGE, "page": n}))
        for n in range(2, int(first.headers["X-Total-Pages"]) + 1)
    ]
    paginator, wire, typed = HeaderPageNumberPaginator(), *_ceiling_types()

    def arrow() -> pd.DataFrame:  # as df(dtype_backend="pyarrow"): the bodies read by Arrow's JSON reader
        bodies = (paginator.read_body(r, page=n, limit=PAGE).content for n, r in enumerate(raw, start=1))
        return tables_frame(unique_tables(body_batches(bodies, CONTACTS, BATCH_ROWS, PAGE), "id"), CONTACTS)

    def numpy() -> pd.DataFrame:  # as df(): the pages decoded by orjson, de-duplicated, converted
        pages = (paginator.read(r, page=n, limit=PAGE) for n, r in enumerate(raw, start=1))
        return pages_frame(unique_pages(pages), CONTACTS, BATCH_ROWS)

    paths = {"ceiling": lambda: _ceiling(raw, wire, typed), "pyarrow": arrow, "numpy_nullable": numpy}
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    rows = {}
    for _ in range(runs):
        for name, path in paths.items():
            started = time.process_time()
            with gc_paused():
                frame = path()
            cpu[name].append(time.process_time() - started)
            rows[name] = len(frame)
            del frame
    return {"rows": rows, "cpu": {name: statistics.median(times) for name, times in cpu.items()}, "all": cpu}


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


def df_child(url: str, backend: str) -> dict:
    """One ``contacts.df(dtype_backend=backend)``: seconds, and peak RSS over the baseline after imports and
    connecting, beside the frame's own size."""
    ns = nb.connect(api_key=API_KEY, base_url=url, progress=False)
    ns.account.get()
    baseline = peak_rss_mb()
    started = time.perf_counter()
    frame = ns.contacts.df(dtype_backend=backend)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    deep = frame.memory_usage(deep=True).sum() / 2**20  # an Arrow frame's nbytes; the default's outer objects
    return {
        "rows": len(frame),
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "frame_mb": deep,
        "nested_mb": _contents_mb(frame) if backend == "numpy_nullable" else 0.0,
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


def _children(runs: int, flag: str, *args: str) -> list[dict]:
    return [json.loads(run_child(__file__, flag, *args)) for _ in range(runs)]


def _median(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def scenario_large(runs: int, big: int) -> None:
    contacts = 100_000
    print(f"\n3. Big accounts on loopback, no latency (each measurement in a fresh process; medians of {runs})")
    with sandbox_server(contacts) as (url, _root, _pid):
        cpu = json.loads(run_child(__file__, "--cpu-child", url, "--runs", str(runs)))
        frames = {backend: _children(runs, "--df-child", url, backend) for backend in ("numpy_nullable", "pyarrow")}
        small = _children(runs, "--parquet-child", url)
    rates = {name: cpu["rows"][name] / seconds for name, seconds in cpu["cpu"].items()}
    print(f"  client CPU alone, decode + typed frame over the raw pages of {cpu['rows']['ceiling']:,} contacts:")
    for name, label in (
        ("ceiling", "ceiling: orjson -> pyarrow.array(struct) -> ArrowDtype"),
        ("pyarrow", 'df(dtype_backend="pyarrow")'),
        ("numpy_nullable", "df() (numpy_nullable)"),
    ):
        runs_cpu = [round(value, 2) for value in cpu["all"][name]]
        print(f"    {label:<58}{cpu['cpu'][name]:6.2f} s CPU = {rates[name]:>9,.0f} rows/s   runs {runs_cpu}")
    print(f"    -> pyarrow / ceiling = {rates['pyarrow'] / rates['ceiling']:.2f}x the rows/s (target >= 0.90)")
    for backend, results in frames.items():
        over, frame_mb = _median(results, "peak_mb") - _median(results, "baseline_mb"), _median(results, "frame_mb")
        print(
            f"  contacts.df(dtype_backend={backend!r}): {_median(results, 'seconds'):.2f} s, {results[0]['rows']:,} "
            f"rows; peak RSS {_median(results, 'peak_mb'):.0f} MB, after imports "
            f"{_median(results, 'baseline_mb'):.0f} MB, peak over baseline {over:.0f} MB"
        )
        if backend == "pyarrow":
            ratio = over / frame_mb
            print(f"    peak over baseline / the frame's nbytes ({frame_mb:.0f} MB) = {ratio:.2f}   target <= 1.5")
        else:
            nested_mb = _median(results, "nested_mb")
            print(
                f"    peak over baseline / the frame with everything its cells hold ({frame_mb:.0f} MB of "
                f"memory_usage(deep=True) + {nested_mb:.0f} MB of dicts and strings nested in its cells) = "
                f"{over / (frame_mb + nested_mb):.2f}   target <= 2 (memory_usage alone: {over / frame_mb:.2f})"
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
    parser.add_argument("--df-child", metavar="URL", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--parquet-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_child or args.df_child or args.parquet_child:
        result = (
            cpu_child(args.cpu_child, args.runs)
            if args.cpu_child
            else df_child(*args.df_child)
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
