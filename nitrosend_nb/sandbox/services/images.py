"""Images for emails (``POST /images``): an ImageAsset from a URL, from bytes sent in the body, or from a direct
upload declared with purpose ``image`` or ``media_asset``.

The sandbox cannot fetch the internet, so an ``image_url`` elsewhere is recorded as it is: the asset keeps the
URL (``image_url`` and ``media_url`` point at it), takes its file name from the URL's last path segment and its
type from that name, and has no bytes, size or dimensions (``byte_size`` 0, ``width``/``height`` null). Bytes the
sandbox has (a ``data:`` URL, ``image_data``, an upload, or a URL of an image this sandbox serves) are checked
and kept: the file must be a PNG, JPEG, GIF, WebP or SVG picture of at most :data:`~..limits.MAX_IMAGE_BYTES`
bytes and :data:`~..limits.MAX_IMAGE_PIXELS` pixels, whose real dimensions are read from its header (Pillow; an
SVG's from its ``width``/``height`` or ``viewBox``), and the sandbox serves it at :data:`BLOB_PATH` (an Active
Storage blob URL: the signed id in it is the only authorisation, as on the real service).
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import re
import warnings
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from ..errors import invalid
from ..limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, clean_filename, media_type
from ..state import SandboxState
from .models import ImageIngest
from .uploads import IMAGE_TYPES, blob_bytes, blob_for, checksum, new_blob, sign, unsign

BLOB_PATH = "/rails/active_storage/blobs"  # + /{signed_id}/{filename}: where the sandbox serves an image
IMAGE_PURPOSES = ("image", "media_asset")
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[^,;]*)*?(?P<b64>;base64)?,(?P<data>.*)$", re.S)


def _length(value: bytes) -> int | None:
    """An SVG length in pixels (``120``, ``120px``, ``120.5``); None for relative units."""
    match = re.fullmatch(rb"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value)
    return round(float(match.group(1))) if match else None


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    """An SVG's width and height from its root element (``width``/``height``, else ``viewBox``)."""
    tag = _SVG_TAG.search(data[: 64 * 1024])
    if tag is None:
        raise invalid({"image": ["is not a PNG, JPEG, GIF, WebP or SVG picture"]})
    attributes = dict(re.findall(rb'([\w:-]+)\s*=\s*["\']([^"\']*)["\']', tag.group()))
    width, height = (_length(attributes.get(name, b"")) for name in (b"width", b"height"))
    box = attributes.get(b"viewBox", b"").replace(b",", b" ").split()
    if (width is None or height is None) and len(box) == 4:
        width, height = width or _length(box[2]), height or _length(box[3])
    return width, height


def inspect(data: bytes, declared_type: str | None = None) -> tuple[str, int | None, int | None]:
    """(content type, width, height) of picture ``data``; 422 naming ``image`` when it is not one of
    :data:`~.uploads.IMAGE_TYPES`, is larger than allowed or does not match ``declared_type``."""
    if len(data) > MAX_IMAGE_BYTES:
        raise invalid({"image": [f"is {len(data):,} bytes; the limit is {MAX_IMAGE_BYTES:,}"]})
    if declared_type == "image/svg+xml" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":  # SVG is text
        content_type, (width, height) = "image/svg+xml", _svg_size(data)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as picture:
                    content_type, (width, height) = FORMATS.get(picture.format, ""), picture.size
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError):
            content_type, width, height = "", None, None
        if not content_type:
            raise invalid({"image": ["is not a PNG, JPEG, GIF, WebP or SVG picture"]})
    if declared_type and declared_type != content_type:
        raise invalid({"image": [f"is {content_type}, not the {declared_type} declared"]})
    if width and height and width * height > MAX_IMAGE_PIXELS:
        raise invalid({"image": [f"is {width:,} x {height:,} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels"]})
    return content_type, width, height


def decode_data_url(url: str) -> tuple[bytes, str | None]:
    """The bytes and media type of a ``data:`` URL (422 naming ``image_url`` when it is malformed)."""
    match = _DATA_URL.match(url)
    if match is None:
        raise invalid({"image_url": ["is not a valid data: URL"]})
    payload = match.group("data")
    try:
        data = base64.b64decode(payload, validate=True) if match.group("b64") else unquote(payload).encode()
    except (binascii.Error, ValueError):
        raise invalid({"image_url": ["holds invalid base64"]}) from None
    return data, (match.group("type") or "").lower() or None


def _decode_base64(text: str) -> bytes:
    """``image_data``: base64 (or a data: URL) as bytes."""
    if text.startswith("data:"):
        return decode_data_url(text)[0]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise invalid({"image_data": ["must be base64 (or a data: URL)"]}) from None


