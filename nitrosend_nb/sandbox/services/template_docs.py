"""Template documents as stored: the content fields (one list, taken from the request model) and a new document.

Light on purpose (no CRUD layer): the seed builds flow templates with it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .models import TemplateAttributes

#: A template's content fields, in the Template schema's order: every template-shaped document derives from it.
CONTENT_FIELDS = tuple(TemplateAttributes.model_fields)


def template_doc(name: str | None, flow_id: int | None, content: Mapping[str, Any], now: str) -> dict:
    """A new template document (no id yet) named ``name`` with ``content``'s fields (missing ones None); a flow's
    email step or a campaign's content is attached to its flow by ``flow_id``, a standalone template has none."""
    return {
        "name": name,
        "flow_id": flow_id,
        "action_id": None,
        **{k: content.get(k) for k in CONTENT_FIELDS},
        "created_at": now,
        "updated_at": now,
    }
