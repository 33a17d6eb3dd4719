"""``ns.inbox``: the sandbox's captured emails over its JSON inbox API (search, one email, source, checks), and
simulated replies to them (``POST /_sandbox/inbound``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import requests

from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.pagination import HeaderPageNumberPaginator, Page, json_body
from nitrosend_nb.email_checks import probe_sandbox
from nitrosend_nb.errors import NitrosendError
from nitrosend_nb.rendering.context import local_pictures

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["Inbox"]

PATH = "/_sandbox/messages"
INBOUND_PATH = "/_sandbox/inbound"
_PAGES = HeaderPageNumberPaginator()


class Inbox:
    """Read the sandbox inbox; in live mode every call raises (a live account delivers real email).

    Requests go through the client's public :meth:`~nitrosend_nb.Nitrosend.request`, aimed at the sandbox root.
    """

    def __init__(self, client: Nitrosend, sandbox_root: str | None) -> None:
        self._client, self._root = client, sandbox_root

    def _request(
        self, method: str, path: str, *, params: Mapping[str, object] | None = None, json: object = None
    ) -> requests.Response:
        if self._root is None:
            raise NitrosendError(
                message="the inbox exists only in sandbox mode: live emails are really sent, not captured",
                method=method,
                path=path,
            )
        return self._client.request(method, path, params=params, json=json, base_url=self._root)

    def search(self, query: str = "", page: int = 1, limit: int = 25) -> Page:
        """One page of the emails matching ``query`` (the inbox's search grammar), newest first."""
        return _PAGES.fetch(self._request, PATH, {"query": query}, page, limit)

    def get(self, ident: int) -> dict:
        """One email: HTML, text, headers, the merge context used and the API records it belongs to."""
        return json_body(self._request("GET", f"{PATH}/{valid_id(ident)}"))

    def source(self, ident: int) -> bytes:
        """The email's raw RFC 5322 source (an ``.eml``)."""
        return self._request("GET", f"{PATH}/{valid_id(ident)}/source").content

    def checks(self, ident: int) -> dict:
        """Link, image, List-Unsubscribe and compatibility checks of one email."""
        return json_body(self._request("GET", f"{PATH}/{valid_id(ident)}/checks"))

    def latest(self) -> dict:
        """``{"latest_id", "total"}``: changes whenever an email is captured or the outbox is cleared."""
        return json_body(self._request("GET", f"{PATH}/latest"))

    def reply(
        self,
        message_id: int,
        text: str | None = None,
        *,
        html: str | None = None,
        sender: str | None = None,
        subject: str | None = None,
        auto_submitted: bool = False,
        attachments: Sequence[Mapping[str, object]] = (),
    ) -> dict:
        """Simulate the recipient of message ``message_id`` (the API's message id, as ``ns.messages`` and webhook
        events name it) replying: the reply reaches the brand's inbox, is threaded under the email in the inbox
        page, and fires an ``email.received`` webhook event. ``sender`` defaults to the message's recipient,
        ``subject`` to "Re: " its subject; ``attachments`` are ``{filename, content_type, size}`` (declared, not
        sent). Returns the stored reply (``conversation_id``, ``conversation_message_id``...)."""
        body = {
            "message_id": valid_id(message_id, "message_id"),
            "text": text,
            "html": html,
            "subject": subject,
            "auto_submitted": auto_submitted,
            "attachments": [dict(item) for item in attachments],
            **({"from": sender} if sender else {}),
        }
        return json_body(self._request("POST", INBOUND_PATH, json=body))

    def local_pictures(self, html: str | None) -> str:
        """``html`` as a browser shows it beside this sandbox: its pictures at the sandbox's stand-in host fetched
        from the sandbox (see :func:`~nitrosend_nb.rendering.context.local_pictures`); as it is in live mode."""
        return local_pictures(html or "", self._root) if self._root else html or ""

    def probe(self, url: str) -> int | None:
        """Fetch a sandbox-served link (see :func:`nitrosend_nb.email_checks.probe_sandbox`); None in live mode."""
        return probe_sandbox(self._root, url) if self._root else None
