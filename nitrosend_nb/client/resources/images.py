"""Images for emails: ``POST /images`` ingests a picture by URL, or names one uploaded through the direct-upload
flow (:mod:`nitrosend_nb.client.uploads`); either way the answer is an ImageAsset whose ``image_url`` is what an
``<img src>`` or an image section's ``src`` takes."""

from __future__ import annotations

import os
from pathlib import Path

from nitrosend_nb.client.resources.base import ApiGroup
from nitrosend_nb.client.uploads import direct_upload

__all__ = ["Images", "SIGNATURES", "sniff_image_type"]

#: Picture types by the first bytes of the file (WebP and SVG are recognised in sniff_image_type).
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
PURPOSES = ("image", "media_asset")
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}


def sniff_image_type(data: bytes) -> str | None:
    """The content type of picture ``data`` (PNG, JPEG, GIF, WebP or SVG) from its first bytes; None otherwise."""
    for magic, content_type in SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


class Images(ApiGroup):
    """Pictures to use in emails: :meth:`ingest` one by URL, :meth:`upload` one from a file or bytes; each returns
    the ImageAsset (``image_url``, ``signed_id``, ``filename``, ``content_type``, ``byte_size``, ``width``,
    ``height``...)."""

    path = "/images"

    def ingest(self, url: str, *, filename: str | None = None) -> dict:
        """Record the image at ``url`` (http, https or a ``data:`` URL); ``filename`` names it when the URL's last
        segment does not. A sandbox cannot fetch the internet: it keeps a remote URL as it is (no size or
        dimensions) and reads the real ones of a ``data:`` URL or of an image it serves itself."""
        if not isinstance(url, str) or not url.strip().lower().startswith(("http://", "https://", "data:")):
            raise ValueError(f"url must be an http, https or data: URL, got {url!r}")
        body = {"image_url": url.strip(), **({"filename": filename} if filename else {})}
        return self._call("POST", json=body)

    def upload(self, source: bytes | str | os.PathLike, *, filename: str | None = None, purpose: str = "image") -> dict:
        """Upload a picture (a file path, or its bytes) through a direct upload of ``purpose`` (``image`` or
        ``media_asset``) and return its ImageAsset. The type is read from the bytes (PNG, JPEG, GIF, WebP or SVG;
        anything else is refused before a request is sent); ``filename`` defaults to the path's name, or to
        ``image`` with the type's extension."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}")
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            data, filename = Path(source).read_bytes(), filename or Path(source).name
        else:
            raise TypeError(f"source must be a file path or bytes, got {type(source).__name__}")
        content_type = sniff_image_type(data)
        if content_type is None:
            raise ValueError("not a PNG, JPEG, GIF, WebP or SVG picture" + (" (the file is empty)" if not data else ""))
        name = filename or "image" + EXTENSIONS[content_type]
        signed_id = direct_upload(self._client, data, filename=name, content_type=content_type, purpose=purpose)
        return self._call("POST", json={"signed_id": signed_id})
