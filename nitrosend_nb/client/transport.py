"""HTTP plumbing shared by every resource: pooled sessions, auth, retries, 429 throttling, errors, logging.

Retry policy:

* 5xx and connection/read failures are retried by urllib3's ``Retry`` (mounted through requests'
  ``HTTPAdapter``) for GET/PATCH/DELETE/PUT, and for POST only when the request carries an
  ``Idempotency-Key`` (the server then answers a repeat with the original result, so nothing is done twice).
  A POST without a key goes through a second session whose ``Retry`` only retries failed *connects*
  (the request never left the machine).
* 429 is "normal weather": the shared :class:`~nitrosend_nb.client.throttle.AdaptiveLimiter` pauses every
  worker for Retry-After (or an exponential backoff) and lowers concurrency; a
  :class:`~nitrosend_nb.errors.RateLimitError` is raised only once ``max_wait`` seconds have been spent
  waiting for one request.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as urllib3_exceptions
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from nitrosend_nb import log_redaction
from nitrosend_nb._version import __version__
from nitrosend_nb.client import defaults
from nitrosend_nb.client.throttle import AdaptiveLimiter, backoff_delay, retry_after_seconds
from nitrosend_nb.errors import (
    ConnectionFailedError,
    NitrosendError,
    RateLimitError,
    RequestTimeoutError,
    TransportError,
    error_for_status,
)
from nitrosend_nb.redaction import redact

__all__ = ["Transport"]

logger = logging.getLogger("nitrosend_nb")
log_redaction.install()  # the transport drives urllib3: its DEBUG lines quote URLs, which may hold a key

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
CONNECT_RETRIES = 3


class _Retry(Retry):
    """urllib3 Retry that leaves 429 alone (throttling is the shared limiter's job, not a per-thread sleep)
    and honours a 503's Retry-After only up to ``backoff_max``."""

    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.backoff_max)


