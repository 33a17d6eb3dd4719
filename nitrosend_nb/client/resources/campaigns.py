"""Campaigns: ``/campaigns`` plus send."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

from nitrosend_nb.client.frames import CAMPAIGNS
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource


class Campaigns(Resource):
    """Email/SMS campaigns (status draft, active, paused, completed)."""

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
        ``template_fields`` (``subject``, ``body``, ``preheader``, ``from_name``, ``from_email``,
        ``reply_to``, ``design``) update the content in the same request. Returns the campaign.

        Not retried on a 5xx (the API takes no idempotency key here): on ServerError, check the
        campaign's ``status``/``sent_count`` before sending again.
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
        return self._call("POST", f"/{valid_id(id)}/send", json=payload)
