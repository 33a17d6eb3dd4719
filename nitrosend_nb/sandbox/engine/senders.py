"""Where a brand's email really comes from: its sender settings checked against the account's verified domains.

A brand's sender is configured when its ``email_from_email`` is on a domain the account has verified (the domain
itself or a subdomain of it: a verified domain covers its subdomains, as SES's domain identities do). Then mail
goes out from that address through that domain; otherwise it goes from the shared sandbox sender
:data:`SANDBOX_SENDER` through :data:`SANDBOX_DOMAIN`, and replies still reach the brand (its reply-to, else its
from address). The envelope sender (``effective_source_email``) is the sending domain's bounce address. Sends
(:mod:`.delivery`) and the brand's presentation read the same :func:`sender_of`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store

SANDBOX_DOMAIN = "send.nitrosend.test"
SANDBOX_SENDER = f"sandbox@{SANDBOX_DOMAIN}"  # where a brand without a verified sending domain sends from


@dataclass(frozen=True)
class Sender:
    """A brand's effective sender: ``configured`` (from address on a verified domain), the address mail goes from,
    replies go to, the envelope sender, the domain mail goes through and the status of the from address's domain
    (blank, verified or unverified)."""

    configured: bool
    from_email: str
    reply_to: str | None
    source_email: str
    sending_domain: str
    domain_status: str


def domain_of(address: str | None) -> str | None:
    """The lower-cased domain of an email address (None for none)."""
    return address.rpartition("@")[2].lower() if address else None


def verified_domains(store: Store) -> list[str]:
    """The names of the account's verified sending domains (every brand's)."""
    return [doc["name"] for doc in store.query("domains", "json_extract(doc, '$.status') = 'verified'")]


def covering(domain: str | None, verified: list[str]) -> str | None:
    """The verified domain that covers ``domain`` (itself, else its closest verified parent), if any."""
    if not domain:
        return None
    matches = [name for name in verified if domain == name or domain.endswith("." + name)]
    return max(matches, key=len, default=None)


def sender_of(brand: dict, verified: list[str]) -> Sender:
    """The effective sender of ``brand`` given the account's ``verified`` domain names."""
    address = brand.get("email_from_email")
    through = covering(domain_of(address), verified)
    configured = through is not None
    sending_domain = through or SANDBOX_DOMAIN
    return Sender(
        configured=configured,
        from_email=address if configured else SANDBOX_SENDER,
        reply_to=brand.get("email_reply_to") or address,
        source_email=f"bounces@{sending_domain}",
        sending_domain=sending_domain,
        domain_status="blank" if not address else "verified" if configured else "unverified",
    )
