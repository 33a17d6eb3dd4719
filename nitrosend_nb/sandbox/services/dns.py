"""Sending domains' DNS records and the sandbox's deterministic verification rule.

A domain under the ``.test`` top-level domain (``acme.test``, ``mail.shop.test``) verifies: every record is found
and valid. Any other domain cannot be looked up from a sandbox, so verifying it leaves it ``pending`` with
``dns_setup_status`` ``incomplete``.
"""

from __future__ import annotations

import hashlib

VERIFIABLE_TLD = ".test"


def verifies(name: str) -> bool:
    """Whether the sandbox finds ``name``'s records in place (it is under ``.test``)."""
    return name.endswith(VERIFIABLE_TLD)


def dns_records(name: str, valid: str = "unknown") -> list[dict]:
    """The records to publish for ``name`` (SPF, two DKIM keys, DMARC, the bounce MX), each marked ``valid``
    (``unknown`` before a check, then ``valid`` or ``invalid``)."""
    token = hashlib.sha256(name.encode()).hexdigest()
    records = [
        ("TXT", f"bounce.{name}", "v=spf1 include:amazonses.com ~all", None),
        ("CNAME", f"{token[:32]}._domainkey.{name}", f"{token[:32]}.dkim.amazonses.com", None),
        ("CNAME", f"{token[32:]}._domainkey.{name}", f"{token[32:]}.dkim.amazonses.com", None),
        ("TXT", f"_dmarc.{name}", f"v=DMARC1; p=none; rua=mailto:dmarc@{name}", None),
        ("MX", f"bounce.{name}", "feedback-smtp.eu-west-1.amazonses.com", "10"),
    ]
    return [
        {"record_type": kind, "name": host, "value": value, "priority": priority, "valid": valid}
        for kind, host, value, priority in records
    ]


def checked(doc: dict, now: str) -> dict:
    """``doc`` (a stored domain) after a verification check at ``now``."""
    ok = verifies(doc["name"])
    doc.update(
        status="verified" if ok else "pending",
        dns_setup_status="verified" if ok else "incomplete",
        dns_records=dns_records(doc["name"], "valid" if ok else "invalid"),
        verified_at=(doc.get("verified_at") or now) if ok else None,
        updated_at=now,
    )
    return doc
