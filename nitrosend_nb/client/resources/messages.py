"""Transactional messages: ``/messages`` (send, list, get). Sent messages cannot be changed or deleted."""

from __future__ import annotations

from collections.abc import Mapping

from nitrosend_nb.client.filters import Choice, Day, Filters, Id
from nitrosend_nb.client.frames import MESSAGES
from nitrosend_nb.client.idempotency import new_idempotency_key
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource

#: Tag keys Nitrosend sets itself; a send naming one is refused.
RESERVED_TAGS = ("account_id", "brand_id", "message_id")


def check_tags(tags: object) -> dict:
    """``tags`` as the API takes them: an object of string, number or boolean values under non-blank keys, none of
    them reserved. ValueError naming the problem otherwise (before any request)."""
    if not isinstance(tags, Mapping):
        kind = "a list" if isinstance(tags, (list, tuple, set)) else type(tags).__name__
        raise ValueError(
            f"tags must be a dict {{key: str | int | float | bool}}, not {kind}; "
            "e.g. tags={'campaign': 'welcome', 'step': 1}"
        )
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"tags keys must be non-blank strings, got {key!r}")
        if key in RESERVED_TAGS:
            raise ValueError(f"tags key {key!r} is reserved ({', '.join(RESERVED_TAGS)} are set by Nitrosend)")
        if value is None or not isinstance(value, (str, int, float, bool)):
            raise ValueError(f"tags[{key!r}] must be a string, number or boolean, got {type(value).__name__}")
    return dict(tags)


class Messages(Resource):
    """Transactional, campaign, flow and test messages, e.g. ``ns.messages.df(campaign_id=13)`` (the filters:
    ``help(ns.messages.df)``)."""

    path = "/messages"
    label = "messages"
    schema = MESSAGES
    filters = Filters(
        Choice(
            "source_type",
            "all, campaign, flow, transactional or test (omitted: transactional only, or every type with "
            "campaign_id / flow_id)",
            values=("all", "campaign", "flow", "transactional", "test"),
        ),
        Id("campaign_id", "the messages that campaign's send created"),
        Id("flow_id", "the messages that flow sent"),
        Day("date", "one UTC day of created_at"),
        Choice("channel", "email or sms", values=tuple(MESSAGES.columns["channel"].categories)),
        Choice("status", "queued, sent or failed", values=tuple(MESSAGES.columns["status"].categories)),
    )
    item_methods = frozenset()  # a sent message cannot be changed or deleted

    def send(
        self,
        to: str | None = None,
        subject: str | None = None,
        *,
        html: str | None = None,
        body: str | None = None,
        template_id: int | None = None,
        contact_id: int | None = None,
        from_: str | None = None,
        tags: Mapping[str, str | int | float | bool] | None = None,
        data: dict | None = None,
        channel: str = "email",
        idempotency_key: str | None = None,
        **extra: object,
    ) -> dict:
        """Send one message to ``to``, or to contact ``contact_id`` (personalised with its data), and return it
        (``status`` starts ``"queued"``; a send the service refuses comes back ``"failed"`` with its
        ``failure_reason``). ``from_`` is the sender, ``"Name <addr>"`` or an address (sent as ``from``);
        ``tags`` a dict of string/number/boolean values, checked before sending.

        Always sends an ``Idempotency-Key`` (a new uuid4 unless given), so a retried request can never send
        twice; pass your own key to make a re-run of the same cell safe as well. ``extra`` carries the
        API's other fields (``from_email``, ``from_name``, ``reply_to``, ``headers``).
        """
        if to is None and contact_id is None:
            raise ValueError("send needs a recipient: to=... or contact_id=...")
        fields = dict(
            channel=channel,
            to=to,
            subject=subject,
            html=html,
            body=body,
            template_id=template_id,
            contact_id=None if contact_id is None else valid_id(contact_id, "contact_id"),
            data=data,
            tags=None if tags is None else check_tags(tags),
            **extra,
        )
        if from_ is not None:
            fields["from"] = from_
        payload = {name: value for name, value in fields.items() if value is not None}
        return self._call("POST", json=payload, idempotency_key=idempotency_key or new_idempotency_key())

    def create(self, **fields: object) -> dict:
        """Same as :meth:`send` (a message is created by sending it)."""
        return self.send(**fields)
