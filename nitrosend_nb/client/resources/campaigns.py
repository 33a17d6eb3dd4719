"""Campaigns: ``/campaigns`` plus send, send_test and duplicate."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

from nitrosend_nb.client.frames import CAMPAIGNS
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.resources.testsend import SendsTests

#: Campaign statuses, in their life-cycle order.
STATUSES = ("draft", "scheduled", "live", "paused", "completed", "cancelled", "archived")
#: The statuses :meth:`Campaigns.send` accepts (the others are sent, stopped or filed away: duplicate them).
SENDABLE = ("draft", "scheduled", "paused")
APPROVAL_STATES = ("pending_review", "approved", "rejected")


class Campaigns(SendsTests, Resource):
    """Email/SMS campaigns. ``status`` is one of :data:`STATUSES`: setting ``scheduled_at`` schedules a draft,
    sending makes it ``live`` and then ``completed`` (``editable`` turns False: content is locked); PATCH
    ``status`` pauses, cancels or archives. ``approval_state`` is pending_review, approved or rejected."""

    path = "/campaigns"
    label = "campaigns"
    schema = CAMPAIGNS

    def send(
        self,
        id: int,
        lists: int | Iterable[int] | None = None,
        segment: int | None = None,
        all_contacts: bool = False,
        **template_fields: object,
    ) -> dict:
        """Send campaign ``id`` to ``lists`` (ids) and/or a ``segment`` (id), or to every contact when
        ``all_contacts=True`` (sent as the API's explicit ``confirm_send_to_all`` guard). Without any of
        them, the campaign's saved audience is used; the API refuses a campaign with no audience.
        ``template_fields`` (any of :data:`~nitrosend_nb.client.resources.templates.CONTENT_FIELDS`) update the
        content in the same request. Returns the campaign.

        Only a draft, scheduled or paused campaign can be sent. Not retried on a 5xx (the API takes no
        idempotency key here): on ServerError, check the campaign's ``status``/``sent_count`` before sending again.
        """
        if all_contacts and (lists is not None or segment is not None):
            raise ValueError("choose an audience: lists/segment, or all_contacts=True, not both")
        trigger: dict[str, object] = {}
        if lists is not None:
            ids = [lists] if isinstance(lists, (Integral, str)) else list(lists)
            trigger["contact_list_ids"] = [valid_id(i, "lists") for i in ids]
        if segment is not None:
            trigger["segment_id"] = valid_id(segment, "segment")
        payload: dict[str, object] = {}
        if trigger:
            payload["trigger_attributes"] = trigger
        if all_contacts:
            payload["confirm_send_to_all"] = True
        if template_fields:
            payload["template_attributes"] = template_fields
        return self._call("POST", f"{self._item(id)}/send", json=payload)

    def duplicate(self, id: int, cancel_source: bool = False, name: str | None = None) -> dict:
        """A new draft copy of campaign ``id`` (audience and content included; ``name`` defaults to
        "<name> (copy)"). ``cancel_source=True`` also cancels the original. Returns the new campaign."""
        payload: dict[str, object] = {"cancel_source": bool(cancel_source)}
        if name is not None:
            payload["name"] = name
        return self._call("POST", f"{self._item(id)}/duplicate", json=payload)
