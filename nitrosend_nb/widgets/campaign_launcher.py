"""CampaignLauncher: pick a campaign's audience, see its size, send a test, and launch it (guarded in live mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import errors
from ..client.resources.campaigns import SENDABLE
from ..client.resources.templates import CONTENT_FIELDS
from . import html as markup
from .base import Form
from .form import FieldErrors, hidden, labelled, text_input
from .guard import idempotency_key
from .validation import check, parse_address_list

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["CampaignLauncher"]

NO_SEGMENT = "(no segment)"


def is_sent(campaign: dict[str, Any]) -> bool:
    """True when the campaign already went out (live or completed, its content no longer ``editable``)."""
    return (
        campaign.get("status") in ("live", "completed")
        or campaign.get("editable") is False
        or bool(campaign.get("sent_count"))
    )


def launchable(campaign: dict[str, Any]) -> bool:
    """True when the campaign can be sent: a draft, scheduled or paused campaign that has not gone out."""
    return campaign.get("status") in SENDABLE and not is_sent(campaign)


def why_not_launchable(campaign: dict[str, Any]) -> str:
    """The sentence explaining why ``campaign`` cannot be launched."""
    if is_sent(campaign):
        return "This campaign was already sent; it cannot be launched again."
    return (
        f"This campaign is {campaign.get('status')}; only a draft, scheduled or paused campaign can be launched "
        "(duplicate it with ns.campaigns.duplicate to send it again)."
    )


class CampaignLauncher(Form):
    """Launch campaign ``campaign_id``: summary, audience picker with live size, test send and a guarded launch.

    Parts: ``summary``, ``lists`` (SelectMultiple), ``segment`` (Dropdown), ``all_contacts`` (Checkbox),
    ``audience_size``, ``recipients`` + ``test_button``, ``confirm_name`` (live mode: type the campaign's exact
    name to enable launch), ``launch_button``, ``status``. Only a draft, scheduled or paused campaign that has not gone
    out can be launched; a test send goes through ``POST /campaigns/{id}/send_test``.
    """

    def __init__(self, client: Nitrosend, campaign_id: int) -> None:
        super().__init__(client)
        self.campaign_id = campaign_id
        self.campaign: dict[str, Any] | None = None
        self._segments: dict[int, dict] = {}
        self._list_sizes: dict[int, int] = {}
        self._total_contacts: int | None = None
        self._audience_count: int | None = None
        self._updating = False

        self.summary = widgets.HTML()
        self.lists = labelled(widgets.SelectMultiple, "Lists", options=[], rows=6)
        self.segment = labelled(widgets.Dropdown, "Segment", options=[(NO_SEGMENT, None)])
        self.all_contacts = widgets.Checkbox(description="Send to all contacts", indent=False)
        self.audience_size = widgets.HTML()
        self.recipients = labelled(
            widgets.Text,
            "Recipients",
            full_width=False,
            placeholder="test addresses, comma-separated (empty: account test recipients)",
        )
        self.recipients.layout.flex = "1 1 auto"
        self.test_button = widgets.Button(description="Send test", icon="paper-plane")
        self.confirm_name = text_input("Confirm name", "type the campaign's exact name to enable Launch")
        self.launch_button = widgets.Button(
            description="Launch campaign", button_style="danger", icon="rocket", layout=widgets.Layout(width="auto")
        )

        self.errors = FieldErrors(
            {"audience": self.audience_size, "recipients": self.recipients, "confirm_name": self.confirm_name},
            aliases={
                "email": "recipients",
                "emails": "recipients",
                "trigger_attributes.contact_list_ids": "audience",
                "trigger_attributes.segment_id": "audience",
                "confirm_send_to_all": "audience",
            },
        )

        self._lay_out(
            self.summary,
            self.lists,
            self.segment,
            self.all_contacts,
            self.errors.row("audience"),
            widgets.HBox([self.recipients, self.test_button]),
            self.errors.labels["recipients"],
            self.errors.row("confirm_name"),
            self.launch_button,
            self.status,
        )
        if not self.live:
            hidden(self.confirm_name)

        self.lists.observe(self._on_lists, names="value")
        self.segment.observe(self._on_segment, names="value")
        self.all_contacts.observe(self._on_all_contacts, names="value")
        self.confirm_name.observe(lambda change: self._sync(), names="value")
        self._guard({self.test_button: self.send_test, self.launch_button: self.launch}, settle=self._sync)

        self._load()
        self._sync()

    def __repr__(self) -> str:
        status = (self.campaign or {}).get("status", "unavailable")
        return f"<CampaignLauncher campaign_id={self.campaign_id} status={status}>"

    @property
    def locked(self) -> bool:
        """True when the campaign cannot be launched: unknown, already sent, cancelled or archived."""
        return self.campaign is None or not launchable(self.campaign)

    # ----------------------------------------------------------------- loading
    def _load(self) -> None:
        loaded = self._call(self._read, on_error=lambda exc: self._show_summary())
        if loaded is None:
            return
        contact_lists, segments = loaded
        self._list_sizes = {item["id"]: int(item.get("contacts_count") or 0) for item in contact_lists}
        self.lists.options = [
            (f"{item['name']} ({self._list_sizes[item['id']]:,})", item["id"]) for item in contact_lists
        ]
        self._segments = {segment["id"]: segment for segment in segments}
        self.segment.options = [(NO_SEGMENT, None)] + [(segment["name"], segment["id"]) for segment in segments]
        self._show_summary()
        self._show_audience()
        if not launchable(self.campaign):
            self.status.info(why_not_launchable(self.campaign))

    def _read(self) -> tuple[list[dict], list[dict]]:
        """Read the campaign (into ``campaign``) and return the account's lists and segments."""
        self.campaign = self.client.campaigns.get(self.campaign_id)
        return list(self.client.lists.iter(progress=False)), list(self.client.segments.iter(progress=False))

    def _show_summary(self) -> None:
        if self.campaign is None:
            self.summary.value = f"<h3>{markup.text(f'Campaign #{self.campaign_id}: not available')}</h3>"
            return
        campaign = self.campaign
        template = campaign.get("template") or {}
        rows = [
            ("Status", campaign.get("status")),
            ("Approval", campaign.get("approval_state") or "unknown"),
            ("Sent", f"{int(campaign.get('sent_count') or 0):,}"),
            ("Subject", template.get("subject") or "(no subject)"),
            ("Channel", campaign.get("channel")),
        ]
        if launchable(campaign):
            banner = ""
        else:
            reason = "Already sent" if is_sent(campaign) else f"{str(campaign.get('status')).capitalize()}"
            banner = markup.block(markup.text(f"{reason}: launch is disabled.", "warn", bold=True), "warn")
        self.summary.value = (
            f"<h3>{markup.text(campaign.get('name') or '')} <small>#{campaign['id']}</small></h3>"
            f"{markup.key_values(rows)}{banner}"
        )

    # ----------------------------------------------------------------- audience
    def audience(self) -> dict[str, Any]:
        """The chosen audience as ``campaigns.send`` arguments (empty when nothing is chosen)."""
        if self.all_contacts.value:
            return {"all_contacts": True}
        if self.segment.value is not None:
            return {"segment": self.segment.value}
        if self.lists.value:
            return {"lists": sorted(self.lists.value)}
        return {}

    def _on_lists(self, change: dict) -> None:
        if change["new"] and not self._updating:
            self._updating = True
            self.segment.value = None
            self._updating = False
        self._show_audience()

    def _on_segment(self, change: dict) -> None:
        if change["new"] is not None and not self._updating:
            self._updating = True
            self.lists.value = ()
            self._updating = False
        self._show_audience()

    def _on_all_contacts(self, change: dict) -> None:
        self.lists.disabled = self.segment.disabled = bool(change["new"])
        self._show_audience()

    def _show_audience(self) -> None:
        if self._updating:
            return
        chosen = self.audience()
        self._audience_count = None
        if not chosen:
            text = "none chosen: pick lists, a segment or all contacts"
        else:
            described = self._call(lambda: self._count(chosen))
            text = (
                "size unknown (see the status below)"
                if described is None
                else f"{self._audience_count:,} contact(s) ({described}; only subscribed contacts receive it)"
            )
        self.audience_size.value = markup.text("Audience:", bold=True) + " " + markup.text(text)
        self._sync()

    def _count(self, chosen: dict[str, Any]) -> str:
        """Count the ``chosen`` audience into ``_audience_count``; return how to describe it."""
        if "all_contacts" in chosen:
            if self._total_contacts is None:
                self._total_contacts = self.client.contacts.list(limit=1).total
            self._audience_count = self._total_contacts
            return "all contacts"
        if "segment" in chosen:
            segment = self._segments[chosen["segment"]]
            self._audience_count = self.client.segments.count(segment.get("filters") or [])
            return f"segment \u201c{segment['name']}\u201d"
        self._audience_count = sum(self._list_sizes[list_id] for list_id in chosen["lists"])
        return f"{len(chosen['lists'])} list(s); a contact on several lists gets one e-mail"

    def _sync(self) -> None:
        """Enable exactly the buttons that can act now."""
        if self.guard.in_flight:
            return
        name_ok = not self.live or (self.campaign is not None and self.confirm_name.value == self.campaign.get("name"))
        self.launch_button.disabled = self.locked or not self.audience() or not name_ok
        self.test_button.disabled = (
            self.campaign is None
            or self.campaign.get("channel") != "email"
            or not (self.campaign.get("template") or {}).get("id")
        )
        for part in (self.lists, self.segment, self.all_contacts, self.confirm_name):
            if self.locked:
                part.disabled = True

    # ----------------------------------------------------------------- actions
    def send_test(self) -> dict | None:
        """Send a test of the campaign's content to the recipients (or the brand's test recipients)."""
        problems: dict[str, str] = {}
        recipients = check(problems, "recipients", parse_address_list, self.recipients.value)
        if problems:
            self.errors.show(problems)
            self.status.error("No test was sent: fix the recipients.")
            return None
        self.status.info("Sending test\u2026")
        campaign = self._call(lambda: self.client.campaigns.get(self.campaign_id), beside_fields=True)
        if campaign is None:
            return None
        template = campaign.get("template") or {}  # edits since the launcher opened count
        content = {k: template.get(k) for k in (*CONTENT_FIELDS, "updated_at")}
        key = idempotency_key(
            f"POST /campaigns/{self.campaign_id}/send_test",
            {"send": {"email": recipients or None}, "template": content},
        )
        return self._send_test(
            key,
            "the campaign",
            lambda: self.client.campaigns.send_test(self.campaign_id, email=recipients or None, idempotency_key=key),
        )

    def launch(self) -> dict | None:
        """Send the campaign to the chosen audience (live mode: only once its exact name was typed)."""
        if self.locked:
            self.status.error(why_not_launchable(self.campaign) if self.campaign else "This campaign is not available.")
            return None
        chosen = self.audience()
        if not chosen:
            self.errors.set(
                "audience", "Choose lists, a segment or all contacts: a campaign never goes to everyone by default."
            )
            self.status.error("Nothing was sent: no audience chosen.")
            return None
        if self.live and self.confirm_name.value != self.campaign.get("name"):
            self.errors.set(
                "confirm_name",
                f"Type the campaign's exact name, {self.campaign.get('name')!r}, to launch it on the live account.",
            )
            self.status.error("Nothing was sent: the campaign name was not confirmed.")
            return None
        self.status.info(f"Launching to {self._audience_count or 0:,} contact(s)\u2026")
        result = self._call(
            lambda: self.client.campaigns.send(self.campaign_id, **chosen),
            beside_fields=True,
            on_error=lambda exc: self._reconcile(),
        )
        if result is None:
            return None
        self.campaign = {**self.campaign, **result}
        self._show_summary()
        self.status.success(
            f"Launched: status {result.get('status')}, {int(result.get('sent_count') or 0):,} e-mail(s) sent."
        )
        return result

    def _reconcile(self) -> None:
        """After a failed launch, re-read the campaign: a lost response may hide a launch that happened."""
        try:
            campaign = self.client.campaigns.get(self.campaign_id)
        except errors.NitrosendError:
            return
        self.campaign = campaign
        self._show_summary()
        if is_sent(campaign):
            self.status.error(
                f"The response was lost, but the campaign did go out: status {campaign.get('status')},"
                f" {int(campaign.get('sent_count') or 0):,} e-mail(s) sent. It will not be sent again."
            )
