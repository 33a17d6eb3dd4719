"""Flows started by events: every live flow whose trigger ``event`` names a tracked event runs for its contact.

The sandbox runs a flow at once, start to end (time is compressed: ``wait`` steps do not wait). A flow whose
trigger names lists or a segment runs only for contacts in them. ``split`` steps follow their ``yes`` or ``no``
branch by evaluating their filters against the contact; ``email`` steps send to the contact's address (marketing
steps only while it is subscribed; ``transactional`` steps always), with the event's ``data`` readable as
``{{ event.x }}``; ``sms`` steps text its phone; ``emit_event`` steps ask the caller to track a follow-up event.
Each send is a message with ``source_type`` ``flow`` and meets the suppression rules like any other email.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...rendering import merge_context
from ..engine.delivery import content_sender, count_usage, deliver, record_message
from ..engine.rendering import render_email
from ..state import SandboxState
from .segment_filters import compile_filters

RUNNING = ("live",)  # flow statuses that react to events


def _matches(state: SandboxState, contact_id: int, where: str, params: list) -> bool:
    """Whether the contact satisfies an SQL condition over the contacts table (an empty one always holds)."""
    return not where or state.store.count("contacts", f"id = ? AND ({where})", [contact_id, *params]) > 0


def _in_audience(state: SandboxState, trigger: Mapping, contact_id: int) -> bool:
    list_ids = trigger.get("contact_list_ids") or []
    if list_ids:
        marks = ",".join("?" * len(list_ids))
        if not state.store.execute(
            f"SELECT 1 FROM list_members WHERE contact_id = ? AND list_id IN ({marks})", [contact_id, *list_ids]
        ):
            return False
    if trigger.get("segment_id") is not None:
        segment = state.find("segments", trigger["segment_id"])
        return segment is not None and _matches(state, contact_id, *compile_filters(segment.get("filters") or []))
    return True


def _path(state: SandboxState, steps: list, contact_id: int) -> Iterator[dict]:
    """The steps a contact goes through, splits resolved."""
    for step in steps or []:
        yield step
        if step.get("type") == "split":
            taken = _matches(state, contact_id, *compile_filters(step.get("filters") or []))
            yield from _path(state, step.get("yes" if taken else "no") or [], contact_id)


def triggered_flows(state: SandboxState, event: Mapping) -> list[dict]:
    """The live flows ``event`` starts for its contact, in id order."""
    flows = state.store.query(
        "flows",
        state.in_brand(
            "json_extract(doc, '$.trigger.event') = ? AND "
            "json_extract(doc, '$.status') "
            f"IN ({','.join('?' * len(RUNNING))})"
        ),
        [event["event"], *RUNNING],
        order="id ASC",
    )
    return [flow for flow in flows if _in_audience(state, flow.get("trigger") or {}, event["contact_id"])]


def _message(state: SandboxState, flow: Mapping, event: Mapping, contact: Mapping, now: str, **fields: Any) -> dict:
    """Record one message of ``flow``, started by ``event`` for ``contact`` (the send path's own recorder)."""
    return record_message(
        state,
        now,
        **fields,
        source_type="flow",
        source_name=flow["name"],
        flow_id=flow["id"],
        contact_id=contact["id"],
        event_id=event["id"],
    )


def run_flow(
    state: SandboxState, flow: dict, event: Mapping, contact: Mapping, now: str, theme: Mapping | None
) -> list[dict]:
    """Run ``flow`` for ``contact`` as started by ``event``; returns the follow-up events its ``emit_event`` steps
    ask for (``{"event", "data"}``)."""
    context = merge_context(state.brand(), contact, event=event.get("data"))
    emitted = []
    for step in _path(state, flow.get("steps") or [], contact["id"]):
        kind = step.get("type")
        if kind == "email" and contact.get("email") and (contact.get("subscribed_email") or step.get("transactional")):
            email = render_email(step, context, theme)
            message = _message(
                state, flow, event, contact, now, channel="email", to=contact["email"], subject=email.subject
            )
            from_, reply_to = content_sender(state, step)
            deliver(state, now, email, message, kind="flow", from_=from_, reply_to=reply_to, context=context)
        elif kind == "sms" and contact.get("phone") and (contact.get("subscribed_phone") or step.get("transactional")):
            _message(state, flow, event, contact, now, channel="sms", to=contact["phone"], subject=None)
            count_usage(state, sms=1)
        elif kind == "emit_event" and step.get("event_name"):
            data = event.get("data") if step.get("forward_event_data") else step.get("event_data")
            emitted.append({"event": step["event_name"], "data": dict(data or {})})
    return emitted
