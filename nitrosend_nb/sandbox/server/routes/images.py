"""Images for emails: ``POST /images`` (ingest by URL, by bytes in the body, or a direct upload's ``signed_id``;
answers an ImageAsset) and, outside /v1/my, the blob URL the sandbox serves an image's bytes at (no key: the
signed id in the path authorises it). What a request becomes: :mod:`...services.images`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import ApiError, json_response
from ...services.images import BLOB_PATH, ingest, served_blob
from ...services.models import ImageIngest
from ...services.uploads import blob_bytes
from ...state import SandboxState
from ..dependencies import app_state, get_state

router = APIRouter()
LISTED = ()  # no list route
blobs_router = APIRouter(tags=["Images"])
#: An image is shown, never run: an SVG's scripts and links stay inert even when the URL is opened directly.
IMAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
}


@router.post("/images", tags=["Images"], status_code=201, summary="Ingest an image")
def create_image(body: ImageIngest, request: Request, state: SandboxState = Depends(get_state)) -> Response:
    """Exactly one of ``image_url``, ``image_data`` and ``signed_id``; answers the ImageAsset (its ``image_url``
    is what an email's ``<img src>`` or an image section's ``src`` takes)."""
    return json_response(ingest(state, body, str(request.base_url)), 201)


@blobs_router.get(BLOB_PATH + "/{signed_id}/{filename}", summary="An image's bytes")
def get_blob(signed_id: str, filename: str, state: SandboxState = Depends(app_state)) -> Response:
    """The image a signed id names, with its type; 404 for anything else (an import's file is never served)."""
    blob = served_blob(state, signed_id)
    if blob is None:
        raise ApiError(404, "No such image")
    return Response(blob_bytes(blob), media_type=blob["content_type"], headers=IMAGE_HEADERS)
