"""Client fixtures: clients connected to the shared sandboxes of tests/conftest.py, and a scripted HTTP server
for wire behaviour a faithful sandbox never shows (HTTP-date Retry-After, 429 without it, non-JSON errors)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import nitrosend_nb as nb


@pytest.fixture(scope="session")
def ns(sandbox):
    """A quiet client on the shared read-only sandbox."""
    client = nb.connect(sandbox=sandbox, progress=False)
    yield client
    client.close()


@pytest.fixture
def fresh_ns(fresh_sandbox):
    """A quiet client on a fresh sandbox the test may write to."""
    client = nb.connect(sandbox=fresh_sandbox, progress=False)
    yield client
    client.close()


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
                    server.requests.append({"method": self.command, "path": self.path,
                                            "headers": dict(self.headers), "body": body})
                    status, headers, payload = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1/my"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def scripted_server():
    server = ScriptedServer()
    yield server
    server.stop()
