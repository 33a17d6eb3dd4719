"""How a contact is stored and returned: its channels, its fields in order, as a dict or as stored JSON text.

A contact's JSON text without its ``list_ids`` (which live in the membership table) is stored beside its document
whenever the contact is written (the contacts service hands :func:`served_text` to the store), so a page of
contacts is spliced from stored text and each contact's list ids (kept as JSON text by the store) instead of
decoded and encoded again. Both forms come from the same field order and give the same bytes under orjson.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

FIELDS = (
    "id",
    "brand_id",
    "uuid",
    "first_name",
    "last_name",
    "source",
    "country_code",
    "data",
    "subscribed_phone",
    "subscribed_email",
    "verification_status",
    "enrichment_status",
    "list_ids",
    "last_interacted_at",
    "created_at",
    "updated_at",
    "channels",
)
_BEFORE_LISTS = FIELDS[1 : FIELDS.index("list_ids")]
_AFTER_LISTS = FIELDS[FIELDS.index("list_ids") + 1 : -1]  # then the channels


def channel(
    ident: int | None,
    kind: str,
    value: str,
    *,
    subscribed: bool,
    verified: bool,
    opt_in_at: str | None,
    opt_out_at: str | None,
    created_at: str,
    updated_at: str,
    sent_count: int = 0,
    fail_count: int = 0,
) -> dict:
    """One stored channel (``kind``: email or phone) of a contact; ``ident`` None until the store numbers it."""
    return {
        "id": ident,
        "kind": kind,
        "value": value,
        "subscribed": subscribed,
        "verified": verified,
        "opt_in_at": opt_in_at,
        "opt_out_at": opt_out_at,
        "sent_count": sent_count,
        "fail_count": fail_count,
        "data": {},
        "created_at": created_at,
        "updated_at": updated_at,
    }


def channels(ident: int, doc: Mapping[str, Any]) -> list[dict]:
    """The contact's channels as returned: each with its ``contact_id``."""
    return [{"id": channel["id"], "contact_id": ident, **channel} for channel in doc.get("channels", [])]


def present(doc: Mapping[str, Any], list_ids: list[int]) -> dict:
    """The contact (a stored document with its ``id``) as the API returns it."""
    item = dict(zip(FIELDS, map(doc.get, FIELDS), strict=True))
    item["list_ids"] = list_ids
    item["channels"] = channels(doc["id"], doc)
    return item


def served_text(ident: int, doc: Mapping[str, Any]) -> tuple[str, int]:
    """The contact ``ident`` (its stored document) as returned, without the ``id`` and ``list_ids`` members and
    without braces: ``(text, cut)``, where ``list_ids`` goes at character ``cut`` (see :func:`page_text`)."""
    before = orjson.dumps(dict(zip(_BEFORE_LISTS, map(doc.get, _BEFORE_LISTS), strict=True)))[1:-1].decode()
    after = dict(zip(_AFTER_LISTS, map(doc.get, _AFTER_LISTS), strict=True))
    after["channels"] = channels(ident, doc)
    return before + "," + orjson.dumps(after)[1:-1].decode(), len(before)


def page_text(rows: Sequence[tuple[int, str, int, str | None]]) -> bytes:
    """The JSON array of the contacts of ``(id, served text, cut, list ids)`` rows (the list ids as compact JSON
    text, None for none): the bytes ``orjson.dumps([present(...), ...])`` gives, without decoding anything."""
    return (
        "["
        + ",".join(
            [
                f'{{"id":{ident},{text[:cut]},"list_ids":{lists or "[]"}{text[cut:]}}}'
                for ident, text, cut, lists in rows
            ]
        )
        + "]"
    ).encode()
