"""Why a send fails: deterministic rules checked before hand-off, and the status / failure fields of a message.

Every send (transactional, campaign, flow, test) is checked per recipient; the first rule that applies wins:

1. ``brand_cannot_send`` (category ``account``): the brand's ``can_send`` is false; nothing it sends goes out.
2. ``sms_not_enabled`` (``account``): an SMS while the brand's ``capabilities.sms`` is false.
3. ``sms_allowance_exhausted`` (``account``): an SMS while the account's SMS allowance is limited and has nothing
   ``remaining``.
4. ``invalid_recipient`` (``recipient``): an email address in the reserved ``.invalid`` top-level domain
   (RFC 2606), which can never receive mail, so ``someone@bounce.invalid`` rehearses a bad address.

A refused message is stored with ``status: "failed"``, no ``sent_at`` / ``provider_id``, and the rule's code,
reason and category in both ``failure_*`` and ``status_reason_*``; nothing lands in the outbox and no usage is
counted. A test send reports a refusal in its per-recipient result instead of creating a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STATUS_REASON_CATEGORIES = ("content_review", "account", "internal", "recipient", "provider", "rate_limit", "delivery")
FAILURE_CATEGORIES = tuple(c for c in STATUS_REASON_CATEGORIES if c != "rate_limit")


@dataclass(frozen=True)
class Reason:
    """A machine code, a sentence for people, and one of :data:`STATUS_REASON_CATEGORIES`."""

    code: str
    text: str
    category: str


BRAND_CANNOT_SEND = Reason(
    "brand_cannot_send", "The brand cannot send yet (its sending domain is not verified)", "account"
)
SMS_NOT_ENABLED = Reason("sms_not_enabled", "SMS is not enabled for this brand", "account")
SMS_ALLOWANCE_EXHAUSTED = Reason("sms_allowance_exhausted", "The account's SMS allowance is used up", "account")
INVALID_RECIPIENT = Reason("invalid_recipient", "The recipient's domain cannot receive email (.invalid)", "recipient")
# What seeded history shows for messages that failed after hand-off, and for ones waiting on the rate limit.
SEEDED_FAILURES = (
    Reason("hard_bounce", "550 5.1.1 The email account does not exist", "recipient"),
    Reason("mailbox_full", "552 5.2.2 The recipient's mailbox is full", "delivery"),
    Reason("provider_rejected", "The sending provider rejected the message", "provider"),
    Reason("content_flagged", "The message was held by content review", "content_review"),
    Reason("internal_error", "The message could not be handed to a provider", "internal"),
    INVALID_RECIPIENT,
)
RATE_LIMITED = Reason("rate_limited", "Waiting for the account's sending rate limit", "rate_limit")


def refusal(brand: Mapping[str, Any], account: Mapping[str, Any], channel: str, to: str) -> Reason | None:
    """The rule (see the module docstring) that stops a send to ``to`` on ``channel``, or None when it may go."""
    if not brand.get("can_send", True):
        return BRAND_CANNOT_SEND
    if channel == "sms":
        if not (brand.get("capabilities") or {}).get("sms", True):
            return SMS_NOT_ENABLED
        usage = ((account.get("billing") or {}).get("resources") or {}).get("sms") or {}
        if usage.get("allowance") is not None and usage.get("remaining") == 0:
            return SMS_ALLOWANCE_EXHAUSTED
    elif to.rpartition("@")[2].lower().rstrip(".").endswith(".invalid"):
        return INVALID_RECIPIENT
    return None


def status_fields(failure: Reason | None = None, reason: Reason | None = None) -> dict:
    """A message's ``status_reason_*`` and ``failure_*`` fields: a failure fills both, a ``reason`` alone (a queued
    message's wait) only the status reason, neither leaves all six null."""
    why = failure or reason
    return {
        "status_reason_code": why and why.code,
        "status_reason": why and why.text,
        "status_reason_category": why and why.category,
        "failure_code": failure and failure.code,
        "failure_reason": failure and failure.text,
        "failure_category": failure and failure.category,
    }
