"""Helpers for the sandbox tests: an authenticated HTTP client for a running sandbox, error-shape checks."""

from __future__ import annotations

import base64
import hashlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from standardwebhooks.webhooks import Webhook

from nitrosend_nb.client.resources.webhooks import EMAIL_EVENTS  # every event of an email sent (not received)
from nitrosend_nb.sandbox import Sandbox


@dataclass(frozen=True)
class ServedSandbox:
    """A sandbox served by ``nitrosend-nb sandbox`` in a process of its own: where it answers, its key and what the
    command printed on start."""

    url: str
    api_key: str
    announcement: str

    @property
    def root_url(self) -> str:
        """The server's root (the base URL without ``/v1/my``)."""
        return self.url.removesuffix("/v1/my")


@contextmanager
def sandbox_process(*options: str) -> Iterator[ServedSandbox]:
    """Run ``nitrosend-nb sandbox --port 0 OPTIONS`` as a process, as the main job serves it (its own interpreter,
    apart from its clients); stop it with Ctrl-C afterwards and check that it stopped cleanly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "nitrosend_nb.cli", "sandbox", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline()]
        while lines[-1] and "Ctrl-C" not in lines[-1]:  # the announcement ends by saying how to stop
            lines.append(process.stdout.readline())
        url = next((line.split()[-1] for line in lines if "base URL" in line), None)
        key = next((line.split()[-1] for line in lines if "API key" in line), None)
        assert url and key, f"the sandbox did not announce itself: {lines}"
        yield ServedSandbox(url, key, "".join(lines))
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "stopped" in out


class Api:
    """A requests session that talks to one sandbox's /v1/my with its key (paths relative to /v1/my)."""

    def __init__(self, sb: Sandbox | ServedSandbox, key: str | None = None):
        self.sb = sb
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key or sb.api_key}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """Send one request to ``/v1/my`` + ``path``."""
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.sb.url + path, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET ``path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        """POST ``path``."""
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        """PATCH ``path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        """DELETE ``path``."""
        return self.request("DELETE", path, **kwargs)

    def control(self, method: str, path: str, json: object = None, **kwargs) -> requests.Response:
        """A ``/_sandbox`` + ``path`` request as the sandbox's owner sends it: the key as Bearer, a JSON body."""
        kwargs.setdefault("timeout", 30)
        body = {} if json is None and method.upper() in ("POST", "PUT", "PATCH") else json
        return self.session.request(method, self.sb.root_url + "/_sandbox" + path, json=body, **kwargs)

    def send(self, key: str, **payload) -> requests.Response:
        """POST /messages with an Idempotency-Key."""
        return self.post("/messages", json=payload, headers={"Idempotency-Key": key})


# The machine code each status answers with when no more specific one applies (Today's API: ``code`` is a string).
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def change_brand(sb: Sandbox, **fields) -> None:
    """Set fields of the default brand directly (capabilities, can_send: not writable over HTTP)."""
    store = sb.state.store
    brand = store.get("brands", store.meta("default_brand_id"))
    brand.update(fields)
    store.replace("brands", brand)


def assert_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    """Assert ``response`` is a JSON error of ``status`` in the API's shape, with the string machine ``code``
    (default: the status's generic one), and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"] == (code or STATUS_CODES[status]), body
    assert body["error"] is True and isinstance(body["message"], str) and body["message"]
    assert ("validation_errors" in body) == (status == 422)
    return body


def suppressed_emails(api: Api) -> list[str]:
    """Every actively suppressed address of the brand (campaigns skip them)."""
    return [s["email"] for s in every(api, "/suppressions")]


def deliverable(api: Api) -> list[dict]:
    """Segment filters for what a campaign reaches: subscribed to email and not suppressed."""
    return [
        {"name": "contact_subscribed_email", "predicate": "true", "value": True},
        {"name": "contact_email", "predicate": "not_in", "value": suppressed_emails(api)},
    ]


def every(api, path: str, headers: dict | None = None, **params) -> list[dict]:
    """Every record of a paginated list, all pages (``headers``: e.g. another brand's X-Brand-SID)."""
    first = api.get(path, params={**params, "limit": 100}, headers=headers)
    records = first.json()
    for page in range(2, int(first.headers["X-Total-Pages"]) + 1):
        records += api.get(path, params={**params, "limit": 100, "page": page}, headers=headers).json()
    return records


def email_of(contact: dict) -> str | None:
    """A contact's email address (from its email channel)."""
    return next((c["value"] for c in contact["channels"] if c["kind"] == "email"), None)


def checksum(data: bytes) -> str:
    """The base64 MD5 a direct upload declares (Active Storage's checksum)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def direct_upload(
    api: Api, data: bytes, purpose: str = "import", filename: str = "people.csv", content_type: str = "text/csv"
) -> dict:
    """Declare ``data`` with ``POST /v1/direct_uploads`` for ``purpose``; the answer (``signed_id``,
    ``direct_upload.url`` and ``headers`` to PUT the bytes with)."""
    response = api.session.post(
        api.sb.root_url + "/v1/direct_uploads",
        timeout=10,
        json={
            "purpose": purpose,
            "blob": {
                "filename": filename,
                "byte_size": len(data),
                "checksum": checksum(data),
                "content_type": content_type,
            },
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def eventually(check, timeout: float = 10, every: float = 0.02):
    """Poll ``check()`` until it returns something truthy; return it (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(every)
    return result


def verified(server, secret: str) -> list[dict]:
    """Every request the endpoint received, each verified with standardwebhooks (raises on any bad one)."""
    hook = Webhook(secret)
    return [
        {"id": r["headers"]["webhook-id"], **hook.verify(r["body"], {k.lower(): v for k, v in r["headers"].items()})}
        for r in list(server.requests)
    ]


def create_webhook(api: Api, url: str, events: tuple[str, ...] = EMAIL_EVENTS, **fields) -> dict:
    """Register a webhook for ``events`` (every email event by default); the record with its full secret."""
    response = api.post("/webhooks", json={"url": url, "events": events, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def send(api: Api, to: str, key: str) -> dict:
    """Send one transactional email with a link to ``to``; the message record."""
    response = api.send(
        key,
        channel="email",
        to=to,
        subject="Hi {{ contact.first_name }}",
        html='<p>Hi <a href="https://acme.test/offer">the offer</a></p>',
    )
    assert response.status_code == 201, response.text
    return response.json()
