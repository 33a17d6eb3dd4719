"""The one merge context: everything a merge tag can reference, built the same way for the sandbox's sends and
the widgets' previews (``contact``, ``data``, ``event``, ``brand``, ``unsubscribe_url``).

Takes plain records, so it works on a sandbox's stored contact and on a contact read over the API alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "SANDBOX_HOST",
    "channel_value",
    "contact_email",
    "contact_fields",
    "merge_context",
    "local_pictures",
    "unsubscribe_url",
]

#: The host the sandbox stands for in the links it writes (unsubscribe pages); the sandbox serves their paths.
SANDBOX_HOST = "sandbox.nitrosend.test"
CONTACT_FIELDS = ("id", "uuid", "first_name", "last_name", "email", "phone", "country_code", "source", "data")


def channel_value(contact: Mapping[str, Any], kind: str) -> str | None:
    """The value of the contact's first ``kind`` channel (``email`` or ``phone``) that has one."""
    for channel in contact.get("channels") or []:
        if isinstance(channel, Mapping) and channel.get("kind") == kind and channel.get("value"):
            return channel["value"]
    return None


def contact_email(contact: Mapping[str, Any]) -> str | None:
    """The contact's e-mail address (its ``email`` field, else its e-mail channel)."""
    return contact.get("email") or channel_value(contact, "email")


def contact_fields(contact: Mapping[str, Any] | None) -> dict:
    """The ``contact`` namespace: the contact's fields (email and phone from its channels when the record has
    no top-level ones) plus ``full_name``; empty without a contact."""
    if not contact:
        return {}
    fields = {key: contact.get(key) for key in CONTACT_FIELDS}
    fields["email"] = contact_email(contact)
    fields["phone"] = fields["phone"] or channel_value(contact, "phone")
    fields["data"] = dict(contact.get("data") or {})
    fields["full_name"] = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
    return fields


def unsubscribe_url(contact: Mapping[str, Any] | None) -> str:
    """The recipient's unsubscribe page (``.../unsubscribe/test`` when there is no contact)."""
    return f"https://{SANDBOX_HOST}/unsubscribe/{(contact or {}).get('uuid') or 'test'}"


_STAND_IN_PICTURE = re.compile(r"""(\bsrc\s*=\s*["']?)https://""" + re.escape(SANDBOX_HOST) + "/", re.IGNORECASE)


def local_pictures(html: str, root_url: str) -> str:
    """``html`` with its pictures (``src`` attributes) at the host the sandbox stands for
    (``https://sandbox.nitrosend.test/...``) fetched from the sandbox running at ``root_url``, which serves their
    paths: how a browser beside that sandbox shows them. Links and text keep the stand-in host, as sent."""
    return _STAND_IN_PICTURE.sub(lambda match: match.group(1) + root_url.rstrip("/") + "/", html)


def merge_context(
    brand: Mapping[str, Any] | None,
    contact: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
) -> dict:
    """The context merge tags are filled from, for one recipient: ``contact``, ``data`` (the send's merge
    variables), ``event`` (a triggering event's payload), ``brand`` and ``unsubscribe_url``."""
    brand = brand or {}
    return {
        "contact": contact_fields(contact),
        "data": dict(data or {}),
        "event": dict(event or {}),
        "brand": {
            "name": brand.get("company_name"),
            "company_name": brand.get("company_name"),
            "address": brand.get("physical_address"),
        },
        "unsubscribe_url": unsubscribe_url(contact),
    }
