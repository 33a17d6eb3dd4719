"""What a retried write really did. When a write's response is lost (a 5xx after processing, a broken connection)
the transport retries it, and the retry's answer describes the state the *first* attempt left: a DELETE finds
nothing to delete (404), a flow PATCH carrying ``updated_at`` finds the record already changed (409). These
helpers tell such an answer from a real failure, so the client reports success for what succeeded."""

from __future__ import annotations

from collections.abc import Mapping

from nitrosend_nb.errors import ConflictError, NitrosendError, NotFoundError

CONCURRENCY_TOKENS = frozenset({"updated_at"})  # sent to guard a change, not part of it


def deleted_by_earlier_attempt(error: NitrosendError) -> bool:
    """A 404 answering a retried DELETE: the attempt whose response was lost deleted the record."""
    return isinstance(error, NotFoundError) and error.retried


def may_be_applied_already(error: NitrosendError) -> bool:
    """A 409 answering a retried PATCH: worth checking whether the record already holds the change."""
    return isinstance(error, ConflictError) and error.retried


def holds_changes(record: Mapping, changes: Mapping) -> bool:
    """Whether ``record`` already holds every field of ``changes`` (concurrency tokens aside); nested objects
    match when each field sent matches (the server may add fields), lists element by element."""
    return all(_holds(record.get(name), value) for name, value in changes.items() if name not in CONCURRENCY_TOKENS)


def _holds(current: object, wanted: object) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(current, Mapping) and all(_holds(current.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, (list, tuple)):
        return (
            isinstance(current, list)
            and len(current) == len(wanted)
            and all(_holds(c, w) for c, w in zip(current, wanted, strict=True))
        )
    return current == wanted
