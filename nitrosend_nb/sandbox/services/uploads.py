"""Uploaded files (blobs) and the signed tokens that name them, as the real service's direct uploads do.

``POST /v1/direct_uploads`` declares a file (name, size, base64 MD5, type) and answers with a ``signed_id`` and
a presigned upload URL; the client PUTs the bytes there with no API key (the token in the URL is the
authorisation) within :data:`UPLOAD_URL_LIFETIME` (Active Storage's default, 5 minutes; later a 403 says the URL
expired), then names the blob by its ``signed_id`` in ``POST /imports`` (purpose ``import``: a CSV file) or
``POST /images`` (purpose ``image`` or ``media_asset``: a PNG, JPEG, GIF, WebP or SVG picture). A multipart import
stores its file as a blob too, so the import processor reads every file the same way; a blob serves only the
purpose it was declared for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
import time
from datetime import datetime, timezone

from ..errors import ApiError, invalid
from ..limits import MAX_IMAGE_BYTES, MAX_IMPORT_FILE_BYTES, media_type
from ..state import SandboxState

#: Where the presigned PUT goes, below the server root (the path Rails' disk service uses).
UPLOAD_PATH = "/rails/active_storage/disk"
UPLOAD_URL_LIFETIME = 300  # seconds a presigned upload URL is valid (Active Storage's service_urls_expire_in)
LIFETIMES = {"upload": UPLOAD_URL_LIFETIME}  # token purpose -> seconds; a signed_id ("blob") does not expire
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")
DIRECT_UPLOADS_PER_MINUTE = 120  # direct uploads declared in any 60 seconds (every purpose); one more answers 429
#: What a direct upload of each purpose may be: its content types and its largest size in bytes.
PURPOSES = {
    "import": (CSV_TYPES, MAX_IMPORT_FILE_BYTES),
    "image": (IMAGE_TYPES, MAX_IMAGE_BYTES),
    "media_asset": (IMAGE_TYPES, MAX_IMAGE_BYTES),
}


def _secret(state: SandboxState) -> bytes:
    """The per-database signing secret (made on first use, kept in meta so --db restarts honour old tokens)."""
    with state.store.atomic():
        secret = state.store.meta("signing_secret")
        if secret is None:
            secret = secrets.token_hex(32)
            state.store.set_meta("signing_secret", secret)
    return bytes.fromhex(secret)


def sign(state: SandboxState, purpose: str, blob_id: int) -> str:
    """A token naming ``blob_id`` for ``purpose`` ("upload": the PUT URL, "blob": the signed_id); an upload
    token carries its expiry (:data:`LIFETIMES`)."""
    claims: dict = {"blob": blob_id, "for": purpose}
    if purpose in LIFETIMES:
        claims["exp"] = int(time.time() + LIFETIMES[purpose])
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    digest = hmac.new(_secret(state), f"{purpose}:{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{payload}--{digest}"


def _claims(state: SandboxState, purpose: str, token: str) -> dict | None:
    """What a token signed for ``purpose`` says (blob id, expiry), or None when it is forged, damaged or for
    another use."""
    payload, _, digest = token.partition("--")
    expected = hmac.new(_secret(state), f"{purpose}:{payload}".encode(), hashlib.sha256).hexdigest()
    if not payload or not hmac.compare_digest(expected, digest):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) and claims.get("for") == purpose else None


def unsign(state: SandboxState, purpose: str, token: str) -> int | None:
    """The blob id a token signed for ``purpose`` names, or None when it is forged, damaged or for another use."""
    claims = _claims(state, purpose, token)
    return claims.get("blob") if claims else None


def checksum(data: bytes) -> str:
    """Base64 MD5 of ``data`` (the ``checksum`` / ``Content-MD5`` of a direct upload)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def new_blob(
    state: SandboxState,
    *,
    filename: str,
    content_type: str,
    byte_size: int,
    checksum_: str,
    now: str,
    data: bytes | None = None,
    purpose: str = "import",
    **extra: object,
) -> dict:
    """Store a blob record of the request's brand for ``purpose``; ``data`` given (a multipart file, an image sent
    in the body) means already uploaded; ``extra`` fields (an image's dimensions) are kept with it."""
    doc = {
        "purpose": purpose,
        "filename": filename,
        "content_type": content_type,
        "byte_size": byte_size,
        "checksum": checksum_,
        "uploaded": data is not None,
        "data": base64.b64encode(data).decode() if data is not None else None,
        "created_at": now,
        **extra,
    }
    return state.insert("blobs", doc)


