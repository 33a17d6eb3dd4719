"""Transactional messages: ``/messages`` (send, list, get). Sent messages cannot be changed or deleted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nitrosend_nb.client.filters import Choice, Day, Filters, Id
from nitrosend_nb.client.frames import MESSAGES
from nitrosend_nb.client.idempotency import new_idempotency_key
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.tags import check_tags

if TYPE_CHECKING:
    import pandas as pd

    from nitrosend_nb.client.mail_merge import MergeResult


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

    def send_df(
        self,
        df: pd.DataFrame,
        to: str = "email",
        *,
        dry_run: bool = True,
        limit: int | None = None,
        test_to: str | None = None,
        confirm: int | None = None,
        progress: bool | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        **content: Any,
    ) -> MergeResult:
        """Mail merge: one personal email per row of ``df`` to the address in column ``to``. A **dry run** unless
        ``dry_run=False``: nothing is sent, and the result previews every row.

        ``content`` is what :class:`~nitrosend_nb.client.mail_merge.MergePlan` takes: ``template_id`` (a stored
        template as it is), or ``subject`` with ``html`` and/or plain ``text`` (and ``from_``, ``reply_to``); ``tags``,
        ``data``, ``name`` and ``key`` below. The columns named in ``data`` (default: all) are each row's merge data,
        ``{{ data.column }}`` in Liquid; ``{{ contact.* }}`` reads the contact the address belongs to. Every row is
        rendered strictly with the toolkit's Liquid environment (the one the sandbox renders with) and checked; a
        row is skipped, never sent, for: no, invalid or duplicate address, a suppressed address (``/suppressions``),
        a variable the email outputs that the row lacks (empty cell, no ``default:``), an empty or too long subject.

        Sending (``dry_run=False``) needs ``name``, which names the run: each row's Idempotency-Key is derived from
        it and the recipient (or taken from the ``key`` column), so rerunning the same call sends nobody twice
        (those rows come back ``already_sent``), Ctrl-C or a dead kernel loses nothing (the next run sends exactly
        what is missing), and 5xx, 429 and lost responses are retried under the same key. Changing a row's content
        and sending again under the same name sends nothing to it: the row is a ``conflict``; a new ``name``
        sends the new version. Rows go out concurrently within the client's rate limiter, with a progress bar
        (``progress``; ``on_progress(done, total)`` is called after each row); ``tags`` are added to each message,
        with ``mail_merge: name``. ``limit`` sends only the first N eligible rows (a pilot; the rest stay
        ``pending``). ``test_to`` sends the first eligible row (or ``limit`` rows) to that address instead,
        personalised as its recipient would see it and marked as a test; no recipient gets anything. With a live
        key, ``confirm`` must equal the number of emails the call sends (the dry run says it), else nothing is sent
        (tests to yourself need no confirmation).

        Returns a :class:`~nitrosend_nb.client.mail_merge.MergeResult`: ``.frame`` aligned with ``df``'s index
        (``status``: would_send, sent, already_sent, conflict, failed, skipped, pending; ``to``, rendered
        ``subject``, text ``excerpt``, ``problem``, ``key``, ``message_id``, ``error``) and ``.summary``, e.g.
        ``"would send 296, skip 4 (2 suppressed, 1 invalid address, 1 missing data.first_name)"``. Ctrl-C raises
        :class:`~nitrosend_nb.client.mail_merge.MergeInterrupted` holding the result so far.
        """
        from nitrosend_nb.client.mail_merge import MergePlan  # it builds on this module, so it is imported here

        plan = MergePlan(self._client, df, to, **content)
        if dry_run:
            return plan.preview(limit=limit, test_to=test_to)
        return plan.send(limit=limit, test_to=test_to, confirm=confirm, progress=progress, on_progress=on_progress)
