"""Sandbox benchmarks: seeding 100,000 and 1,000,000 contacts (time, and peak memory: the simulated year is
streamed into the store as it runs, so memory should stay flat as the world grows), and contact rows/s served by
``GET /contacts?limit=100`` at the first, middle and last pages of 100,000 contacts, with 1 and 4 client threads,
beside the server process's CPU time per page and its event loop's share of it (from ``/proc``: much less sensitive
to other load on the machine than the wall clock; the rest is its worker threads') and the client threads' CPU time
per page (together: how much of the machine a walk kept busy).

Run ``python benchmarks/sandbox.py [--contacts N] [--big N] [--big-runs R] [--pages P] [--runs R] [--before CHECKOUT]
[--no-seeding] [--no-serving] [--pieces-contacts N]``; prints medians of ``R`` runs beside the targets.
Each seeding run is a fresh process seeding a store in a file (an in-memory store holds the whole database, which
grows with the world by definition); its peak memory is the process's ``VmHWM``. The server runs in its own
process (as ``nitrosend-nb sandbox``) and each client thread is a bare keep-alive ``http.client`` connection
decoding each page with orjson, so the figure is the sandbox's. Each depth is read twice per run: first right after
a write (the sandbox renders every page), then again (it serves the pages it rendered, until the next write).
Targets: >= 50,000 rows/s at every depth; seeding 1,000,000 contacts: peak RSS <= 1.5x and time per contact
<= 1.2x those of 100,000.

Then the list path's pieces: one sandbox per variant, each with one piece switched off (``variant_sandbox.py``: the
lean list route, the page memo, its read-ahead, the listing memo), all serving at once and read in
interleaved rounds, so a change of the machine's load falls on every variant alike; medians of ``R`` rounds side
by side, each beside the sandbox with every piece. A piece is kept where it gains at least 20 %. With ``--before
CHECKOUT``, the same interleaved rounds against the sandbox of another checkout of the project (its ``PYTHONPATH``):
the list pages' throughput against the previous release's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

import orjson
from common import API_KEY, CpuClock, peak_rss_mb, run_child, sandbox_server
from variant_sandbox import PIECES

from nitrosend_nb.sandbox.services.contacts import SERVED_FORMS
from nitrosend_nb.sandbox.store import Store
from nitrosend_nb.sandbox.world.seed import seed_store

TARGET_ROWS = 50_000
#: What the tables give besides rows/s.
CELLS = "server CPU ms/page (its event loop's in brackets) + the client threads' CPU ms/page"
COLUMN = 44  # characters of one variant's column in the side-by-side tables


def seed_child(contacts: int) -> dict:
    """Seed ``contacts`` contacts (plus all other seed data) into a store in a temporary file: wall and CPU seconds,
    peak RSS and the one after imports (MB), and the database's size."""
    baseline = peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sandbox.db")
        store = Store(path, served_forms=SERVED_FORMS)  # as the sandbox opens it
        started, cpu = time.perf_counter(), time.process_time()
        seed_store(store, seed=0, contacts=contacts)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        store.close()
        size = os.path.getsize(path) / 2**20
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_rss_mb(), "baseline_mb": baseline, "db_mb": size}


def print_seeding(sizes: list[tuple[int, int]]) -> None:
    """Seed each ``(contacts, runs)`` in fresh processes; print medians and the large run's ratios to the first."""
    results = {}
    for contacts, runs in sizes:
        if not contacts:
            continue
        done = [json.loads(run_child(__file__, "--seed-child", str(contacts))) for _ in range(runs)]
        results[contacts] = {key: statistics.median(r[key] for r in done) for key in done[0]}
        r = results[contacts]
        print(
            f"  seed {contacts:>9,} contacts into a file: {r['seconds']:8.1f} s wall ({r['cpu']:.1f} s CPU), "
            f"{r['seconds'] / contacts * 1e6:.0f} us a contact; peak RSS {r['peak_mb']:.0f} MB (after imports "
            f"{r['baseline_mb']:.0f} MB); database {r['db_mb']:,.0f} MB   runs {[round(d['seconds'], 1) for d in done]}"
        )
    if len(results) == 2:
        (small, a), (big, b) = sorted(results.items())
        print(
            f"  -> at {big:,} / at {small:,}: peak RSS {b['peak_mb'] / a['peak_mb']:.2f}x (target <= 1.5), time a "
            f"contact {b['seconds'] / big / (a['seconds'] / small):.2f}x (target <= 1.2)"
        )


