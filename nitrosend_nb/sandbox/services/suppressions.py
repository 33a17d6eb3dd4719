"""The suppression list as /suppressions reads it: its fields and filters (active ones unless ``active=false``).

The rules that create suppressions (hard bounces and complaints on sends) are the engine's
:mod:`..engine.suppression_rules`, which the seed shares.
"""

from __future__ import annotations

from fastapi import Request

from ..engine.suppression_rules import REASONS
from ..errors import invalid
from ..state import SandboxState
from .pagination import positive_int, query_bool
from .resource import Query, Resource

FIELDS = (
    "id",
    "email",
    "reason",
    "scope",
    "active",
    "contact_id",
    "source_provider",
    "source_event_id",
    "provider_diagnostic",
    "bounce_type",
    "bounce_subtype",
    "complaint_feedback_type",
    "event_occurred_at",
    "expires_at",
    "created_at",
    "updated_at",
)


class Suppressions(Resource):
    """Email suppressions (hard and soft bounces, complaints, manual and admin blocks)."""

    table, label, fields = "suppressions", "Suppression", FIELDS
    deletable = False

    def list_query(self, state: SandboxState, request: Request) -> Query:
        query = request.query_params
        active = query_bool("active", query["active"]) if query.get("active") else True
        clauses, params = ["active = ?"], [int(active)]
        if query.get("id"):
            clauses.append("id = ?")
            params.append(positive_int("id", query["id"]))
        if query.get("email"):
            clauses.append("email = ? COLLATE NOCASE")
            params.append(query["email"].strip())
        if query.get("reason"):
            if query["reason"] not in REASONS:
                raise invalid({"reason": [f"must be one of {', '.join(REASONS)}"]})
            clauses.append("json_extract(doc, '$.reason') = ?")
            params.append(query["reason"])
        if query.get("source_provider"):
            clauses.append("json_extract(doc, '$.source_provider') = ?")
            params.append(query["source_provider"])
        return Query.matching(clauses, params, self.order)


suppressions = Suppressions()
