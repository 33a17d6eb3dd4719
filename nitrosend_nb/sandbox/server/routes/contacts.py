"""Contacts: list (search, list_id, tag, created_after, created_before, sort, direction), search?q=, create, get,
update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import invalid
from ...services.contacts import contacts
from ...state import SandboxState
from ..dependencies import get_state
from ..resource_routes import register

router = APIRouter()
LISTED = (contacts,)  # its list route is the generic one, put first by the app


@router.get("/contacts/search", tags=["Contacts"], summary="Search contacts by name, email or phone (?q=)")
def search_contacts(request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """The seed table's ``GET /contacts/search?q=``: the same matching and pagination as ``?search=``."""
    if not request.query_params.get("q", "").strip():
        raise invalid({"q": ["is required"]})
    return contacts.page(state, request, contacts.list_query(state, request))


register(router, contacts)
