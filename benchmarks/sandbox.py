"""Sandbox benchmarks: seconds to seed 100,000 and 1,000,000 contacts, and contact rows/s served by
``GET /contacts?limit=100`` at the first, middle and last pages of 100,000 contacts, with 1 and 4 client threads,
beside the server process's CPU time per page (from ``/proc``: much less sensitive to other load on the machine
than the wall clock).

Run ``python benchmarks/sandbox.py [--contacts N] [--big N] [--pages P] [--runs R]``; prints medians of ``R``
runs beside the targets. The server runs in its own process (as ``nitrosend-nb sandbox``) and each client thread
is a bare keep-alive ``http.client`` connection decoding each page with orjson, so the figure is the sandbox's.
Each depth is read twice per run: first right after a write (the sandbox renders every page), then again (it
serves the pages it rendered, until the next write).
Targets: >= 50,000 rows/s at every depth; 1,000,000 contacts seeded in well under a minute.

Then the list path's pieces: one sandbox per variant, each with one piece switched off (``variant_sandbox.py``: the
lean list route, the page memo, the listing memo), all serving at once and read in
interleaved rounds, so a change of the machine's load falls on every variant alike; medians of ``R`` rounds side
by side, each beside the sandbox with every piece. A piece is kept where it gains at least 20 %.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
from common import API_KEY, cpu_seconds, sandbox_server
from variant_sandbox import PIECES

from nitrosend_nb.sandbox.services.contacts import SERVED_FORMS
from nitrosend_nb.sandbox.store import Store
from nitrosend_nb.sandbox.world.seed import seed_store

TARGET_ROWS = 50_000


def seed_seconds(contacts: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to seed an in-memory store with ``contacts`` contacts (plus all other seed data);
    the CPU time does not count time lost to other load on the machine."""
    store = Store(served_forms=SERVED_FORMS)  # as the sandbox opens it
    started, cpu = time.perf_counter(), time.process_time()
    seed_store(store, seed=0, contacts=contacts)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    return elapsed, cpu


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
    """One walk over some pages: rows per second (wall clock) and the server's CPU milliseconds per page."""

    rows_per_second: float
    cpu_ms_per_page: float


def serve(url: str, pid: int, pages: range, threads: int) -> Serving:
    """Fetch ``pages`` with ``threads`` client threads, each on its own connection (pages dealt round-robin)."""
    clients = [PageClient(url) for _ in range(threads)]
    rows = [0] * threads

    def walk(index: int) -> None:
        for page in pages[index::threads]:
            rows[index] += clients[index].get(page)[0]

    cpu, started = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(walk, range(threads)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    for client in clients:
        client.close()
    return Serving(sum(rows) / elapsed, cpu * 1000 / len(pages))


def report(label: str, walks: list[Serving]) -> str:
    """Medians of ``walks`` beside the target."""
    rate = statistics.median(w.rows_per_second for w in walks)
    cpu = statistics.median(w.cpu_ms_per_page for w in walks)
    return (
        f"{label} {rate:>8,.0f} rows/s {rate / TARGET_ROWS:5.2f}x   server CPU {cpu:5.2f} ms/page   "
        f"runs {[round(w.rows_per_second) for w in walks]}"
    )


def main() -> None:
    """Print the medians beside the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="the large seeding run (0 skips it)")
    parser.add_argument("--pages", type=int, default=100, help="pages fetched at each depth")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pieces-contacts", type=int, default=100_000, help="contacts of the pieces' sandboxes (0 skips)"
    )
    args = parser.parse_args()

    print(f"sandbox benchmark (medians of {args.runs})")
    for count in (args.contacts, args.big):
        if count:
            timings = [seed_seconds(count) for _ in range(args.runs)]
            wall, cpu = (statistics.median(t[i] for t in timings) for i in (0, 1))
            print(
                f"  seed {count:>9,} contacts   {wall:8.2f} s wall ({cpu:.2f} s CPU)   "
                f"runs {[round(t[0], 2) for t in timings]}   {count / wall:,.0f} contacts/s"
            )
    print_serving(args.contacts, args.pages, args.runs)
    if args.pieces_contacts:
        print_pieces(args.pieces_contacts, args.pages, args.runs)


def print_serving(contacts: int, pages_per_depth: int, runs: int) -> None:
    """Serve ``contacts`` from a sandbox process; print rows/s and server CPU per page at three depths."""
    with sandbox_server(contacts) as (url, _root, pid):
        client = PageClient(url)
        depths = depths_of(url, pages_per_depth)
        print(
            f"  GET /contacts?limit=100 over {contacts:,} contacts ({depths['last'].stop - 1} pages), "
            f"{pages_per_depth} pages per depth, target >= {TARGET_ROWS:,} rows/s; server CPU from /proc. "
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
    variants = {"every piece": (), **{f"without {piece}": (piece,) for piece in PIECES}}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(sandbox_server(contacts, off)) for name, off in variants.items()}
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
    print(
        f"  the list path's pieces, GET /contacts?limit=100 over {contacts:,} contacts, {pages_per_depth} pages per "
        f"depth, medians of {runs} interleaved rounds: rows/s (x every piece) and server CPU ms/page"
    )
    print("    " + " " * 31 + "".join(f"{name:>34}" for name in variants))
    for threads in (1, 4):
        for depth in depths:
            for read in ("first read", "read again"):
                cells = []
                base = statistics.median(w.rows_per_second for w in walks[(threads, depth, read, "every piece")])
                for name in variants:
                    done = walks[(threads, depth, read, name)]
                    rate = statistics.median(w.rows_per_second for w in done)
                    cpu = statistics.median(w.cpu_ms_per_page for w in done)
                    cells.append(f"{rate:>12,.0f} {rate / base:5.2f}x {cpu:6.2f} ms")
                label = f"{threads} thread{'s' if threads > 1 else ' '} {depth:<6} {read}"
                print(f"    {label:<31}" + "".join(f"{cell:>34}" for cell in cells))


if __name__ == "__main__":
    main()