class PageClient:
    """GET /contacts pages over one keep-alive connection; returns rows per page."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {API_KEY}"}

    def get(self, page: int) -> tuple[int, int]:
        """(rows on ``page``, total pages)."""
        self.conn.request("GET", f"{self.path}/contacts?limit=100&page={page}", headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"page {page}: HTTP {response.status}")
        return len(orjson.loads(body)), int(response.getheader("X-Total-Pages"))

    def touch(self) -> None:
        """A write (contact 1's first name set to itself): the sandbox forgets the pages it has rendered. Closes
        the connection afterwards."""
        self.conn.request("GET", f"{self.path}/contacts/1", headers=self.headers)
        name = orjson.loads(self.conn.getresponse().read())["first_name"]
        self.conn.request(
            "PATCH",
            f"{self.path}/contacts/1",
            body=orjson.dumps({"first_name": name}),
            headers={**self.headers, "Content-Type": "application/json"},
        )
        response = self.conn.getresponse()
        response.read()
        self.close()
        if response.status != 200:
            raise RuntimeError(f"PATCH /contacts/1: HTTP {response.status}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


@dataclass
class Serving:
    """One walk over some pages: rows per second (wall clock), the server's CPU milliseconds per page and, of
    those, its event loop's (the process's main thread: the rest is its worker threads'), and the client threads'
    CPU milliseconds per page (this process's: with the server's, how much of the machine the walk kept busy)."""

    rows_per_second: float
    cpu_ms_per_page: float
    loop_ms_per_page: float
    client_ms_per_page: float

    @classmethod
    def median(cls, walks: list[Serving]) -> Serving:
        """Each figure's median over ``walks``."""
        return cls(*(statistics.median(getattr(w, figure.name) for w in walks) for figure in fields(cls)))

    def cpu(self) -> str:
        """The CPU figures, as the tables' headers (:data:`CELLS`) name them."""
        return f"{self.cpu_ms_per_page:4.2f} ({self.loop_ms_per_page:4.2f}) +{self.client_ms_per_page:4.2f} ms"


def serve(url: str, pid: int, pages: range, threads: int) -> Serving:
    """Fetch ``pages`` with ``threads`` client threads, each on its own connection (pages dealt round-robin)."""
    clients = [PageClient(url) for _ in range(threads)]
    rows = [0] * threads

    def walk(index: int) -> None:
        for page in pages[index::threads]:
            rows[index] += clients[index].get(page)[0]

    clock = CpuClock(pid)
    before, started, client_cpu = clock.read(), time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(walk, range(threads)))
    elapsed, after, client_cpu = time.perf_counter() - started, clock.read(), time.process_time() - client_cpu
    for client in clients:
        client.close()
    return Serving(
        sum(rows) / elapsed,
        clock.between(before, after) * 1000 / len(pages),
        clock.thread_between(before, after, pid) * 1000 / len(pages),
        client_cpu * 1000 / len(pages),
    )


def report(label: str, walks: list[Serving]) -> str:
    """Medians of ``walks`` beside the target."""
    middle = Serving.median(walks)
    rate = middle.rows_per_second
    return (
        f"{label} {rate:>8,.0f} rows/s {rate / TARGET_ROWS:5.2f}x   {middle.cpu()}   "
        f"runs {[round(w.rows_per_second) for w in walks]}"
    )


