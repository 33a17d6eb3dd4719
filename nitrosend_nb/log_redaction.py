"""One logging filter that masks API keys (``nskey_...`` strings and ``Bearer`` tokens) in every record of the
loggers the project drives: its own (``nitrosend_nb``) and urllib3's, whose DEBUG lines quote request URLs (a
key pasted into a search would otherwise be logged in clear).

A filter on a logger sees only records logged on that very logger (not those propagated from its children), so it
is installed on each of urllib3's module loggers by name."""

from __future__ import annotations

import logging

from nitrosend_nb.redaction import redact

__all__ = ["RedactingFilter", "REDACTED_LOGGERS", "install"]

REDACTED_LOGGERS = (
    "nitrosend_nb",
    "urllib3",
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with keys masked (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Put the filter on every logger of :data:`REDACTED_LOGGERS` (once; calling again changes nothing)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
