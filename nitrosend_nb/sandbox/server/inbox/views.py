"""Captured emails as the inbox shows them: list summaries (with how many replies each has), the full record
(headers, merge context, links to the API records, the replies it received, oldest first) and the raw RFC 5322
source (``.eml``), built with the stdlib ``email`` package."""

from __future__ import annotations

import email.policy
import email.utils
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from ....rendering.context import SANDBOX_HOST
from ...engine.delivery import OUTBOX_FIELDS
from ...engine.inbound import present_reply, replies_to
from ...state import SandboxState
from ...store import parse_iso

SUMMARY_FIELDS = tuple(key for key in OUTBOX_FIELDS if key not in ("html", "text"))  # an entry: all but the bodies
RECORDS = (
    ("message", "message_id", "messages"),
    ("campaign", "campaign_id", "campaigns"),
    ("template", "template_id", "templates"),
    ("contact", "contact_id", "contacts"),
)
SNIPPET_CHARS = 140
# CRLF line ends; headers folded only past RFC 5322's hard limit, so long URIs are never encoded-words.
EML_POLICY = email.policy.SMTP.clone(max_line_length=998)


def message_facts(state: SandboxState, rows: list[Mapping[str, Any]]) -> dict[int, dict]:
    """``{message_id: {"tags", "idempotency_key", "replies"}}`` for the rows that came from a message (two
    queries)."""
    wanted = {row["message_id"] for row in rows if row.get("message_id")}
    found, replies = state.store.by_ids("messages", wanted), replies_to(state, sorted(wanted))
    return {
        ident: {"tags": m.get("tags"), "idempotency_key": m.get("idempotency_key"), "replies": replies.get(ident, [])}
        for ident, m in found.items()
    }


def summary(row: Mapping[str, Any], facts: Mapping[int, dict]) -> dict:
    """One list entry: addresses, subject, kind, ids, a text snippet, the message's tags and the entry's URLs."""
    text = " ".join((row.get("text") or "").split())
    ident = int(row["id"])
    return {
        **{key: row.get(key) for key in SUMMARY_FIELDS},
        "tags": (facts.get(row.get("message_id")) or {}).get("tags"),
        "reply_count": len((facts.get(row.get("message_id")) or {}).get("replies") or ()),
        "snippet": text[:SNIPPET_CHARS] + ("\u2026" if len(text) > SNIPPET_CHARS else ""),
        "urls": {
            "self": f"/_sandbox/messages/{ident}",
            "source": f"/_sandbox/messages/{ident}/source",
            "checks": f"/_sandbox/messages/{ident}/checks",
        },
    }


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def headers(row: Mapping[str, Any]) -> dict[str, str]:
    """The email's headers, in order: the envelope fields, the stored extra headers (List-Unsubscribe for
    marketing sends) and ``X-Nitrosend-*`` references to what produced it."""
    out = {
        "From": row.get("from"),
        "To": row.get("to"),
        "Reply-To": row.get("reply_to"),
        "Subject": row.get("subject"),
        "Date": email.utils.format_datetime(parse_iso(row["created_at"])) if row.get("created_at") else None,
        "Message-ID": f"<outbox-{int(row['id'])}@{SANDBOX_HOST}>",
        **(row.get("headers") or {}),
        "X-Nitrosend-Kind": row.get("kind"),
    }
    for name, key, _ in RECORDS:
        out[f"X-Nitrosend-{name.title()}-Id"] = row.get(key)
    return {name: _one_line(value) for name, value in out.items() if value not in (None, "")}


def detail(row: Mapping[str, Any], facts: Mapping[int, dict]) -> dict:
    """The full record: the summary plus HTML, text, headers, the merge context used, the message's
    idempotency key and the API paths of the records it belongs to."""
    records = {name: f"/v1/my/{table}/{row[key]}" for name, key, table in RECORDS if row.get(key)}
    return {
        **summary(row, facts),
        "html": row.get("html"),
        "text": row.get("text"),
        "headers": headers(row),
        "context": row.get("context") or {},
        "records": records,
        "idempotency_key": (facts.get(row.get("message_id")) or {}).get("idempotency_key"),
        "replies": [present_reply(reply) for reply in (facts.get(row.get("message_id")) or {}).get("replies") or ()],
    }


def source(row: Mapping[str, Any]) -> bytes:
    """The email as an RFC 5322 ``.eml`` (multipart/alternative: the text part, then the HTML part)."""
    message = EmailMessage(policy=EML_POLICY)
    for name, value in headers(row).items():
        message[name] = value
    message.set_content(row.get("text") or "")
    if row.get("html"):
        message.add_alternative(row["html"], subtype="html")
    return message.as_bytes()
