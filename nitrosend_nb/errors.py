"""The one error hierarchy of nitrosend-nb, and the redaction that keeps API keys out of what users see.

Every failed call raises a subclass of :class:`NitrosendError`. ``str(err)`` is one readable line naming the
call, the status and each field's message, e.g.::

    POST /contacts -> 422 Validation failed: email: is invalid; first_name: is too long

The status decides the class (401 AuthenticationError, 404 NotFoundError, 409 ConflictError, 422
ValidationError, 429 RateLimitError, 5xx ServerError); no HTTP response at all (refused connection, timeout)
is a TransportError. Messages are redacted: nothing that looks like a Nitrosend key survives.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

__all__ = [
    "NitrosendError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "WebhookVerificationError",
    "error_for_status",
    "redact",
]

_KEY_PATTERN = re.compile(r"nskey_(live|test)_\w+")


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """Return ``str(text)`` with every Nitrosend key (``nskey_live_...``/``nskey_test_...``) and every string
    in ``secrets`` replaced by a placeholder that keeps at most the last 4 characters."""
    result = str(text)
    for secret in secrets:
        if secret:
            result = result.replace(secret, mask(secret))
    return _KEY_PATTERN.sub(lambda m: mask(m.group(0)), result)


def mask(secret: str) -> str:
    """Show a secret as ``****`` plus its last 4 characters when at least 12 secret characters (after any
    ``nskey_live_``/``nskey_test_`` prefix) remain hidden, else ``****`` alone."""
    core = re.sub(r"^nskey_(live|test)_", "", secret)
    return "****" + core[-4:] if len(core) >= 16 else "****"


class NitrosendError(Exception):
    """Base class of every error raised by nitrosend-nb.

    Attributes: ``status`` (HTTP status or None), ``code`` (the body's ``code``), ``error_code`` (the body's
    machine-readable ``error_code`` such as ``"campaign_locked"``, or None), ``message`` (redacted),
    ``validation_errors`` (``{field: [message, ...]}``), ``method`` and ``path`` of the call.
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
        super().__init__(self._line())

    @property
    def call(self) -> str:
        """The call that failed, e.g. ``"POST /contacts"`` (empty when unknown)."""
        return " ".join(part for part in (self.method, self.path) if part)

    def _line(self) -> str:
        outcome = f"{self.status} {self.message}".strip() if self.status else self.message
        line = f"{self.call} -> {outcome}" if self.call else outcome
        details = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in self.validation_errors.items())
        already_said = all(f"{field} {m}" in line for field, msgs in self.validation_errors.items() for m in msgs)
        if details and not already_said:  # servers that spell the fields out in `message` are not repeated
            line = f"{line}: {details}" if line else details
        return line

    def __str__(self) -> str:
        return self._line()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._line()!r})"

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


class AuthenticationError(NitrosendError):
    """401: the API key is missing, wrong or revoked."""


class NotFoundError(NitrosendError):
    """404: no such resource (or not visible to this key/brand)."""


class ConflictError(NitrosendError):
    """409: e.g. an idempotency key reused with a different payload, or a stale ``updated_at`` on a flow."""


class ValidationError(NitrosendError):
    """422: the request was understood but its fields were rejected; see ``validation_errors``."""


class RateLimitError(NitrosendError):
    """429 still answered after the client's wait budget was spent; ``retry_after`` is the server's last hint."""

    def __init__(self, *args, retry_after: float | None = None, **kwargs) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(NitrosendError):
    """5xx still answered after the transport's retries (or on a request that could not be retried safely)."""


class TransportError(NitrosendError):
    """No HTTP response: refused connection, DNS failure, timeout, broken connection."""


class WebhookVerificationError(NitrosendError):
    """A received webhook failed verification: missing headers, a signature the secret does not produce, or a
    timestamp outside the 5-minute tolerance (a replay, or a clock that is off). The event must be refused."""


_BY_STATUS: dict[int, type[NitrosendError]] = {
    401: AuthenticationError,
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