def _session(headers: Mapping[str, str], pool_size: int, retry: Retry) -> requests.Session:
    """A pooled session sending ``headers``, retrying by ``retry``, that does not read the environment itself.

    requests would read it on every request: the CA bundle (``REQUESTS_CA_BUNDLE``, read here once), the proxy
    variables (``HTTPS_PROXY``, ``NO_PROXY``..., read once per host by :meth:`Transport._proxies_for`) and
    ``~/.netrc``, whose entry for the host (or ``default`` entry) would replace the API key's ``Authorization``
    header with Basic auth: it is not read at all.
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.headers.update(headers)
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _was_retried(response: requests.Response) -> bool:
    """Whether urllib3 sent this request more than once before this response (e.g. after a lost 503)."""
    retries = getattr(response.raw, "retries", None)
    return bool(retries is not None and retries.history)


class Transport:
    """Send requests to one API base URL with one key; return the response or raise a NitrosendError."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = defaults.TIMEOUT,
        concurrency: int = defaults.CONCURRENCY,
        max_wait: float = defaults.MAX_WAIT,
        retries: int = defaults.RETRIES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_wait = max_wait
        self.limiter = AdaptiveLimiter(concurrency)
        self._api_key = api_key
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}  # (scheme, host) -> the environment's proxies
        headers = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": f"nitrosend-nb/{__version__} {requests.utils.default_user_agent()}",
        }
        connects = min(retries, CONNECT_RETRIES)  # a server that is not there is reported within a second
        common = dict(
            backoff_factor=0.1,
            backoff_max=2,
            backoff_jitter=0.1,
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self._retrying = _session(
            headers,
            concurrency,
            _Retry(
                total=retries,
                connect=connects,
                read=retries,
                status=retries,
                other=0,
                allowed_methods=IDEMPOTENT_METHODS | {"POST"},
                status_forcelist=RETRY_STATUSES,
                **common,
            ),
        )
        self._connect_only = _session(
            headers,
            concurrency,
            _Retry(
                total=retries,
                connect=connects,
                read=0,
                status=0,
                other=0,
                allowed_methods=IDEMPOTENT_METHODS,
                status_forcelist=(),
                **common,
            ),
        )

    def redact(self, text: object) -> str:
        """``str(text)`` with this transport's key (and anything key-shaped) masked."""
        return redact(text, [self._api_key])

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        base_url: str | None = None,
        data: object = None,
        files: Mapping[str, object] | None = None,
        authenticate: bool = True,
    ) -> requests.Response:
        """Send ``method`` to ``base_url + path``; return the 2xx response, or raise the matching error.

        ``data``/``files`` send a raw or multipart body instead of ``json``; ``authenticate=False`` leaves the
        API key and brand header off (a presigned upload URL, which must not receive the key)."""
        method = method.upper()
        headers = dict(headers or {})
        if not authenticate:
            headers.update({"Authorization": None, "X-Brand-SID": None})  # None drops the session's header
        url = (base_url or self.base_url).rstrip("/") + path
        proxies = self._proxies_for(url)
        retry_safe = method != "POST" or "Idempotency-Key" in headers
        session = self._retrying if retry_safe else self._connect_only
        throttled_since: float | None = None
        attempt = 0
        while True:
            started = time.monotonic()
            failure = None
            try:
                with self.limiter.slot():
                    response = session.request(
                        method,
                        url,
                        params=params,
                        json=json,
                        data=data,
                        files=files,
                        headers=headers,
                        proxies=proxies,
                        timeout=self.timeout,
                    )
            except requests.RequestException as exc:
                failure = self._describe(exc, url)
            if failure is not None:
                # Raised here, outside the ``except``: no __cause__ or __context__ links the error to requests'
                # exception, whose frames and prepared request hold the Authorization header.
                error_class, text = failure
                logger.debug("%s %s failed: %s", method, path, text)
                raise error_class(message=text, method=method, path=path)
            status = response.status_code
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s %s %s -> %s in %.0f ms",
                    method,
                    path,
                    self.redact(dict(params or {})),
                    status,
                    (time.monotonic() - started) * 1000,
                )
            if status != 429:
                if status >= 400:
                    error = self._error(response, method, path)
                    del response  # a traceback's frames keep no response: its .request holds the Authorization
                    raise error
                self.limiter.succeeded()  # only a success earns concurrency back
                return response
            hint = retry_after_seconds(response.headers.get("Retry-After"))
            delay = hint if hint else backoff_delay(attempt)  # an absent or zero hint: back off anyway
            attempt += 1
            now = time.monotonic()
            throttled_since = throttled_since if throttled_since is not None else now
            if now - throttled_since + delay > self.max_wait:  # giving up: later calls are not held back by it
                error = self._error(response, method, path, waited=now - throttled_since, retry_after=hint)
                del response
                raise error
            self.limiter.throttled(delay)
            logger.info(
                "%s %s rate limited (429): pausing %.2f s, concurrency now %d", method, path, delay, self.limiter.limit
            )

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment names for ``url``'s host (none when ``NO_PROXY`` exempts it), as requests
        would find them on every request; looked up once per host."""
        parts = urlsplit(url)
        found = self._proxies.get((parts.scheme, parts.netloc))
        if found is None:
            found = self._proxies[parts.scheme, parts.netloc] = requests.utils.get_environ_proxies(url)
        return found

    def _describe(self, exc: requests.RequestException, url: str) -> tuple[type[TransportError], str]:
        """The error class and one redacted sentence for a request that got no HTTP response."""
        where = urlsplit(url).netloc
        reason = getattr(exc.args[0], "reason", None) if exc.args else None  # what urllib3's retries ran out on
        timed_out = (
            isinstance(reason, urllib3_exceptions.TimeoutError)  # urllib3 files a refused connect under
            and not isinstance(reason, urllib3_exceptions.NewConnectionError)
        )  # timeouts: it is not one
        if isinstance(exc, requests.Timeout) or timed_out:
            return RequestTimeoutError, f"no response from {where} within {self.timeout:g} s"
        if isinstance(exc, requests.ConnectionError):
            reason = "connection refused" if "refused" in str(exc).lower() else "connection failed"
            return ConnectionFailedError, f"could not reach {where}: {reason}"
        return TransportError, self.redact(f"{type(exc).__name__}: {exc}")

    def _error(
        self,
        response: requests.Response,
        method: str,
        path: str,
        *,
        waited: float | None = None,
        retry_after: float | None = None,
    ) -> NitrosendError:
        status = response.status_code
        try:
            body = json.loads(self.redact(response.text))  # the key never survives, whatever field echoes it
        except ValueError:
            body = None
        if isinstance(body, dict):
            message = str(body.get("message") or response.reason or "")
            code = body.get("code", status)
            validation = body.get("validation_errors") or None
            error_code = body.get("error_code") or (code if isinstance(code, str) else None)  # today: code is it
        else:
            message, code, validation, error_code = response.reason or f"HTTP {status}", status, None, None
        fields = dict(
            status=status,
            code=code,
            message=message,
            validation_errors=validation if isinstance(validation, dict) else None,
            method=method,
            path=path,
            error_code=error_code,
            retried=_was_retried(response),
            request_id=response.headers.get("X-Request-Id"),
        )
        if status == 429:
            fields["message"] += f" (gave up after waiting {waited or 0:.1f} s; max_wait={self.max_wait:g} s)"
            return RateLimitError(**fields, retry_after=retry_after)
        return error_for_status(status)(**fields)

    def close(self) -> None:
        """Close both connection pools."""
        self._retrying.close()
        self._connect_only.close()