def paced(state: SandboxState, table: str, per_minute: int, what: str) -> float:
    """Refuse (429 with ``Retry-After``) a new record of ``table`` when ``per_minute`` were made in the last 60
    seconds of real time (each keeps its ``created_unix``); returns the time to stamp the new one with."""
    now = time.time()
    stamps = [
        row[0]
        for row in state.store.execute(
            f"SELECT json_extract(doc, '$.created_unix') AS made FROM {table} WHERE made > ? ORDER BY made",
            (now - 60,),
        )
    ]
    if len(stamps) >= per_minute:
        wait = max(1, math.ceil(stamps[-per_minute] + 60 - now))
        message = f"At most {per_minute} {what} a minute; retry in {wait} s"
        raise ApiError(429, message, headers={"Retry-After": str(wait)})
    return now


def declare_upload(state: SandboxState, purpose: str, declared: object, base_url: str) -> dict:
    """A blob for a file to upload for ``purpose`` (its size and type checked against :data:`PURPOSES`) with its
    ``signed_id`` and a presigned ``direct_upload.url`` under ``base_url`` to PUT the bytes to. ``declared`` is the
    request's ``blob`` (filename, byte_size, checksum, content_type)."""
    types, largest = PURPOSES[purpose]
    if declared.byte_size > largest:
        raise invalid({"blob.byte_size": [f"is over the limit of {largest:,} bytes for {purpose} uploads"]})
    if media_type(declared.content_type) not in types:
        raise invalid({"blob.content_type": [f"must be one of {', '.join(types)} for {purpose} uploads"]})
    with state.store.atomic():
        made = paced(state, "blobs", DIRECT_UPLOADS_PER_MINUTE, "direct uploads")
        blob = new_blob(
            state,
            filename=declared.filename,
            content_type=media_type(declared.content_type),
            byte_size=declared.byte_size,
            checksum_=declared.checksum,
            now=state.store.tick(),
            purpose=purpose,
            created_unix=made,
        )
    url = base_url.rstrip("/") + f"{UPLOAD_PATH}/{sign(state, 'upload', blob['id'])}"
    return {
        "id": blob["id"],
        "key": f"blob-{blob['id']}",
        "filename": blob["filename"],
        "content_type": blob["content_type"],
        "byte_size": blob["byte_size"],
        "checksum": blob["checksum"],
        "signed_id": sign(state, "blob", blob["id"]),
        "created_at": blob["created_at"],
        "direct_upload": {
            "url": url,
            "headers": {"Content-Type": blob["content_type"], "Content-MD5": blob["checksum"]},
        },
    }


def receive(state: SandboxState, token: str, data: bytes, content_md5: str | None) -> None:
    """Accept the bytes PUT to an upload URL: the token must be valid and unexpired, size and checksum as
    declared."""
    claims = _claims(state, "upload", token) or {}
    blob = state.store.get("blobs", claims["blob"]) if isinstance(claims.get("blob"), int) else None
    if blob is None:
        raise ApiError(403, "Invalid upload URL")
    if time.time() > claims.get("exp", float("inf")):
        expired = datetime.fromtimestamp(claims["exp"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise ApiError(
            403,
            f"This upload URL expired at {expired} (upload URLs are valid for {UPLOAD_URL_LIFETIME // 60} minutes): "
            "declare the file again with POST /v1/direct_uploads",
            code="upload_url_expired",
        )
    if len(data) != blob["byte_size"]:
        raise invalid({"body": [f"is {len(data)} bytes; {blob['byte_size']} were declared"]})
    if checksum(data) != blob["checksum"] or (content_md5 and content_md5 != blob["checksum"]):
        raise invalid({"body": ["does not match the declared checksum (base64 MD5)"]})
    blob["data"], blob["uploaded"] = base64.b64encode(data).decode(), True
    state.store.replace("blobs", blob)


def blob_for(state: SandboxState, signed_id: str, purposes: tuple[str, ...] = ("import",)) -> dict:
    """The uploaded blob of the request's brand a ``signed_id`` names, declared for one of ``purposes`` (422 naming
    ``signed_id`` otherwise)."""
    blob_id = unsign(state, "blob", signed_id)
    blob = state.find("blobs", blob_id) if blob_id else None
    if blob is None:
        raise invalid({"signed_id": ["is invalid or expired"]})
    if blob.get("purpose", "import") not in purposes:
        raise invalid({"signed_id": [f"names a file uploaded for {blob['purpose']}, not for {' or '.join(purposes)}"]})
    if not blob["uploaded"]:
        raise invalid({"signed_id": ["names a file whose bytes were never uploaded: PUT them to direct_upload.url"]})
    return blob


def blob_bytes(blob: dict) -> bytes:
    """The stored content of an uploaded blob."""
    return base64.b64decode(blob["data"])
