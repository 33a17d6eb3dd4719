"""Flows: the standalone automation flows behind /flows (trigger, steps, the templates of their email steps),
updates with optimistic concurrency on ``updated_at``.

Status is draft|live|paused|archived|cancelled. A flow is ``pending_review`` until it first goes live, which
approves it (the sandbox reviews instantly); it stays approved when paused. ``sent_count`` is the number of
messages the flow sent, exactly what ``GET /messages?flow_id=ID`` returns.
"""

from __future__ import annotations

from ..errors import ApiError, invalid
from ..state import SandboxState
from ..store import parse_iso
from .audience import segment_condition, trigger_lists
from .flow_steps import step_templates, walk_steps
from .messages import messages
from .models import FlowCreate, FlowUpdate
from .resource import Resource
from .segment_filters import compile_filters
from .templates import attached_templates

FIELDS = (
    "id",
    "account_id",
    "brand_id",
    "status",
    "approval_state",
    "name",
    "goal",
    "trigger",
    "steps",
    "sent_count",
    "created_at",
    "updated_at",
    "templates",
)
DEFAULT_EVENT = "contact_add"


def _trigger_output(trigger: dict) -> dict:
    list_ids = trigger.get("contact_list_ids") or []
    return {
        "event": trigger.get("event"),
        "segment_id": trigger.get("segment_id"),
        "contact_list_id": list_ids[0] if list_ids else None,
        "contact_list_ids": list_ids,
        "data": trigger.get("data"),
    }


class Flows(Resource):
    """Standalone automation flows."""

    table, label, fields = "flows", "Flow", FIELDS
    create_model, update_model = FlowCreate, FlowUpdate
    idempotent = True

    def present(self, state: SandboxState, docs: list) -> list:
        templates = attached_templates(state, [tid for d in docs for tid in d.get("template_ids", [])])
        sent = messages.counts(state, "flow_id", [d["id"] for d in docs], "flow")
        return [
            {
                **{k: d.get(k) for k in FIELDS},
                "trigger": _trigger_output(d.get("trigger") or {}),
                "sent_count": sent[d["id"]],
                "templates": [templates[tid] for tid in d.get("template_ids", []) if tid in templates],
            }
            for d in docs
        ]

    def _apply(self, state: SandboxState, doc: dict, body: FlowUpdate, now: str) -> dict:
        changes = body.changes()
        for key in ("name", "status", "goal"):
            if changes.get(key) is not None:
                doc[key] = changes[key]
        if body.trigger is not None:
            trigger = body.trigger.model_dump(exclude_unset=True)
            if trigger.get("segment_id") is not None:
                segment_condition(state, trigger["segment_id"], "trigger.segment_id")
            doc["trigger"] = {
                "event": trigger.get("event") or DEFAULT_EVENT,
                "segment_id": trigger.get("segment_id"),
                "contact_list_ids": trigger_lists(state, trigger, "trigger.contact_list_ids"),
                "data": trigger.get("data"),
            }
        if body.steps is not None:
            steps = [step.model_dump(exclude_none=True) for step in body.steps]
            for where, step in walk_steps(steps):  # split filters at any depth are checked
                if step.get("filters"):
                    try:
                        compile_filters(step["filters"])
                    except ApiError as error:
                        raise invalid({f"{where}.{k}": v for k, v in (error.validation_errors or {}).items()}) from None
            doc["steps"] = steps
        if doc["status"] == "live":
            doc["approval_state"] = "approved"
        return doc

    def build(self, state: SandboxState, body: FlowCreate, now: str) -> dict:
        doc = {
            "status": body.status,
            "approval_state": "pending_review",
            "name": body.name,
            "goal": None,
            "trigger": {"event": DEFAULT_EVENT, "segment_id": None, "contact_list_ids": [], "data": None},
            "steps": [],
            "template_ids": [],
            "created_at": now,
            "updated_at": now,
        }
        return self._apply(state, doc, body, now)

    def after_save(self, state: SandboxState, doc: dict, body: FlowCreate) -> None:
        """Replace the templates of the flow's email steps when the steps changed."""
        if body.steps is None:
            return
        self.before_delete(state, doc)
        templates = [state.insert("templates", t) for t in step_templates(doc["steps"], doc["id"], doc["updated_at"])]
        doc["template_ids"] = [t["id"] for t in templates]
        state.store.replace(self.table, doc)

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        for template_id in doc.get("template_ids", []):
            state.store.delete("templates", template_id)

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: FlowUpdate, now: str) -> dict:
        if body.updated_at is not None:
            try:
                stale = parse_iso(body.updated_at) != parse_iso(doc["updated_at"])
            except ValueError:
                raise invalid({"updated_at": ["must be an ISO 8601 timestamp"]}) from None
            if stale:
                raise ApiError(
                    409,
                    f"Flow {doc['id']} was modified at {doc['updated_at']}, after the updated_at "
                    f"you sent ({body.updated_at}); reload it and retry",
                    code="stale_flow",
                )
        return self._apply(state, doc, body, now)


flows = Flows()
