"""Contact lists: list, create, get, update, delete, and bulk membership by email
(``POST /lists/{id}/contacts/bulk``); ``contacts_count`` is always the live member count."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...errors import json_response
from ...services.lists import change_members, lists
from ...services.models import ListBulk, ResourceId
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register

router = APIRouter()
LISTED = (lists,)  # its list route is the generic one, put first by the app


@router.post("/lists/{ident}/contacts/bulk", tags=["Lists"], summary="Add or remove contacts by email")
def bulk_membership(ident: ResourceId, body: ListBulk, state: SandboxState = Depends(get_state)) -> Response:
    """``{"action": "add"|"remove", "emails": [...]}`` (1 to 1000 addresses, matched case-insensitively against the
    brand's contacts): answers which addresses were added (or removed), which were already in (or not in) the
    list, which match no contact of the brand, and the list's new ``contacts_count``."""
    return json_response(change_members(state, ident, body))


register(router, lists)
