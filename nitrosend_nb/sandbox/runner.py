"""``Sandbox``: the sandbox server in a background thread (works inside a Jupyter kernel), or in the
foreground for the CLI. The runner puts the parts together: it opens the store, seeds the world into it (and
reseeds it on reset), makes the background workers, and serves the app."""

from __future__ import annotations

import gc
import socket
import threading
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .engine.delivery import clear_outbox, read_outbox
from .engine.webhook_delivery import WebhookDispatcher
from .knobs import Fault, Knobs, configure_through
from .limits import MAX_REQUEST_HEAD_BYTES, MAX_URL_BYTES
from .server.app import create_app
from .services.contacts import SERVED_FORMS
from .services.import_processing import ImportRunner
from .state import SandboxState
from .store import Store
from .world.seed import seed_store

DEFAULT_API_KEY = "nskey_test_sandbox"
KEPT_URL_BYTES = 4 * MAX_URL_BYTES  # of an over-long URL: enough to be refused, few enough for httptools' parser


class SandboxHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (a C parser: pages are served markedly faster than with h11) that keeps only
    the first :data:`KEPT_URL_BYTES` of a URL: still far over the gate's limit, so the gate answers the JSON 414,
    and within what httptools' URL parser takes (a URL of 64 KiB or more would get its plain-text 400 before the
    gate sees it). A URL longer than ``MAX_REQUEST_HEAD_BYTES`` is refused outright (plain 400, connection
    closed), as a request head that large always was."""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.url_length = 0

    def on_url(self, url: bytes) -> None:
        self.url_length += len(url)
        if self.url_length > MAX_REQUEST_HEAD_BYTES:
            raise httptools.HttpParserError("request line too long")
        if len(self.url) < KEPT_URL_BYTES:
            self.url = (self.url + url)[:KEPT_URL_BYTES]


class Sandbox:
    """A local Nitrosend API on ``host:port`` (port 0 picks a free one); use as a context manager or call
    :meth:`start` / :meth:`stop`.

    ``webhook_time_scale`` runs the webhook retry schedule that many times faster than the real service (60:
    a 1-minute retry after 1 s); ``import_rows_per_second`` paces import processing (None: full speed)."""

    def __init__(
        self,
        contacts: int = 250,
        latency_ms: float = 0,
        rate_limit: float | None = None,
        error_rate: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | None = None,
        api_key: str = DEFAULT_API_KEY,
        bounce_rate: float = 0.0,
        complaint_rate: float = 0.0,
        reply_rate: float = 0.0,
        webhook_time_scale: float = 60.0,
        import_rows_per_second: float | None = 2000.0,
    ) -> None:
        self.host, self.port, self.db = host, port, db
        self._key, self._seed, self._contacts = api_key, seed, contacts
        knobs = Knobs(
            latency_ms=latency_ms,
            rate_limit=rate_limit,
            error_rate=error_rate,
            seed=seed,
            bounce_rate=bounce_rate,
            complaint_rate=complaint_rate,
            reply_rate=reply_rate,
            webhook_time_scale=webhook_time_scale,
            import_rows_per_second=import_rows_per_second,
        )
        self.state = SandboxState(Store(db, served_forms=SERVED_FORMS), api_key=api_key, knobs=knobs)
        self._imports, self._webhooks = ImportRunner(self.state), WebhookDispatcher(self.state)
        self.state.attach(imports=self._imports, webhooks=self._webhooks)
        if not self.state.store.meta("seeded"):  # a --db store that already holds data is left as it is
            self._seed_store()
        self.app = create_app(self.state, reset=self.reset)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -- lifecycle --------------------------------------------------------------------------------------
    def _bind(self) -> uvicorn.Server:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it Nagle + delayed ACKs add ~40 ms to small responses.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((self.host, self.port))
        self._socket.listen(2048)  # connections queue from here on, before uvicorn starts accepting
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", access_log=False, http=SandboxHttpProtocol
        )
        self._server = uvicorn.Server(config)
        return self._server

    def start(self) -> Sandbox:
        """Serve in a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            return self
        server = self._bind()
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._socket]}, name=f"nitrosend-sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"sandbox server on {self.host}:{self.port} failed to start")
            self._thread.join(0.01)
        self._start_workers()
        return self

    def serve_forever(self, announce: Callable[[Sandbox], None] | None = None) -> None:
        """Serve in the calling thread until Ctrl-C (the CLI); ``announce`` runs once the port is bound."""
        server = self._bind()
        if announce is not None:
            announce(self)
        self._start_workers()
        # The process is the server's alone: move what is loaded and seeded by now out of the garbage collector's
        # reach, so its full collections stop rescanning it while pages are served (about a tenth of a page's CPU).
        gc.freeze()
        try:
            server.run(sockets=[self._socket])
        except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its clean shutdown
            pass
        finally:
            self._close()

    def stop(self) -> None:
        """Stop the server and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._close()

    def _start_workers(self) -> None:
        """Resume background work a --db store left unfinished (imports, pending webhook deliveries)."""
        self._imports.resume()
        self._webhooks.resume()

    def _seed_store(self) -> None:
        """Drop everything and seed the initial data (clock back to its start) in one transaction."""
        store = self.state.store
        with store.atomic():
            store.drop_all()
            seed_store(store, seed=self._seed, contacts=self._contacts)

    def _close(self) -> None:
        self._imports.stop()
        self._webhooks.stop()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self.state.store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        status = "running" if self._thread is not None else "stopped"
        return f"<Sandbox {self.url} {status}>"

    # -- addresses --------------------------------------------------------------------------------------
    @property
    def root_url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, ``http://HOST:PORT/v1/my``."""
        return self.root_url + "/v1/my"

    @property
    def api_key(self) -> str:
        """The key the sandbox accepts."""
        return self._key

    # -- control ----------------------------------------------------------------------------------------
    def outbox(self) -> list[dict]:
        """Captured emails, oldest first."""
        return read_outbox(self.state)

    def clear_outbox(self) -> None:
        """Forget every captured email."""
        clear_outbox(self.state)

    def reset(self) -> None:
        """Reseed to the initial state (data, clock, outbox, pending faults); ``POST /_sandbox/reset`` calls this
        too. The world is seeded into a fresh in-memory store, holding no lock meanwhile, and then copied into the
        sandbox's in one step; every request that arrives in between is answered with a 503 and ``Retry-After``
        (a request already being served finishes on the data it started with)."""
        with self.state.closed_for_reseeding():
            fresh = Store(served_forms=SERVED_FORMS)
            try:
                seed_store(fresh, seed=self._seed, contacts=self._contacts)
                self.state.store.load(fresh)
            finally:
                fresh.close()
            self.state.knobs.clear_faults()
            self._webhooks.forget()

    configure = configure_through(attrgetter("state.knobs"))

    def inject_faults(
        self, count: int = 1, status: int = 503, when: str = "after", path: str | None = None, method: str | None = None
    ) -> None:
        """Make the next ``count`` matching /v1/my requests fail with ``status`` (see the contract)."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        self.state.knobs.add_fault(Fault(count=count, status=status, when=when, path=path, method=method))
