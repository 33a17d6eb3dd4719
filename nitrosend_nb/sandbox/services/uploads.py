"""Uploaded files (blobs) and the signed tokens that name them, as the real service's direct uploads do.

``POST /v1/direct_uploads`` declares a file (name, size, base64 MD5, type) and answers with a ``signed_id`` and
a presigned upload URL; the client PUTs the bytes there with no API key (the token in the URL is the
authorisation) within :data:`UPLOAD_URL_LIFETIME` (Active Storage's default, 5 minutes; later a 403 says the URL
expired), then names the blob by its ``signed_id`` in ``POST /imports``. A multipart import stores its
file as a blob too, so the import processor reads every file the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timezone

from ..errors import ApiError, invalid
from ..state import SandboxState

#: Where the presigned PUT goes, below the server root (the path Rails' disk service uses).
UPLOAD_PATH = "/rails/active_storage/disk"
UPLOAD_URL_LIFETIME = 300  # seconds a presigned upload URL is valid (Active Storage's service_urls_expire_in)
LIFETIMES = {"upload": UPLOAD_URL_LIFETIME}  # token purpose -> seconds; a signed_id ("blob") does not expire


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
) -> dict:
    """Store a blob record of the request's brand; ``data`` given (a multipart file) means already uploaded."""
    doc = {
        "filename": filename,
        "content_type": content_type,
        "byte_size": byte_size,
        "checksum": checksum_,
        "uploaded": data is not None,
        "data": base64.b64encode(data).decode() if data is not None else None,
        "created_at": now,
    }
    return state.insert("blobs", doc)


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


def blob_for(state: SandboxState, signed_id: str) -> dict:
    """The uploaded blob of the request's brand a ``signed_id`` names (422 naming ``signed_id`` otherwise)."""
    blob_id = unsign(state, "blob", signed_id)
    blob = state.find("blobs", blob_id) if blob_id else None
    if blob is None:
        raise invalid({"signed_id": ["is invalid or expired"]})
    if not blob["uploaded"]:
        raise invalid({"signed_id": ["names a file whose bytes were never uploaded: PUT them to direct_upload.url"]})
    return blob


def blob_bytes(blob: dict) -> bytes:
    """The stored content of an uploaded blob."""
    return base64.b64decode(blob["data"])