def main() -> None:
    """Print the medians beside the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="the large seeding run (0 skips it)")
    parser.add_argument("--big-runs", type=int, default=1, help="runs of the large seeding (it takes minutes)")
    parser.add_argument("--pages", type=int, default=100, help="pages fetched at each depth")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pieces-contacts", type=int, default=100_000, help="contacts of the pieces' sandboxes (0 skips)"
    )
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        action="append",
        help="also serve the same pages from the sandbox of this checkout (e.g. the previous release), interleaved; "
        "may be repeated",
    )
    parser.add_argument("--seeding", action=argparse.BooleanOptionalAction, default=True, help="the seeding runs")
    parser.add_argument("--serving", action=argparse.BooleanOptionalAction, default=True, help="the serving table")
    parser.add_argument("--seed-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_child:
        print(json.dumps(seed_child(args.seed_child)))
        return

    print(f"sandbox benchmark (medians of {args.runs})")
    if args.seeding:
        print_seeding([(args.contacts, args.runs), (args.big, args.big_runs)])
    if args.serving:
        print_serving(args.contacts, args.pages, args.runs)
    if args.before:
        print_versus(args.contacts, args.before, args.pages, args.runs)
    if args.pieces_contacts:
        print_pieces(args.pieces_contacts, args.pages, args.runs)


def print_serving(contacts: int, pages_per_depth: int, runs: int) -> None:
    """Serve ``contacts`` from a sandbox process; print rows/s and server CPU per page at three depths."""
    with sandbox_server(contacts) as (url, _root, pid):
        client = PageClient(url)
        depths = depths_of(url, pages_per_depth)
        print(
            f"  GET /contacts?limit=100 over {contacts:,} contacts ({depths['last'].stop - 1} pages), "
            f"{pages_per_depth} pages per depth, target >= {TARGET_ROWS:,} rows/s; {CELLS} (server's from /proc). "
            "'first read': each run after a write (nothing remembered); 'read again': the same pages once more "
            "(pages remembered):"
        )
        serve(url, pid, range(1, 21), 1)  # warm up the connection path and the server
        for threads in (1, 4):
            for depth, pages in depths.items():
                cold, warm = [], []
                for _ in range(runs):
                    client.touch()  # a fresh connection each time: uvicorn closes idle ones after 5 s
                    cold.append(serve(url, pid, pages, threads))
                    warm.append(serve(url, pid, pages, threads))
                where = (
                    f"    {threads} thread{'s' if threads > 1 else ' '} {depth:<6} {pages.start:>5}-{pages.stop - 1:<5}"
                )
                print(report(f"{where} first read", cold))
                print(report(f"{where} read again", warm))


def depths_of(url: str, pages_per_depth: int) -> dict[str, range]:
    """The first, middle and last ``pages_per_depth`` pages of ``GET /contacts?limit=100`` at ``url``."""
    client = PageClient(url)
    last = client.get(1)[1]
    client.close()
    middle = max(1, last // 2 - pages_per_depth // 2)
    return {
        "first": range(1, pages_per_depth + 1),
        "middle": range(middle, middle + pages_per_depth),
        "last": range(max(1, last - pages_per_depth + 1), last + 1),
    }


def print_pieces(contacts: int, pages_per_depth: int, runs: int) -> None:
    """Serve ``contacts`` from one sandbox with every piece and one without each; print, side by side, rows/s and
    server CPU per page of the first read after a write and of the read again, at three depths, 1 and 4 threads."""
    variants = {"every piece": {}, **{f"without {piece}": {"without": (piece,)} for piece in PIECES}}
    print(
        f"  the list path's pieces, GET /contacts?limit=100 over {contacts:,} contacts, {pages_per_depth} pages per "
        f"depth, medians of {runs} interleaved rounds: rows/s (x every piece) and {CELLS}"
    )
    print_side_by_side(contacts, variants, pages_per_depth, runs)


def print_versus(contacts: int, checkouts: list[str], pages_per_depth: int, runs: int) -> None:
    """Serve ``contacts`` from this code's sandbox and from those of the other ``checkouts`` (the previous
    release, say); print them side by side, as :func:`print_pieces` does."""
    variants = {"this code": {}, **{checkout: {"code": checkout} for checkout in checkouts}}
    print(
        f"  this code vs {', '.join(checkouts)}, GET /contacts?limit=100 over {contacts:,} contacts, {pages_per_depth} "
        f"pages per depth, medians of {runs} interleaved rounds: rows/s (x this code) and {CELLS}"
    )
    print_side_by_side(contacts, variants, pages_per_depth, runs)


def print_side_by_side(contacts: int, variants: dict[str, dict], pages_per_depth: int, runs: int) -> None:
    """Start one sandbox of ``contacts`` per variant (``sandbox_server``'s keyword arguments), all serving at once,
    read them in interleaved rounds (first read after a write, then read again; three depths, 1 and 4 threads) and
    print medians side by side, each as a ratio to the first variant."""
    with ExitStack() as stack:
        servers = {name: stack.enter_context(sandbox_server(contacts, **how)) for name, how in variants.items()}
        depths = depths_of(next(iter(servers.values()))[0], pages_per_depth)
        for url, _root, pid in servers.values():
            serve(url, pid, range(1, 21), 1)  # warm up
        walks: dict[tuple, list[Serving]] = {}
        for _ in range(runs):
            for threads in (1, 4):
                for depth, pages in depths.items():
                    for name, (url, _root, pid) in servers.items():
                        PageClient(url).touch()
                        walks.setdefault((threads, depth, "first read", name), []).append(
                            serve(url, pid, pages, threads)
                        )
                        walks.setdefault((threads, depth, "read again", name), []).append(
                            serve(url, pid, pages, threads)
                        )
    first = next(iter(variants))
    print("    " + " " * 31 + "".join(f"{name:>{COLUMN}}" for name in variants))
    for threads in (1, 4):
        for depth in depths:
            for read in ("first read", "read again"):
                cells = []
                base = statistics.median(w.rows_per_second for w in walks[(threads, depth, read, first)])
                for name in variants:
                    middle = Serving.median(walks[(threads, depth, read, name)])
                    rate = middle.rows_per_second
                    cells.append(f"{rate:>12,.0f} {rate / base:5.2f}x {middle.cpu()}")
                label = f"{threads} thread{'s' if threads > 1 else ' '} {depth:<6} {read}"
                print(f"    {label:<31}" + "".join(f"{cell:>{COLUMN}}" for cell in cells))


if __name__ == "__main__":
    main()
