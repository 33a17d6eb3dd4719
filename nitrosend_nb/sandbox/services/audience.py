"""Who a segment, a list or a campaign reaches: SQL conditions over the request brand's contacts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import invalid
from ..state import SandboxState
from .segment_filters import compile_filters

NOT_SUPPRESSED = (
    "NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.active = 1 "
    "AND s.brand_id = contacts.brand_id AND s.email = contacts.email COLLATE NOCASE)"
)


def segment_condition(state: SandboxState, segment_id: int, field: str = "segment_id") -> tuple[str, list]:
    """The SQL condition of a stored segment (422 naming ``field`` when it does not exist)."""
    segment = state.find("segments", segment_id)
    if segment is None:
        raise invalid({field: [f"unknown segment {segment_id}"]})
    return compile_filters(segment.get("filters") or [])


def check_lists(state: SandboxState, list_ids: Iterable[int], field: str) -> list[int]:
    """``list_ids`` (deduplicated) after checking every list exists in the brand (422 naming ``field`` otherwise)."""
    wanted = list(dict.fromkeys(list_ids))
    missing = sorted(set(wanted) - state.existing_ids("lists", wanted))
    if missing:
        raise invalid({field: [f"unknown list id {i}" for i in missing]})
    return wanted


def trigger_lists(state: SandboxState, trigger: Mapping[str, Any], field: str) -> list[int]:
    """The lists a trigger's attributes name: ``contact_list_id`` (the single-list field) first, then
    ``contact_list_ids``, checked by :func:`check_lists`."""
    ids = list(trigger.get("contact_list_ids") or [])
    if trigger.get("contact_list_id") is not None:
        ids.insert(0, trigger["contact_list_id"])
    return check_lists(state, ids, field)


def audience_condition(
    state: SandboxState, list_ids: list[int], segment_id: int | None, channel: str = "email"
) -> tuple[str, list]:
    """The brand's subscribed contacts in any of ``list_ids`` (if given) AND matching the segment (if given); for
    email, contacts whose address is suppressed are skipped."""
    clauses = [
        state.in_brand(),
        "email IS NOT NULL AND json_extract(doc, '$.subscribed_email') = 1 AND " + NOT_SUPPRESSED
        if channel == "email"
        else "phone IS NOT NULL AND json_extract(doc, '$.subscribed_phone') = 1",
    ]
    params: list = []
    if list_ids:
        clauses.append(
            f"id IN (SELECT contact_id FROM list_members WHERE list_id IN ({','.join('?' * len(list_ids))}))"
        )
        params.extend(list_ids)
    if segment_id is not None:
        where, values = segment_condition(state, segment_id)
        if where:
            clauses.append(f"({where})")
            params.extend(values)
    return " AND ".join(clauses), params


def matching_ids(state: SandboxState, where: str, params: list) -> list[int]:
    """Ids of the brand's contacts matching ``where``, ascending."""
    sql = f"SELECT id FROM contacts WHERE {state.in_brand(where)} ORDER BY id"
    return [row[0] for row in state.store.execute(sql, params)]
