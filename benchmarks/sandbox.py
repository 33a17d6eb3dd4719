"""Sandbox benchmarks: seconds to seed 100,000 and 1,000,000 contacts, and contact rows/s served by
``GET /contacts?limit=100`` at the first, middle and last pages of 100,000 contacts: over HTTP, and as the
server's CPU time alone (the app called in-process, no sockets; insensitive to other load on the machine).

Run ``python benchmarks/sandbox.py [--contacts N] [--big N] [--pages P] [--runs R]``; prints medians of ``R``
runs beside the targets. The server runs in its own process (as ``nitrosend-nb sandbox``) and the client is a
bare keep-alive ``http.client`` connection decoding each page with orjson, so the figure is the sandbox's.
Targets: >= 50,000 rows/s at every depth; 1,000,000 contacts seeded in well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import time
from urllib.parse import urlsplit

import orjson
from common import API_KEY, medians, sandbox_process

from nitrosend_nb.sandbox import Sandbox
from nitrosend_nb.sandbox.seed import seed_store
from nitrosend_nb.sandbox.store import Store

TARGET_ROWS = 50_000


def seed_seconds(contacts: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to seed an in-memory store with ``contacts`` contacts (plus all other seed data);
    the CPU time does not count time lost to other load on the machine."""
    store = Store()
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

    def rows_per_second(self, pages: range) -> float:
        started, rows = time.perf_counter(), 0
        for page in pages:
            rows += self.get(page)[0]
        return rows / (time.perf_counter() - started)


def server_cpu_rows_per_second(sandbox: Sandbox, pages: range) -> float:
    """Rows per second of the server's own CPU time: each page requested from the ASGI app in-process."""

    async def request(page: int) -> None:
        path = "/v1/my/contacts"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": f"limit=100&page={page}".encode(),
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "headers": [(b"authorization", f"Bearer {API_KEY}".encode())],
        }
        sent = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await sandbox.app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(f"page {page}: HTTP {sent[0]['status']}")

    async def walk() -> float:
        started = time.process_time()
        for page in pages:
            await request(page)
        return len(pages) * 100 / (time.process_time() - started)

    return asyncio.run(walk())


def main() -> None:
    """Print the medians beside the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="the large seeding run (0 skips it)")
    parser.add_argument("--pages", type=int, default=100, help="pages fetched at each depth")
    parser.add_argument("--runs", type=int, default=3)
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
    with sandbox_process(args.contacts) as (url, _root):
        client = PageClient(url)
        last = client.get(1)[1]
        middle = max(1, last // 2 - args.pages // 2)
        depths = {
            "first": range(1, args.pages + 1),
            "middle": range(middle, middle + args.pages),
            "last": range(max(1, last - args.pages + 1), last + 1),
        }
        print(
            f"  GET /contacts?limit=100 over {args.contacts:,} contacts ({last} pages), {args.pages} pages per "
            f"depth, target >= {TARGET_ROWS:,} rows/s:"
        )
        client.rows_per_second(range(1, 21))  # warm up the connection and the server
        for depth, pages in depths.items():
            median, runs = medians(args.runs, lambda pages=pages: client.rows_per_second(pages))
            print(
                f"    {depth:<7} pages {pages.start:>5}-{pages.stop - 1:<5} {median:>9,.0f} rows/s   "
                f"runs {[round(r) for r in runs]}   {median / TARGET_ROWS:.2f}x target"
            )
    print("  the same pages, server CPU time alone (app called in-process):")
    sandbox = Sandbox(contacts=args.contacts, seed=0)
    server_cpu_rows_per_second(sandbox, range(1, 21))  # warm-up
    for depth, pages in depths.items():
        median, runs = medians(args.runs, lambda pages=pages: server_cpu_rows_per_second(sandbox, pages))
        print(
            f"    {depth:<7} pages {pages.start:>5}-{pages.stop - 1:<5} {median:>9,.0f} rows/s   "
            f"runs {[round(r) for r in runs]}   {median / TARGET_ROWS:.2f}x target"
        )


if __name__ == "__main__":
    main()
