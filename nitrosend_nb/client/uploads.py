"""Direct uploads, the one flow every file takes that is too big for a JSON body: ``POST /v1/direct_uploads``
declares the file (name, size, base64 MD5, type, and what it is for), its bytes are PUT to the presigned URL the
answer gives (without the API key: the URL's token authorises it), and the blob's ``signed_id`` then names the
file in the request that uses it (``POST /imports``, ``POST /images``)."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from nitrosend_nb.client.pagination import json_body

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["direct_upload"]


def direct_upload(client: Nitrosend, data: bytes, *, filename: str, content_type: str, purpose: str) -> str:
    """Declare ``data`` for ``purpose`` (``import``, ``image`` or ``media_asset``), PUT its bytes to the presigned
    URL and return the blob's ``signed_id``."""
    declared = client.request(
        "POST",
        "",
        base_url=urljoin(client.base_url + "/", "../direct_uploads"),
        json={
            "purpose": purpose,
            "blob": {
                "filename": filename,
                "byte_size": len(data),
                "checksum": base64.b64encode(hashlib.md5(data).digest()).decode(),
                "content_type": content_type,
            },
        },
    )
    blob = json_body(declared)
    target = blob["direct_upload"]
    headers = target.get("headers") or {}
    client.request("PUT", "", base_url=target["url"], data=data, headers=headers, authenticate=False)
    return blob["signed_id"]
