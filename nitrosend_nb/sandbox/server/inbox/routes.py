"""Read-only inbox endpoints: the page, its assets and the favicon, ``/_sandbox/messages`` (search, paginated like
the API), one email, its ``.eml`` source and its checks, and the recipients' unsubscribe pages."""

from __future__ import annotations

import html
from importlib.resources import files

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ....email_checks import check_email, probe_sandbox
from ...engine.pictures import PICTURE_PATH, picture
from ...errors import json_response, not_found
from ...limits import MAX_SEARCH_LENGTH
from ...services.models import ResourceId
from ...services.pagination import MAX_LIMIT, page_request
from ...state import SandboxState
from ..dependencies import app_state
from . import views
from .search import compile_query

router = APIRouter(prefix="/_sandbox", tags=["Sandbox inbox"])
pages = APIRouter(tags=["Sandbox inbox"])
ASSETS = {"inbox.js": "text/javascript", "inbox.css": "text/css"}
# Email HTML lives in sandboxed srcdoc iframes, which inherit this policy: no script runs anywhere on the page
# but the inbox's own file, and images may come from anywhere (as in a mail client).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data:; "
    "connect-src 'self'; frame-src 'self'; font-src * data:; base-uri 'none'; form-action 'none'"
)


def _asset(name: str) -> str:
    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _row(state: SandboxState, ident: int) -> dict:
    row = state.store.get("outbox", ident)
    if row is None:
        raise not_found("Email", ident)
    return row


@router.get("/", response_class=HTMLResponse, summary="The inbox page (search, views, checks, live updates)")
def inbox_page() -> HTMLResponse:
    """The inbox app: a static page driven by the JSON API below."""
    return HTMLResponse(_asset("inbox.html"), headers={"Content-Security-Policy": PAGE_POLICY})


@pages.get("/favicon.ico", summary="The sandbox's icon (browsers ask for it on every page)")
def favicon() -> Response:
    """The icon of the inbox page and every other page the sandbox serves, as a multi-size ``.ico``."""
    icon = files(__package__).joinpath("static", "favicon.ico").read_bytes()
    return Response(icon, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})


@router.get(PICTURE_PATH.removeprefix(router.prefix) + "/{name}.png", summary="A seeded brand's picture")
def seeded_picture(name: str) -> Response:
    """The demo's logos and product photo (see :mod:`~nitrosend_nb.sandbox.engine.pictures`), which its
    emails show from ``https://sandbox.nitrosend.test/_sandbox/images/NAME.png``."""
    data = picture(name)
    if data is None:
        raise not_found("Image", name)
    return Response(data, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get("/assets/{name}", summary="The inbox page's script and style sheet")
def inbox_asset(name: str) -> Response:
    """``inbox.js`` or ``inbox.css``."""
    if name not in ASSETS:
        raise not_found("Asset", name)
    return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


SEARCH_PARAMETERS = [  # documented for /docs and the fuzz test; read by compile_query and page_request
    {
        "name": "query",
        "in": "query",
        "description": "Search terms (see the inbox's grammar): to:, from:, subject:, kind:, campaign:, template:, "
        "tag:, before:, after:, free text, quoted phrases, - or not to negate",
        "schema": {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
    },
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
]


@router.get(
    "/messages",
    summary="Search captured emails, newest first, paginated",
    openapi_extra={"parameters": SEARCH_PARAMETERS},
)
def search_messages(request: Request, state: SandboxState = Depends(app_state)) -> Response:
    """``?query=`` in the inbox's search grammar (see :mod:`.search`); ``page``/``limit`` and the pagination
    headers as the API has them."""
    page = page_request(request)
    where, params = compile_query(request.query_params.get("query", ""))
    total = state.store.count("outbox", where, params)
    rows = state.store.query("outbox", where, params, order="id DESC", limit=page.limit, offset=page.offset)
    facts = views.message_facts(state, rows)
    return json_response([views.summary(row, facts) for row in rows], headers=page.headers(total))


@router.get("/messages/latest", summary="The newest email's id and the outbox size (for live updates)")
def latest(state: SandboxState = Depends(app_state)) -> Response:
    """``{"latest_id", "total"}``: poll it and re-read the list when it changes."""
    newest = state.store.query("outbox", order="id DESC", limit=1)
    return json_response(
        {"latest_id": newest[0]["id"] if newest else None, "total": state.store.count("outbox")},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/messages/{ident}", summary="One captured email: HTML, text, headers, merge context, records")
def get_message(ident: ResourceId, state: SandboxState = Depends(app_state)) -> Response:
    """The full record of email ``ident``."""
    row = _row(state, ident)
    return json_response(views.detail(row, views.message_facts(state, [row])))


@router.get("/messages/{ident}/source", summary="The raw source of one email (.eml)")
def get_source(ident: ResourceId, state: SandboxState = Depends(app_state)) -> Response:
    """RFC 5322 bytes, served as an ``.eml`` download."""
    return Response(
        views.source(_row(state, ident)),
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="email-{ident}.eml"'},
    )


@router.get("/messages/{ident}/checks", summary="Link, image, List-Unsubscribe and compatibility checks")
def get_checks(ident: ResourceId, request: Request, state: SandboxState = Depends(app_state)) -> Response:
    """The checks of :mod:`nitrosend_nb.email_checks`; links the sandbox serves are fetched from it."""
    row = _row(state, ident)
    root = str(request.base_url).rstrip("/")
    result = check_email(
        row.get("html"),
        kind=row.get("kind"),
        headers=row.get("headers") or {},
        probe=lambda url: probe_sandbox(root, url),
        origins=(root,),
    )
    return json_response({"id": ident, **result})


@pages.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="A recipient's unsubscribe page")
def unsubscribe_page(token: str, state: SandboxState = Depends(app_state)) -> HTMLResponse:
    """Where an email's unsubscribe link leads (``test`` for sends without a contact). Read-only: it names the
    contact the real service would unsubscribe and changes nothing."""
    found = (
        [] if token == "test" else state.store.query("contacts", "json_extract(doc, '$.uuid') = ?", (token,), limit=1)
    )
    if token != "test" and not found:
        return HTMLResponse(
            "<!DOCTYPE html><title>Unknown link</title><p>No contact has this unsubscribe link.</p>", status_code=404
        )
    who = html.escape(found[0].get("email") or f"contact #{found[0]['id']}") if found else "a test recipient"
    return HTMLResponse(
        f"<!DOCTYPE html><title>Unsubscribe</title><p>This link unsubscribes {who}. The sandbox "
        "shows this page only: nothing is changed.</p>"
    )
