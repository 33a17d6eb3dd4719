"""Shared fixtures: real sandbox servers on 127.0.0.1, a scripted HTTP server, and the published OpenAPI
description."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nitrosend_nb.sandbox import Sandbox

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "nitrosend-openapi.yaml"


@pytest.fixture(scope="session")
def sandbox():
    """A default seeded sandbox (seed=0, 250 contacts) shared by read-only tests."""
    with Sandbox(seed=0, contacts=250) as sb:
        yield sb


@pytest.fixture
def make_sandbox():
    """Factory ``make_sandbox(**kwargs)``: starts a Sandbox and stops it at teardown."""
    started: list[Sandbox] = []

    def factory(**kwargs) -> Sandbox:
        sb = Sandbox(**kwargs).start()
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        sb.stop()


@pytest.fixture
def fresh_sandbox(make_sandbox):
    """A new seeded sandbox for a test that writes or changes knobs."""
    return make_sandbox(seed=0, contacts=250)


@pytest.fixture(scope="session")
def openapi_spec():
    """The parsed ../shared/nitrosend-openapi.yaml; skips the test when it is absent."""
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"needs the vendor's OpenAPI description, ../shared/nitrosend-openapi.yaml beside the clone ({SPEC_PATH})"
        )
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(SPEC_PATH.read_text())


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 answering each request with the next scripted response
    ``(status, headers, body)`` (the last one repeats) and recording every request it saw."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict, object]] = [(200, {}, [])]
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(
                        {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status, headers, payload = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.url = self.root + "/v1/my"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def scripted_server():
    """A :class:`ScriptedServer` for one test."""
    server = ScriptedServer()
    yield server
    server.stop()
