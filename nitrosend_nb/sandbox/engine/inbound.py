"""Inbound mail: replies that reach a brand's inbox, kept with the email they answer, and their ``email.received``
webhook events.

A reply is stored in the ``replies`` table (the brand's; ``message_id`` names the send it answers, null for mail
that answers none) and becomes one ``email.received`` event per enabled endpoint of the brand subscribed to it.
The event's ``data``: ``message_id`` (the answered send, or null), ``to`` (the brand address it reached), ``subject``,
``tags`` (the answered send's), ``from``, ``text``, ``html`` (each cut at :data:`~..limits.MAX_INBOUND_PART_CHARS`
characters; ``truncated`` says whether any was), ``auto_submitted`` (an automatic reply: out of office...),
``attachments`` (``[{id, filename, content_type, size, scanned}]``), ``conversation_id`` (one per answered send, or
per sender for mail answering none) and ``conversation_message_id`` (this mail in it), and ``received_at``.

Replies come from ``POST /_sandbox/inbound`` (:func:`receive`, a reply to a given message or mail to a brand) and
from the ``reply_rate`` knob: :func:`maybe_reply` has that share of delivered transactional emails answered an
hour after they were sent, drawn per message from a stable hash, so a rerun behaves the same.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from ..limits import MAX_INBOUND_PART_CHARS
from ..state import SandboxState
from ..store import iso, parse_iso
from .delivery import captured_email
from .senders import sender_of, verified_domains
from .webhook_delivery import event_payload, queue_delivery, subscribers

EVENT = "email.received"
REPLY_DELAY = 3600  # seconds (sandbox clock) after a send that a knob-drawn reply arrives
#: What a drawn reply says, by the message's hash (short, as most replies are).
REPLY_TEXTS = (
    "Thanks, that's great!",
    "Got it, thank you.",
    "Could you tell me when my order ships?",
    "Lovely, see you soon.",
)


def _draw(message: dict) -> float:
    """A stable pseudo-random number in [0, 1) for whether ``message`` gets a reply."""
    digest = hashlib.sha256(f"{message['id']}:{message['to']}:reply".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def cut(value: str | None) -> tuple[str | None, bool]:
    """``value`` cut at :data:`MAX_INBOUND_PART_CHARS` characters, and whether it was."""
    if value is None or len(value) <= MAX_INBOUND_PART_CHARS:
        return value, False
    return value[:MAX_INBOUND_PART_CHARS], True


def _id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:20]


def event_data(reply: dict, tags: dict | None) -> dict:
    """The ``data`` of a reply's ``email.received`` event (see the module docstring)."""
    parts = {name: cut(reply.get(name)) for name in ("from", "text", "html")}
    return {
        "message_id": reply["message_id"],
        "to": reply["to"],
        "subject": reply["subject"],
        "tags": tags or {},
        "from": parts["from"][0],
        "text": parts["text"][0],
        "html": parts["html"][0],
        "truncated": any(was for _, was in parts.values()),
        "auto_submitted": reply["auto_submitted"],
        "attachments": reply["attachments"],
        "conversation_id": reply["conversation_id"],
        "conversation_message_id": reply["conversation_message_id"],
        "received_at": reply["created_at"],
    }


def receive(
    state: SandboxState,
    *,
    brand: dict,
    message: dict | None,
    sender: str | None = None,
    subject: str | None = None,
    text: str | None = None,
    html: str | None = None,
    auto_submitted: bool = False,
    attachments: list[dict] = (),
    at: str | None = None,
) -> dict:
    """Store one inbound email to ``brand`` (answering ``message``, a message of it, or none) and queue its
    ``email.received`` events; returns the stored reply. The sender defaults to the answered message's recipient,
    the subject to ``Re:`` its subject; ``at`` (default: now on the sandbox clock) is when it arrived."""
    if message is None and not sender:
        raise ValueError("mail that answers no message needs a sender")
    with state.store.atomic():
        now = at or state.store.tick()
        original = (captured_email(state, message["id"]) if message is not None else None) or {}
        to = original.get("reply_to") or sender_of(brand, verified_domains(state.store)).reply_to
        sender = sender or message["to"]
        thread = message["id"] if message is not None else sender.lower()
        count = state.store.count("replies", "json_extract(doc, '$.conversation_id') = ?", (_id("cnv_", thread),))
        doc = {
            "account_id": brand["account_id"],
            "brand_id": brand["id"],
            "message_id": message["id"] if message is not None else None,
            "outbox_id": original.get("id"),
            "from": sender,
            "to": to,
            "subject": subject or (f"Re: {message.get('subject') or ''}".strip() if message is not None else ""),
            "text": text,
            "html": html,
            "auto_submitted": auto_submitted,
            "attachments": [
                {
                    "id": _id("att_", thread, count, index),
                    "filename": item["filename"],
                    "content_type": item.get("content_type") or "application/octet-stream",
                    "size": item.get("size") or 0,
                    "scanned": True,
                }
                for index, item in enumerate(attachments)
            ],
            "conversation_id": _id("cnv_", thread),
            "conversation_message_id": _id("cmg_", thread, count),
            "created_at": now,
        }
        reply = state.store.insert("replies", doc)
        data = event_data(reply, (message or {}).get("tags"))
        for hook in subscribers(state, brand["id"], [EVENT])[EVENT]:
            queue_delivery(state, hook, _id("evt_", "received", reply["id"], now), event_payload(EVENT, now, data))
    return reply


def maybe_reply(state: SandboxState, message: dict) -> dict | None:
    """The reply the ``reply_rate`` knob draws for a delivered transactional email (None: no reply)."""
    rate = state.knobs.reply_rate
    if not rate or message.get("status") != "sent" or message.get("channel") != "email":
        return None
    if message.get("source_type") is not None or _draw(message) >= rate:
        return None
    brand = state.store.get("brands", message["brand_id"])
    at = iso(parse_iso(message.get("sent_at") or message["created_at"]) + timedelta(seconds=REPLY_DELAY))
    text = REPLY_TEXTS[int(_draw(message) * 1e6) % len(REPLY_TEXTS)]
    return receive(state, brand=brand, message=message, text=text, html=f"<p>{text}</p>", at=at)


REPLY_FIELDS = (
    "id",
    "brand_id",
    "message_id",
    "outbox_id",
    "from",
    "to",
    "subject",
    "text",
    "html",
    "auto_submitted",
    "attachments",
    "conversation_id",
    "conversation_message_id",
    "created_at",
)


def present_reply(reply: dict) -> dict:
    """A stored inbound email as the sandbox shows it."""
    return {k: reply.get(k) for k in REPLY_FIELDS}


def replies_to(state: SandboxState, message_ids: list[int]) -> dict[int, list[dict]]:
    """The replies to each of ``message_ids``, oldest first."""
    found: dict[int, list[dict]] = {}
    ids = [int(i) for i in message_ids if i]
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    for reply in state.store.query("replies", f"message_id IN ({marks})", tuple(ids), order="id ASC"):
        found.setdefault(reply["message_id"], []).append(reply)
    return found
