"""``ns.inbox``: the sandbox's captured emails over its JSON inbox API (search, one email, source, checks)."""

from __future__ import annotations

from nitrosend_nb.client.pagination import Page
from nitrosend_nb.client.transport import Transport
from nitrosend_nb.email_checks import probe_sandbox
from nitrosend_nb.errors import NitrosendError

__all__ = ["Inbox"]

PATH = "/_sandbox/messages"


class Inbox:
    """Read the sandbox inbox; in live mode every call raises (a live account delivers real email)."""

    def __init__(self, transport: Transport, sandbox_root: str | None):
        self._transport, self._root = transport, sandbox_root

    def _get(self, path: str, **params: object):
        if self._root is None:
            raise NitrosendError(message="the inbox exists only in sandbox mode: live emails are really sent, not "
                                         "captured", method="GET", path=path)
        return self._transport.request("GET", path, params=params or None, base_url=self._root)

    def search(self, query: str = "", page: int = 1, limit: int = 25) -> Page:
        """One page of the emails matching ``query`` (the inbox's search grammar), newest first."""
        response = self._get(PATH, query=query, page=page, limit=limit)
        return Page.from_response(response, page=page, limit=limit)

    def get(self, ident: int) -> dict:
        """One email: HTML, text, headers, the merge context used and the API records it belongs to."""
        return self._get(f"{PATH}/{int(ident)}").json()

    def source(self, ident: int) -> bytes:
        """The email's raw RFC 5322 source (an ``.eml``)."""
        return self._get(f"{PATH}/{int(ident)}/source").content

    def checks(self, ident: int) -> dict:
        """Link, image, List-Unsubscribe and compatibility checks of one email."""
        return self._get(f"{PATH}/{int(ident)}/checks").json()

    def latest(self) -> dict:
        """``{"latest_id", "total"}``: changes whenever an email is captured or the outbox is cleared."""
        return self._get(f"{PATH}/latest").json()

    def probe(self, url: str) -> int | None:
        """Fetch a sandbox-served link (see :func:`nitrosend_nb.email_checks.probe_sandbox`); None in live mode."""
        return probe_sandbox(self._root, url) if self._root else None
