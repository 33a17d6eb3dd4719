"""Flow steps as stored and returned (``FlowStepOutput`` dicts), and the templates of their email steps."""

from __future__ import annotations

from typing import Iterator

STEP_TEMPLATE_FIELDS = ("subject", "body", "preheader", "from_name", "from_email", "reply_to", "design")


def email_steps(steps: list[dict]) -> Iterator[dict]:
    """Every email step, depth first through split branches."""
    for step in steps or []:
        if step.get("type") == "email":
            yield step
        for branch in ("yes", "no"):
            yield from email_steps(step.get(branch) or [])


def step_templates(steps: list[dict], flow_id: int, now: str) -> list[dict]:
    """One template document (no id yet) per email step, attached to the flow by ``flow_id``."""
    return [{"name": step.get("subject"), "flow_id": flow_id, "action_id": None,
             **{k: step.get(k) for k in STEP_TEMPLATE_FIELDS}, "created_at": now, "updated_at": now}
            for step in email_steps(steps)]
