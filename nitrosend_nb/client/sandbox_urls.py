"""Where a sandbox's parts live, given its root URL (``http://HOST:PORT``) or its API URL (``.../v1/my``)."""

from __future__ import annotations

from nitrosend_nb.client.defaults import API_PATH

INBOX_PATH = "/_sandbox/"


def split_sandbox_url(url: str) -> tuple[str, str]:
    """Accept a sandbox's root URL or its API URL; return ``(api_url, root_url)``."""
    url = url.rstrip("/")
    root = url.removesuffix(API_PATH)
    return root + API_PATH, root


def inbox_url(url: str) -> str:
    """The sandbox's HTML inbox page, for its root or API URL."""
    return split_sandbox_url(url)[1] + INBOX_PATH
