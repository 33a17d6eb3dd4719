"""Contacts as the widgets need them for pickers and merge tags: a label and the tags worth offering (the merge
context itself is :mod:`nitrosend_nb.rendering.context`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..rendering.context import contact_email

__all__ = ["contact_label", "merge_tag_options"]

#: Merge tags every contact can fill, with the picker's label for each.
STANDARD_TAGS = (
    ("First name", "{{ contact.first_name }}"),
    ("First name, or \u201cthere\u201d", '{{ contact.first_name | default: "there" }}'),
    ("Last name", "{{ contact.last_name }}"),
    ("Full name", "{{ contact.full_name }}"),
    ("E-mail", "{{ contact.email }}"),
    ("Phone", "{{ contact.phone }}"),
    ("Country code", "{{ contact.country_code }}"),
)


def contact_label(contact: Mapping[str, Any]) -> str:
    """``"Ada Lovelace <ada@example.com>"``, falling back to whatever identifies the contact."""
    name = " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)
    email = contact_email(contact)
    if name and email:
        return f"{name} <{email}>"
    return name or email or f"contact #{contact.get('id')}"


def merge_tag_options(contacts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Picker options: the standard tags plus one per custom field (``contact.data.*``) seen on ``contacts``."""
    custom = sorted(
        {
            key
            for contact in contacts
            for key, value in (contact.get("data") or {}).items()
            if isinstance(key, str) and key.isidentifier() and not isinstance(value, Mapping)
        }
    )
    return list(STANDARD_TAGS) + [(f"Custom field: {key}", f"{{{{ contact.data.{key} }}}}") for key in custom]
