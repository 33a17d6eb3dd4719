"""The ASGI gate in front of every request.

* Every request: HEAD is answered like GET without a body; URLs longer than the limit get 414; while the runner
  reseeds the store, a 503 with ``Retry-After`` (nobody waits for the store meanwhile).
* ``/v1/my`` (and ``/v1/direct_uploads``): latency, rate limit, injected and random faults, then the Bearer key
  check; after processing, ``when="after"`` faults replace the (already produced) response. Every such response,
  refusals included, carries an ``X-Request-Id``.
* ``/_sandbox/`` writes (anything but GET/HEAD/OPTIONS) need what a cross-site HTML form cannot send: the sandbox
  key as Bearer and, with a body, a JSON content type; a cross-site ``Origin``/``Sec-Fetch-Site`` is refused.
* The presigned PUT of a direct upload (no key: its signed token authorises it).
* All three: the query and the body pass the edge checks of :mod:`.limits` (size, JSON depth, control characters,
  unpaired surrogates) before any route parses them; a file upload (multipart ``POST /v1/my/imports``, the
  presigned PUT) may be as large as an import file, and only JSON bodies get the JSON checks.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import uuid
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import limits
from ..errors import error_response, invalid
from ..services.uploads import UPLOAD_PATH
from ..state import SandboxState

API_PREFIX = "/v1/my"
#: Authenticated paths outside /v1/my (the real service serves direct uploads at /v1/direct_uploads).
OTHER_API_PATHS = ("/v1/direct_uploads",)
IMPORTS_PATH = API_PREFIX + "/imports"
CONTROL_PREFIX = "/_sandbox"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})  # Sec-Fetch-Site values of a same-origin or typed request
RESEED_RETRY_AFTER = "1"  # seconds: reseeding the default sandbox takes well under one


class _BodyTooLarge(Exception):
    pass


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return dict(scope.get("headers") or [])


def _content_type(headers: dict[bytes, bytes]) -> str:
    return headers.get(b"content-type", b"").decode("latin-1")


def _body_limit(scope: Scope, content_type: str) -> int:
    """The largest body ``scope`` (of ``content_type``) may send: an import file for a file upload, else the
    general limit."""
    path, method = scope.get("path", ""), scope["method"]
    multipart_import = (
        method == "POST" and path == IMPORTS_PATH and content_type.lower().startswith("multipart/form-data")
    )
    if multipart_import or (method == "PUT" and _under(path, UPLOAD_PATH)):
        return limits.MAX_IMPORT_BODY_BYTES
    return limits.MAX_BODY_BYTES


def _bearer_matches(headers: dict[bytes, bytes], api_key: str) -> bool:
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


def _with_request_id(send: Send) -> Send:
    """``send`` adding a fresh ``X-Request-Id`` header to the response it starts."""
    header = (b"x-request-id", f"req_{uuid.uuid4().hex}".encode())

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)

    return send_with_id


def _unauthorized() -> Response:
    return error_response(401, "Invalid or missing API key", headers={"WWW-Authenticate": 'Bearer realm="nitrosend"'})


def _cross_site(headers: dict[bytes, bytes]) -> bool:
    """Whether the browser says this request comes from another site (a page the sandbox did not serve)."""
    fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
    if fetch_site and fetch_site not in SAME_SITE_FETCHES:
        return True
    origin = headers.get(b"origin", b"").decode("latin-1")
    return bool(origin) and urlsplit(origin).netloc != headers.get(b"host", b"").decode("latin-1")


def _control_refusal(scope: Scope, api_key: str) -> Response | None:
    """Why a /_sandbox write must be refused (None: let it through)."""
    headers = _headers(scope)
    if _cross_site(headers):
        return error_response(403, "Cross-site requests cannot change the sandbox")
    if not _bearer_matches(headers, api_key):
        return _unauthorized()
    if scope["method"] in BODY_METHODS and limits.media_type(_content_type(headers)) != "application/json":
        return error_response(415, "Sandbox control requests must send Content-Type: application/json")
    return None


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; _BodyTooLarge beyond ``limit`` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _body_refusal(body: bytes, content_type: str) -> Response | None:
    """A 400/422 for a JSON body that nests too deep or holds strings that cannot be stored (None: fine, or not
    JSON: a multipart form or a file, which the route reads itself)."""
    if not body.strip() or not limits.is_json(content_type):
        return None
    if limits.json_depth(body) > limits.MAX_JSON_DEPTH:
        return error_response(400, f"JSON nested deeper than {limits.MAX_JSON_DEPTH} levels")
    try:
        document = json.loads(body)
    except ValueError:
        return None  # malformed JSON: FastAPI's parser answers 400 with its own message
    problems = limits.body_problems(document)
    return invalid(problems).response() if problems else None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the already-read body to the app, then passes on to ``receive`` (disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _without_body(send: Send) -> Send:
    """A ``send`` that keeps the status and headers of a GET response but drops its body (HEAD)."""

    async def head_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return head_send


class ApiGate:
    """Pure ASGI middleware (no per-request task or stream overhead) applying the edge checks and knobs."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        path = scope.get("path", "")
        if len(scope.get("raw_path") or path.encode()) + len(scope.get("query_string", b"")) > limits.MAX_URL_BYTES:
            await error_response(414, f"URL longer than {limits.MAX_URL_BYTES} bytes")(scope, receive, send)
            return
        if self.state.reseeding.is_set():
            busy = error_response(
                503, "The sandbox is being reset; retry shortly", headers={"Retry-After": RESEED_RETRY_AFTER}
            )
            await busy(scope, receive, send)
            return
        if _under(path, API_PREFIX) or path in OTHER_API_PATHS:
            await self._api(scope, receive, send)
        elif _under(path, CONTROL_PREFIX) and scope["method"] not in SAFE_METHODS:
            refusal = _control_refusal(scope, self.state.api_key)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            await self._checked(scope, receive, send)
        elif _under(path, CONTROL_PREFIX) or _under(path, UPLOAD_PATH):
            await self._checked(scope, receive, send)  # the inbox's reads too: their query (search) is checked
        else:
            await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app once the query and the body have passed the edge checks."""
        refusal = None
        problems = limits.query_problems(scope.get("query_string", b""))
        if problems:
            refusal = invalid(problems).response()
        elif scope["method"] not in SAFE_METHODS:
            content_type = _content_type(_headers(scope))
            limit = _body_limit(scope, content_type)
            try:
                body = await _read_body(receive, limit)
            except _BodyTooLarge:
                refusal = error_response(413, f"Request body larger than {limit} bytes")
            else:
                refusal = _body_refusal(body, content_type)
                receive = _replay(body, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        send = _with_request_id(send)
        knobs, method, path = self.state.knobs, scope["method"], scope["path"]
        api_path = (path[len(API_PREFIX) :] or "/") if _under(path, API_PREFIX) else path
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000)
        refusal = None
        retry_after = knobs.retry_after()
        if retry_after:
            refusal = error_response(
                429, f"Rate limit exceeded; retry in {retry_after} s", headers={"Retry-After": str(retry_after)}
            )
        elif fault := knobs.take_fault("before", method, path, api_path):
            refusal = error_response(fault.status, "Injected fault: the request was not processed")
        elif knobs.random_failure():
            refusal = error_response(503, "Service temporarily unavailable (sandbox error_rate)")
        elif not _bearer_matches(_headers(scope), self.state.api_key):
            refusal = _unauthorized()
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if not knobs.has_faults("after"):
            await self._checked(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self._checked(scope, receive, hold)
        fault = knobs.take_fault("after", method, path, api_path)
        if fault:
            lost = error_response(fault.status, "Injected fault: the request was processed but its response lost")
            await lost(scope, receive, send)
            return
        for message in held:
            await send(message)
