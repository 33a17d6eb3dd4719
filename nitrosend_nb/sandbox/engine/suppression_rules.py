"""Suppressions: addresses the sandbox no longer emails, and the send outcomes that create them.

Rules the delivery path applies to every recorded email send (transactional, campaign or flow message):

- an address with an active suppression is not emailed: the message is ``failed`` with ``failure_category``
  ``recipient`` and ``failure_code`` ``suppressed``, and nothing reaches the outbox;
- an address at ``bounce.test`` (or a subdomain of it) hard-bounces: the message fails the same way with
  ``failure_code`` ``hard_bounce`` and the address is suppressed (reason ``hard_bounce``);
- an address at ``complaint.test`` is delivered and then complains: the address is suppressed (``complaint``);
- any other address bounces with probability ``bounce_rate`` and complains with probability ``complaint_rate``
  (the sandbox's knobs), drawn from a hash of the seed and the address, so a rerun behaves the same.
"""

from __future__ import annotations

import hashlib

from ..state import SandboxState

BOUNCE_DOMAIN = "bounce.test"
COMPLAINT_DOMAIN = "complaint.test"
PROVIDER = "sandbox"
REASONS = ("hard_bounce", "soft_bounce", "complaint", "manual", "admin")
HARD_BOUNCE_DIAGNOSTIC = "550 5.1.1 The email account that you tried to reach does not exist"


def active_suppression(state: SandboxState, email: str) -> dict | None:
    """The brand's active suppression of ``email`` (case-insensitive), if any."""
    found = state.store.query(
        "suppressions", state.in_brand("email = ? COLLATE NOCASE AND active = 1"), (email,), limit=1
    )
    return found[0] if found else None


def _under(email: str, domain: str) -> bool:
    host = email.rpartition("@")[2].lower()
    return host == domain or host.endswith("." + domain)


def _draw(seed: int, what: str, email: str) -> float:
    """A uniform number in [0, 1) fixed by the seed, the outcome drawn and the address."""
    digest = hashlib.sha256(f"{seed}:{what}:{email.lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fate(state: SandboxState, email: str) -> str:
    """``"hard_bounce"``, ``"complaint"`` or ``"delivered"``: what a send to an unsuppressed ``email`` meets."""
    knobs = state.knobs
    if _under(email, BOUNCE_DOMAIN) or _draw(knobs.seed, "bounce", email) < knobs.bounce_rate:
        return "hard_bounce"
    if _under(email, COMPLAINT_DOMAIN) or _draw(knobs.seed, "complaint", email) < knobs.complaint_rate:
        return "complaint"
    return "delivered"


def suppression_doc(
    owner: dict,
    email: str,
    reason: str,
    now: str,
    *,
    contact_id: int | None,
    source_event_id: str | None,
    provider: str = PROVIDER,
) -> dict:
    """A new active suppression document of ``email`` for ``reason`` (a hard bounce or a complaint)."""
    bounce = reason == "hard_bounce"
    return {
        **owner,
        "email": email.lower(),
        "reason": reason,
        "scope": "account_scoped",
        "active": True,
        "contact_id": contact_id,
        "source_provider": provider,
        "source_event_id": source_event_id,
        "provider_diagnostic": HARD_BOUNCE_DIAGNOSTIC if bounce else None,
        "bounce_type": "hard" if bounce else None,
        "bounce_subtype": "general" if bounce else None,
        "complaint_feedback_type": "abuse" if reason == "complaint" else None,
        "event_occurred_at": now,
        "expires_at": None,
        "created_at": now,
        "updated_at": now,
    }


def suppress(
    state: SandboxState, now: str, email: str, reason: str, *, contact_id: int | None, message_id: int
) -> dict:
    """Suppress ``email`` (once: an active suppression is kept as it is) and return the suppression."""
    existing = active_suppression(state, email)
    if existing is not None:
        return existing
    return state.store.insert(
        "suppressions",
        suppression_doc(
            state.owner(), email, reason, now, contact_id=contact_id, source_event_id=f"sbx-msg-{message_id}"
        ),
    )


def suppressed_reason(email: str, reason: str) -> str:
    """The failure reason of an email not sent because ``email`` is suppressed for ``reason``."""
    return f"{email} is on the suppression list ({reason}); the email was not sent"


def fail_message(state: SandboxState, message_id: int, code: str, reason: str) -> None:
    """Mark a recorded message ``failed`` for a recipient reason (it was not delivered)."""
    message = state.store.get("messages", message_id)
    message.update(
        status="failed",
        sent_at=None,
        failure_code=code,
        failure_reason=reason,
        failure_category="recipient",
        status_reason_code=code,
        status_reason=reason,
        status_reason_category="recipient",
    )
    state.store.replace("messages", message)


def screen(state: SandboxState, now: str, *, to: str, message_id: int, contact_id: int | None) -> bool:
    """Apply the suppression list and the rules above to the email send recorded as ``message_id``; True when
    the email is delivered (goes to the outbox)."""
    blocked = active_suppression(state, to)
    if blocked is not None:
        fail_message(state, message_id, "suppressed", suppressed_reason(to, blocked["reason"]))
        return False
    outcome = fate(state, to)
    if outcome == "hard_bounce":
        fail_message(state, message_id, "hard_bounce", HARD_BOUNCE_DIAGNOSTIC)
    if outcome != "delivered":
        suppress(state, now, to, outcome, contact_id=contact_id, message_id=message_id)
    return outcome != "hard_bounce"
