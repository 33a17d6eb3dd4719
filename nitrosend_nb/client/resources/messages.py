"""Transactional messages: ``/messages`` (send, list, get). Sent messages cannot be changed or deleted."""

from __future__ import annotations

from nitrosend_nb.client.frames import MESSAGES
from nitrosend_nb.client.resources.base import Resource, new_idempotency_key


class Messages(Resource):
    """Transactional email/SMS. List filters: ``source_type`` (omit: transactional only; ``"all"``,
    ``"flow"``), ``channel``, ``status``."""

    path = "/messages"
    label = "messages"
    schema = MESSAGES
    item_methods = frozenset()  # a sent message cannot be changed or deleted

    def send(
        self,
        to: str,
        subject: str | None = None,
        *,
        html: str | None = None,
        body: str | None = None,
        template_id: int | None = None,
        data: dict | None = None,
        channel: str = "email",
        idempotency_key: str | None = None,
        **extra: object,
    ) -> dict:
        """Send one message and return it (``status`` starts ``"queued"``).

        Always sends an ``Idempotency-Key`` (a new uuid4 unless given), so a retried request can never send
        twice; pass your own key to make a re-run of the same cell safe as well. ``extra`` carries the
        API's other fields (``from``, ``reply_to``, ``headers``, ``tags``).
        """
        fields = dict(channel=channel, to=to, subject=subject, html=html, body=body, template_id=template_id,
                      data=data, **extra)
        payload = {name: value for name, value in fields.items() if value is not None}
        return self._call("POST", json=payload, idempotency_key=idempotency_key or new_idempotency_key())

    def create(self, **fields: object) -> dict:
        """Same as :meth:`send` (a message is created by sending it)."""
        return self.send(**fields)
