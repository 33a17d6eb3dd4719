"""Delivering messages: record the message, put the rendered email in the outbox (with its headers and the merge
context used), count usage.

Shared by transactional messages, template and campaign test sends and campaign sends so each message is built
the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ...email_checks import MARKETING_KINDS
from ...rendering import RenderedEmail
from ...rendering.context import SANDBOX_HOST
from ..state import SandboxState
from . import suppression_rules
from .outcomes import Reason, status_fields
from .senders import sender_of, verified_domains

#: A captured email's fields (``GET /_sandbox/outbox``), in the contract's order.
OUTBOX_FIELDS = (
    "id",
    "kind",
    "to",
    "from",
    "reply_to",
    "subject",
    "html",
    "text",
    "message_id",
    "template_id",
    "campaign_id",
    "contact_id",
    "created_at",
)


def find_contact(state: SandboxState, email: str) -> dict | None:
    """The request brand's contact whose email is ``email`` (case-insensitive), if any."""
    found = state.store.query("contacts", state.in_brand("email = ? COLLATE NOCASE"), (email,), limit=1)
    return found[0] if found else None


def marketing_headers(context: Mapping[str, Any]) -> dict[str, str]:
    """``List-Unsubscribe`` (the recipient's unsubscribe page and a mailto) and one-click
    ``List-Unsubscribe-Post`` for a marketing send."""
    page = context.get("unsubscribe_url") or f"https://{SANDBOX_HOST}/unsubscribe/test"
    token = page.rstrip("/").rsplit("/", 1)[-1]
    return {
        "List-Unsubscribe": f"<{page}>, <mailto:unsubscribe@{SANDBOX_HOST}?subject=unsubscribe-{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def sender(name: str | None, email: str) -> str:
    """``"Name <email>"`` (or the bare address without a name)."""
    return f"{name} <{email}>" if name else email


def default_sender(state: SandboxState) -> tuple[str, str | None]:
    """The request brand's (from, reply_to) pair: its effective sender (:mod:`.senders`; a brand whose from
    address is not on a verified domain sends from the shared sandbox address)."""
    brand = state.brand()
    effective = sender_of(brand, verified_domains(state.store))
    return sender(brand.get("email_from_name"), effective.from_email), effective.reply_to


def content_sender(state: SandboxState, content: Mapping[str, Any]) -> tuple[str, str | None]:
    """The (from, reply_to) pair of a template or campaign content, falling back to the brand's."""
    brand_from, brand_reply_to = default_sender(state)
    from_ = sender(content.get("from_name"), content["from_email"]) if content.get("from_email") else brand_from
    return from_, content.get("reply_to") or brand_reply_to


def record_message(
    state: SandboxState,
    now: str,
    *,
    channel: str,
    to: str,
    subject: str | None,
    source_type: str | None = None,
    source_name: str | None = None,
    flow_id: int | None = None,
    failure: Reason | None = None,
    **internal: Any,
) -> dict:
    """Store one message of the request's brand as sent at ``now`` (or failed with ``failure``: see
    :mod:`.outcomes`); ``internal`` keys (campaign_id, contact_id, template_id, tags, ...) are kept for filters but
    not presented."""
    digest = hashlib.sha256(f"{now}:{channel}:{to}:{internal}".encode()).hexdigest()[:12]
    provider_id = None if failure else "sbx-" + digest
    return state.insert(
        "messages",
        {
            "channel": channel,
            "to": to,
            "subject": subject,
            "status": "failed" if failure else "sent",
            "provider_id": provider_id,
            "flow_id": flow_id,
            "source_type": source_type,
            "source_name": source_name,
            **status_fields(failure),
            "sent_at": None if failure else now,
            "created_at": now,
            **internal,
        },
    )


def deliver(
    state: SandboxState,
    now: str,
    email: RenderedEmail,
    message: Mapping[str, Any],
    *,
    kind: str,
    from_: str,
    reply_to: str | None = None,
    context: Mapping[str, Any] | None = None,
    count: bool = True,
) -> dict | None:
    """Send the rendered ``email`` of ``message`` (stored by :func:`record_message`: its recipient and ids go to
    the outbox record) unless the suppression rules (:func:`.suppression_rules.screen`) stop it, in which case the
    message says why and None is returned. The outbox keeps the merge ``context`` it was rendered with and its
    extra headers (List-Unsubscribe for marketing kinds); unless ``count=False`` (the caller counts a batch) the
    send counts against the account's email allowance."""
    to, contact_id = message["to"], message.get("contact_id")
    if not suppression_rules.screen(state, now, to=to, message_id=message["id"], contact_id=contact_id):
        return None
    context = dict(context or {})
    record = state.store.insert(
        "outbox",
        {
            "kind": kind,
            "to": to,
            "from": from_,
            "reply_to": reply_to,
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
            "message_id": message["id"],
            "template_id": message.get("template_id"),
            "campaign_id": message.get("campaign_id"),
            "contact_id": contact_id,
            "created_at": now,
            "context": context,
            "headers": marketing_headers(context) if kind in MARKETING_KINDS else {},
        },
    )
    if count:
        count_usage(state, email=1)
    return record


def count_usage(state: SandboxState, email: int = 0, sms: int = 0) -> None:
    """Add sends to the account's billing counters (used/remaining and lifetime)."""
    with state.store.atomic():
        account = state.account()
        billing = account["billing"]
        for resource, amount in (("email", email), ("sms", sms)):
            if amount:
                usage = billing["resources"][resource]
                usage["used"] += amount
                if usage["allowance"] is not None:  # None: unlimited
                    usage["remaining"] = max(0, usage["allowance"] - usage["used"])
                billing["lifetime"][f"{resource}_sent"] += amount
        state.store.set_meta("account", account)


def outbox_record(row: Mapping[str, Any]) -> dict:
    """An outbox row in the contract's field order."""
    return {k: row.get(k) for k in OUTBOX_FIELDS}


def read_outbox(state: SandboxState) -> list[dict]:
    """Every captured email, oldest first."""
    return [outbox_record(row) for row in state.store.query("outbox", order="id ASC")]


def captured_email(state: SandboxState, message_id: int) -> dict | None:
    """The outbox row of message ``message_id`` (the email as it was sent), or None when none was captured."""
    found = state.store.query("outbox", "json_extract(doc, '$.message_id') = ?", (message_id,), limit=1)
    return found[0] if found else None


def clear_outbox(state: SandboxState) -> int:
    """Delete every captured email; returns how many there were."""
    with state.store.atomic():
        removed = state.store.count("outbox")
        state.store.execute("DELETE FROM outbox")
    return removed
