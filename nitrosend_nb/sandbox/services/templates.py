"""Templates: the stored template documents, their views (full with computed ``variables``, and list summaries)
and the templates attached to campaigns and flows."""

from __future__ import annotations

from fastapi import Request

from ...rendering import merge
from ...rendering.design import design_strings, section_types
from ..errors import campaign_locked
from ..state import SandboxState
from .models import TemplateCreate, TemplateUpdate
from .resource import Query, Resource
from .template_docs import CONTENT_FIELDS, template_doc

FIELDS = (
    "id",
    "name",
    "flow_id",
    "action_id",
    *CONTENT_FIELDS,
    "variables",
    "created_at",
    "updated_at",
)
SUMMARY_FIELDS = (
    "id",
    "name",
    "subject",
    "preheader",
    "flow_id",
    "section_count",
    "section_types",
    "created_at",
    "updated_at",
)


def variables(template: dict) -> dict:
    """The merge tags a template uses, grouped by namespace: ``{"contact": ["first_name"], "data": [...]}``."""
    sources = [template.get(k) for k in ("subject", "preheader", "body")]
    sources += [text for _, text in design_strings(template.get("design"))]
    grouped: dict[str, list[str]] = {}
    for path in merge.variables(sources):
        namespace, _, rest = path.partition(".")
        names = grouped.setdefault(namespace, [])
        if rest and rest not in names:
            names.append(rest)
    return grouped


def template_view(template: dict) -> dict:
    """A stored template with its computed ``variables``, in the Template schema's shape."""
    return {**{k: template.get(k) for k in FIELDS}, "variables": variables(template)}


def attached_templates(state: SandboxState, ids: list[int]) -> dict[int, dict]:
    """Campaign/flow templates by id, presented (one query for a whole page)."""
    return {ident: template_view(row) for ident, row in state.store.by_ids("templates", ids).items()}


class Templates(Resource):
    """Standalone email templates."""

    table, label, fields = "templates", "Template", FIELDS
    create_model, update_model = TemplateCreate, TemplateUpdate
    paginated = False
    deletable = False  # the API has no DELETE /templates/{id}

    def present(self, state: SandboxState, docs: list) -> list:
        return [template_view(doc) for doc in docs]

    def present_list(self, state: SandboxState, docs: list) -> list:
        summaries = []
        for doc in docs:
            types = section_types(doc.get("design"))
            summaries.append(
                {**{k: doc.get(k) for k in SUMMARY_FIELDS}, "section_count": len(types), "section_types": types}
            )
        return summaries

    def list_query(self, state: SandboxState, request: Request) -> Query:
        return Query("json_extract(doc, '$.flow_id') IS NULL", order=self.order)  # standalone templates only

    def build(self, state: SandboxState, body: TemplateCreate, now: str) -> dict:
        return template_doc(body.name, None, body.changes(), now)

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: TemplateUpdate, now: str) -> dict:
        sent = state.store.count(
            "campaigns", "json_extract(doc, '$.template_id') = ? AND json_extract(doc, '$.locked') = 1", (doc["id"],)
        )
        if sent:
            raise campaign_locked()
        doc.update(changes)
        return doc


templates = Templates()
