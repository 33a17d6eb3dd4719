"""Flow steps as stored and returned (``FlowStepOutput`` dicts), and the templates of their email steps."""

from __future__ import annotations

from collections.abc import Iterator

from .template_docs import template_doc


def walk_steps(steps: list[dict], path: str = "steps") -> Iterator[tuple[str, dict]]:
    """Every step with its field path (``steps.0``, ``steps.2.yes.1``...), depth first through split branches."""
    for index, step in enumerate(steps or []):
        here = f"{path}.{index}"
        yield here, step
        for branch in ("yes", "no"):
            yield from walk_steps(step.get(branch) or [], f"{here}.{branch}")


def email_steps(steps: list[dict]) -> Iterator[dict]:
    """Every email step, depth first through split branches."""
    return (step for _, step in walk_steps(steps) if step.get("type") == "email")


def step_templates(steps: list[dict], flow_id: int, now: str) -> list[dict]:
    """One template document (no id yet) per email step, attached to the flow by ``flow_id``."""
    return [template_doc(step.get("subject"), flow_id, step, now) for step in email_steps(steps)]