def _name(filename: str | None, content_type: str) -> str:
    """A clean file name, or ``image`` with the type's extension."""
    name = clean_filename(filename)
    if name:
        return name
    extension = {"image/jpeg": ".jpg", "image/svg+xml": ".svg"}.get(content_type) or mimetypes.guess_extension(
        content_type
    )
    return "image" + (extension or "")


def present(blob: dict, base_url: str, state: SandboxState) -> dict:
    """The ImageAsset of an image blob (served by the sandbox, or the remote URL it was recorded from)."""
    signed_id = sign(state, "blob", blob["id"])
    url = blob.get("source_url") or f"{base_url.rstrip('/')}{BLOB_PATH}/{signed_id}/{blob['filename']}"
    return {
        "media_kind": "image",
        "media_url": url,
        "image_url": url,
        "signed_id": signed_id,
        "filename": blob["filename"],
        "content_type": blob["content_type"],
        "byte_size": blob["byte_size"],
        "width": blob.get("width"),
        "height": blob.get("height"),
    }


def _own_image(state: SandboxState, url: str, base_url: str) -> dict | None:
    """The image blob a URL of this sandbox's :data:`BLOB_PATH` names, if it is one (any brand's: the URL is
    public)."""
    parts, own = urlsplit(url), urlsplit(base_url)
    if parts.netloc != own.netloc or not parts.path.startswith(BLOB_PATH + "/"):
        return None
    token = unquote(parts.path[len(BLOB_PATH) + 1 :].split("/", 1)[0])
    blob = served_blob(state, token)
    if blob is None:
        raise invalid({"image_url": ["names no image this sandbox serves"]})
    return blob


def served_blob(state: SandboxState, signed_id: str) -> dict | None:
    """The uploaded image blob a signed id names (None: no such image; other blobs are never served)."""
    blob_id = unsign(state, "blob", signed_id)
    blob = state.store.get("blobs", blob_id) if isinstance(blob_id, int) else None
    if blob is None or blob.get("purpose") not in IMAGE_PURPOSES or not blob.get("uploaded"):
        return None
    return blob


def _remote(url: str, filename: str | None, content_type: str | None) -> dict:
    """The fields of an image recorded from a URL the sandbox cannot fetch."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid({"image_url": ["must be an http, https or data: URL"]})
    name = clean_filename(filename) or clean_filename(unquote(parts.path.rsplit("/", 1)[-1])) or "image"
    guessed = media_type(content_type) if content_type else mimetypes.guess_type(name)[0]
    if guessed and guessed not in IMAGE_TYPES:
        raise invalid({"image_url": [f"names a file of type {guessed}, not a PNG, JPEG, GIF, WebP or SVG picture"]})
    return {
        "filename": name,
        "content_type": guessed or "application/octet-stream",
        "byte_size": 0,
        "checksum_": "",
        "source_url": url,
        "width": None,
        "height": None,
    }


def ingest(state: SandboxState, body: ImageIngest, base_url: str) -> dict:
    """Record an image from the body's one source and return its ImageAsset (see the module docstring)."""
    declared = media_type(body.content_type) if body.content_type else None
    if body.signed_id:
        with state.store.atomic():
            blob = blob_for(state, body.signed_id, IMAGE_PURPOSES)
            content_type, width, height = inspect(blob_bytes(blob), blob["content_type"])
            blob.update(content_type=content_type, width=width, height=height)
            state.store.replace("blobs", blob)
        return present(blob, base_url, state)
    data, remote = None, None
    if body.image_data:
        data = _decode_base64(body.image_data)
    elif body.image_url.startswith("data:"):
        data, url_type = decode_data_url(body.image_url)
        declared = declared or url_type
    elif (own := _own_image(state, body.image_url, base_url)) is not None:
        data, declared = blob_bytes(own), own["content_type"]
        body = body.model_copy(update={"filename": body.filename or own["filename"]})
    else:
        remote = _remote(body.image_url, body.filename, body.content_type)
    with state.store.atomic():
        now = state.store.tick()
        if remote is not None:
            blob = new_blob(state, now=now, purpose="image", **remote)
        else:
            content_type, width, height = inspect(data, declared)
            blob = new_blob(
                state,
                filename=_name(body.filename, content_type),
                content_type=content_type,
                byte_size=len(data),
                checksum_=checksum(data),
                now=now,
                data=data,
                purpose="image",
                width=width,
                height=height,
            )
    return present(blob, base_url, state)
