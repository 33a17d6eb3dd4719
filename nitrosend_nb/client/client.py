"""The ``Nitrosend`` client: one transport, one resource object per endpoint group, sandbox helpers."""

from __future__ import annotations

import pandas as pd

from nitrosend_nb.client.frames import OUTBOX, to_frame
from nitrosend_nb.client.resources import (
    Account,
    Campaigns,
    Contacts,
    Flows,
    Imports,
    Lists,
    Messages,
    Segments,
    Templates,
    Webhooks,
)
from nitrosend_nb.client.transport import Transport
from nitrosend_nb.errors import NitrosendError, mask

__all__ = ["Nitrosend", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://api.nitrosend.com/v1/my"


class Nitrosend:
    """A connection to the Nitrosend API (or a sandbox of it). Usually made by :func:`nitrosend_nb.connect`.

    Endpoint groups: ``account``, ``messages``, ``campaigns``, ``contacts``, ``lists``, ``templates``,
    ``flows``, ``segments``, ``imports``, ``webhooks``. ``mode`` is ``"sandbox"`` when ``sandbox_root`` (the
    sandbox server's root URL, which enables :meth:`outbox`) is given, ``"live"`` otherwise. ``max_wait`` is how
    long one request may wait out 429s before RateLimitError; ``retries`` bounds retries of 5xx and connection
    failures.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        brand_sid: str | None = None,
        concurrency: int = 4,
        timeout: float = 30,
        progress: bool = True,
        max_wait: float = 60,
        retries: int = 8,
        sandbox_root: str | None = None,
    ) -> None:
        api_key = (api_key or "").strip()  # a key read from a file or env var often ends in a newline
        if not api_key:
            raise ValueError("an API key is required (nitrosend_nb.connect() finds one for you)")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.progress = progress
        self.brand_sid = brand_sid
        self._sandbox_root = sandbox_root.rstrip("/") if sandbox_root else None
        self._key_hint = mask(api_key)
        self._transport = Transport(self.base_url, api_key, brand_sid=brand_sid, timeout=timeout,
                                    concurrency=concurrency, max_wait=max_wait, retries=retries)
        self.account = Account(self)
        self.messages = Messages(self)
        self.campaigns = Campaigns(self)
        self.contacts = Contacts(self)
        self.lists = Lists(self)
        self.templates = Templates(self)
        self.flows = Flows(self)
        self.segments = Segments(self)
        self.imports = Imports(self)
        self.webhooks = Webhooks(self)

    @property
    def mode(self) -> str:
        """``"sandbox"`` or ``"live"``."""
        return "sandbox" if self._sandbox_root else "live"

    def __repr__(self) -> str:
        brand = f" brand_sid={self.brand_sid!r}" if self.brand_sid else ""
        return f"<Nitrosend mode={self.mode!r} base_url={self.base_url!r} key={self._key_hint!r}{brand}>"

    def outbox(self) -> pd.DataFrame:
        """The sandbox's captured emails, oldest first (index ``id``; ``kind``: transactional, test, campaign).

        Sandbox mode only: a live account has no outbox.
        """
        if self._sandbox_root is None:
            raise NitrosendError(message="outbox() is only available in sandbox mode: live emails are really "
                                         "sent, not captured", method="GET", path="/_sandbox/outbox")
        response = self._transport.request("GET", "/_sandbox/outbox", base_url=self._sandbox_root)
        return to_frame(response.json(), OUTBOX)

    def close(self) -> None:
        """Close the connection pools."""
        self._transport.close()

    def __enter__(self) -> Nitrosend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Widgets: imported lazily so the client never pulls in ipywidgets.

    def template_composer(self, template_id: int | None = None):
        """A TemplateComposer widget (edit, preview and test-send a template)."""
        from nitrosend_nb.widgets import TemplateComposer

        return TemplateComposer(self, template_id=template_id)

    def message_composer(self):
        """A MessageComposer widget (compose and send one transactional message)."""
        from nitrosend_nb.widgets import MessageComposer

        return MessageComposer(self)

    def campaign_launcher(self, campaign_id: int):
        """A CampaignLauncher widget (pick an audience and send campaign ``campaign_id``)."""
        from nitrosend_nb.widgets import CampaignLauncher

        return CampaignLauncher(self, campaign_id)

    def contact_explorer(self):
        """A ContactExplorer widget (search and filter contacts)."""
        from nitrosend_nb.widgets import ContactExplorer

        return ContactExplorer(self)

    def contact_importer(self, df: pd.DataFrame | None = None):
        """A ContactImporter widget (upload a CSV or import ``df``, pick lists, dry run, see failed rows)."""
        from nitrosend_nb.widgets import ContactImporter

        return ContactImporter(self, df=df)

    def outbox_viewer(self):
        """An OutboxViewer widget (browse the sandbox's captured emails)."""
        from nitrosend_nb.widgets import OutboxViewer

        return OutboxViewer(self)
