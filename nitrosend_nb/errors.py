"""The one error hierarchy of nitrosend-nb.

Every failed call raises a subclass of :class:`NitrosendError`. ``str(err)`` is one readable line naming the
call, the status and each field's message, e.g.::

    POST /contacts -> 422 Validation failed: email is not a valid email address

The status decides the class (400 BadRequestError, 401 AuthenticationError, 402 PaymentRequiredError, 403
PermissionDeniedError, 404 NotFoundError, 409 ConflictError, 422 ValidationError, 429 RateLimitError, 5xx
ServerError); no HTTP response at all is a TransportError: a RequestTimeoutError (also a built-in TimeoutError)
when the server did not answer in time, a ConnectionFailedError (also a built-in ConnectionError) when it could not
be reached. Messages are redacted (:mod:`nitrosend_nb.redaction`): nothing that looks like a Nitrosend
key survives. ``repr(err)`` adds the server's request id (``X-Request-Id``) when the response carried one.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from nitrosend_nb.redaction import redact

__all__ = [
    "NitrosendError",
    "BadRequestError",
    "AuthenticationError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "WebhookVerificationError",
    "RequestTimeoutError",
    "ConnectionFailedError",
    "error_for_status",
]


class NitrosendError(Exception):
    """Base class of every error raised by nitrosend-nb.

    Attributes: ``status`` (the HTTP status, or None without a response), ``code`` (the body's ``code``: today's
    API sends a string machine code such as ``"not_found"`` or ``"campaign_locked"``, older servers an integer),
    ``error_code`` (the machine code as a string: the body's ``error_code``, else a string ``code``, else None),
    ``message`` (redacted),
    ``validation_errors`` (``{field: [message, ...]}``), ``method`` and ``path`` of the call, ``request_id``
    (the response's ``X-Request-Id``, to quote to support; None without one) and ``retried`` (True when this
    answer came to a retry: an earlier attempt may have done the work, its response lost).
    """

    def __init__(
        self,
        status: int | None = None,
        code: object = None,
        message: str = "",
        validation_errors: Mapping[str, object] | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        error_code: str | None = None,
        request_id: str | None = None,
        retried: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.message = redact(message)
        self.validation_errors = {
            redact(field): [redact(m) for m in (msgs if isinstance(msgs, (list, tuple)) else [msgs])]
            for field, msgs in (validation_errors or {}).items()
        }
        self.method = method
        self.path = redact(path) if path else path
        self.error_code = error_code
        self.request_id = redact(request_id) if request_id else None
        self.retried = retried
        super().__init__(self._line())

    @property
    def call(self) -> str:
        """The call that failed, e.g. ``"POST /contacts"`` (empty when unknown)."""
        return " ".join(part for part in (self.method, self.path) if part)

    def _line(self) -> str:
        outcome = f"{self.status} {self.message}".strip() if self.status else self.message
        line = f"{self.call} -> {outcome}" if self.call else outcome
        # What the message already spells out ("email is invalid") is not repeated: servers state all, some or none.
        unsaid = {
            field: [m for m in msgs if f"{field} {m}" not in line] for field, msgs in self.validation_errors.items()
        }
        details = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in unsaid.items() if msgs)
        if details:
            line = f"{line}: {details}" if line else details
        return line

    def __str__(self) -> str:
        return self._line()

    def __repr__(self) -> str:
        request_id = f", request_id={self.request_id!r}" if self.request_id else ""
        return f"{type(self).__name__}({self._line()!r}{request_id})"

    def _repr_html_(self) -> str:
        """A compact notebook rendering: class name, call, status, message and one bullet per field."""
        head = f"<b>{html.escape(type(self).__name__)}</b>"
        if self.call:
            head += f" <code>{html.escape(self.call)}</code>"
        if self.status:
            head += f" &rarr; <b>{self.status}</b>"
        body = f"<div>{html.escape(self.message)}</div>" if self.message else ""
        if self.validation_errors:
            items = "".join(
                f"<li><code>{html.escape(field)}</code>: {html.escape(', '.join(msgs))}</li>"
                for field, msgs in self.validation_errors.items()
            )
            body += f"<ul style='margin:4px 0'>{items}</ul>"
        return (
            "<div class='nitrosend-error' style='border-left:4px solid #d9534f;padding:6px 10px;"
            f"background:rgba(217,83,79,0.08)'>{head}{body}</div>"
        )


class BadRequestError(NitrosendError):
    """400: the request could not be read (malformed or too deeply nested JSON, a bad header)."""


class AuthenticationError(NitrosendError):
    """401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(NitrosendError):
    """402: the plan does not cover this (e.g. creating a brand beyond the plan's allowance)."""


class PermissionDeniedError(NitrosendError):
    """403: the key (or the request's origin) may not do this."""


class NotFoundError(NitrosendError):
    """404: no such resource (or not visible to this key/brand)."""


class ConflictError(NitrosendError):
    """409: e.g. an idempotency key reused with a different payload, or a stale ``updated_at`` on a flow."""


class ValidationError(NitrosendError):
    """422: the request was understood but its fields were rejected; see ``validation_errors``."""


class RateLimitError(NitrosendError):
    """429 still answered after the client's wait budget was spent; ``retry_after`` is the server's last hint."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(NitrosendError):
    """5xx still answered after the transport's retries (or on a request that could not be retried safely)."""


class TransportError(NitrosendError):
    """No HTTP response: refused connection, DNS failure, timeout, broken connection."""


class WebhookVerificationError(NitrosendError):
    """A received webhook failed verification: missing headers, a signature the secret does not produce, or a
    timestamp outside the 5-minute tolerance (a replay, or a clock that is off). The event must be refused."""


class RequestTimeoutError(TransportError, TimeoutError):
    """The server accepted the connection (or was being connected to) but did not answer within ``timeout``."""


class ConnectionFailedError(TransportError, ConnectionError):
    """The server could not be reached: connection refused, DNS failure, or the connection broke mid-request."""


_BY_STATUS: dict[int, type[NitrosendError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_for_status(status: int) -> type[NitrosendError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, NitrosendError)
