"""Checks on one email's HTML and headers, shared by the sandbox inbox and the template composer's preview.

- Links and images: every ``<a href>``, ``<img src>`` and ``background`` attribute, each with a result:
  well-formed, scheme http/https/mailto (images: http/https or an inline ``data:image``), no merge tag left
  unfilled, and for links the sandbox serves itself (host ``sandbox.nitrosend.test`` or the sandbox's own
  origin) reachable, checked with the ``probe`` the caller passes.
- ``List-Unsubscribe``: required for marketing sends (campaign, flow), and when present well-formed
  (RFC 2369 ``<uri>`` entries of https or mailto; RFC 8058 one-click ``List-Unsubscribe-Post`` with https).
- Compatibility: :data:`RULES`, a small documented set of constructs common clients drop or mangle, each
  with the clients affected.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .rendering.context import SANDBOX_HOST

__all__ = ["MARKETING_KINDS", "RULES", "check_email", "check_list_unsubscribe", "probe_sandbox", "is_sandbox_link"]

#: Kinds of send that are marketing: they must carry List-Unsubscribe headers.
MARKETING_KINDS = ("campaign", "flow")
_MAILBOX = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$")


@dataclass(frozen=True)
class Rule:
    """A risky construct: ``id``, what it is and the clients affected."""

    id: str
    title: str
    clients: tuple[str, ...]


RULES = (
    Rule(
        "style-in-body",
        "<style> element inside <body>",
        ("Gmail apps with non-Google accounts", "Outlook.com (older webmail)", "Yahoo Mail (partial)"),
    ),
    Rule(
        "flexbox",
        "CSS flexbox (display:flex)",
        ("Outlook for Windows", "Gmail apps with non-Google accounts", "Yahoo Mail"),
    ),
    Rule("grid", "CSS grid (display:grid)", ("Outlook for Windows", "Gmail", "Yahoo Mail")),
    Rule(
        "svg-image",
        "SVG images (<svg> or .svg / image/svg+xml sources)",
        ("Gmail", "Outlook for Windows", "Yahoo Mail"),
    ),
    Rule(
        "background-image",
        "Background images (CSS background-image/url() or the background attribute)",
        ("Outlook for Windows (needs VML)", "Gmail apps with non-Google accounts"),
    ),
    Rule("data-uri-image", "Inline data: URI images", ("Gmail", "Outlook for Windows", "Outlook.com")),
    Rule("position", "CSS position absolute/fixed", ("Gmail", "Outlook for Windows", "Outlook.com")),
    Rule("css-variables", "CSS custom properties (var(--x))", ("Gmail", "Outlook for Windows", "Yahoo Mail")),
    Rule("script", "<script> elements (always removed)", ("every client",)),
    Rule("form", "<form> elements", ("Gmail", "Outlook for Windows", "Apple Mail (submits disabled)")),
    Rule("external-stylesheet", "<link rel=stylesheet>", ("Gmail", "Outlook for Windows", "Yahoo Mail")),
)
_CSS_RULES = {
    "flexbox": re.compile(r"display\s*:\s*(inline-)?flex", re.I),
    "grid": re.compile(r"display\s*:\s*(inline-)?grid", re.I),
    "background-image": re.compile(r"background(-image)?\s*:[^;\"}]*url\(", re.I),
    "position": re.compile(r"position\s*:\s*(absolute|fixed)", re.I),
    "css-variables": re.compile(r"var\(\s*--", re.I),
}


class _Scanner(HTMLParser):
    """Collects links, images and the compatibility findings of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.findings: dict[str, list[str]] = {}
        self.in_head = self.in_style = False  # a fragment without <head> is all body
        self.anchor: dict | None = None

    def found(self, rule: str, example: str) -> None:
        self.findings.setdefault(rule, []).append(example[:120])

    def css(self, text: str) -> None:
        for rule, pattern in _CSS_RULES.items():
            for match in pattern.finditer(text):
                self.found(rule, match.group(0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "style":
            self.in_style = True
            if not self.in_head:
                self.found("style-in-body", "<style>")
        elif tag in ("script", "form", "svg"):
            self.found({"svg": "svg-image"}.get(tag, tag), f"<{tag}>")
        elif tag == "link" and "stylesheet" in values.get("rel", "").lower():
            self.found("external-stylesheet", values.get("href", ""))
        if values.get("style"):
            self.css(values["style"])
        if values.get("background"):
            self.found("background-image", f'background="{values["background"]}"')
            self.links.append({"kind": "image", "url": values["background"], "text": f"<{tag} background>"})
        if tag == "a" and "href" in values:
            self.anchor = {"kind": "link", "url": values["href"].strip(), "text": ""}
            self.links.append(self.anchor)
        elif tag == "img":
            src = values.get("src", "").strip()
            self.links.append({"kind": "image", "url": src, "text": values.get("alt", "")})
            if src.lower().startswith("data:"):
                self.found("data-uri-image", src[:40])
            if src.lower().startswith("data:image/svg") or urlsplit(src).path.lower().endswith(".svg"):
                self.found("svg-image", src[:80])

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif tag == "style":
            self.in_style = False
        elif tag == "a":
            self.anchor = None

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.css(data)
        elif self.anchor is not None:
            self.anchor["text"] = (self.anchor["text"] + " " + data.strip()).strip()[:80]


def is_sandbox_link(url: str, origins: tuple[str, ...] = ()) -> bool:
    """Whether ``url`` is served by the sandbox: its stand-in host, or one of its own ``origins``."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return parts.hostname == SANDBOX_HOST or origin in {o.rstrip("/").lower() for o in origins}


def probe_sandbox(root_url: str, url: str, timeout: float = 3.0) -> int | None:
    """GET the path of sandbox link ``url`` from the sandbox at ``root_url``; the HTTP status, or None when it
    does not answer."""
    parts = urlsplit(url)
    target = root_url.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with urllib.request.urlopen(urllib.request.Request(target, method="GET"), timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def _problems(url: str, kind: str) -> list[str]:
    """What is wrong with one link or image address (empty: well-formed and of an allowed scheme)."""
    if not url:
        return ["empty address"]
    if "{{" in url or "{%" in url:
        return ["merge tag left unfilled"]
    if url == "#" or url.startswith("#"):
        return ["placeholder (#): goes nowhere"]
    if kind == "image" and re.match(r"^data:image/[\w.+-]+[;,]", url, re.I):
        return []
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        return [f"malformed: {exc}"]
    scheme = parts.scheme.lower()
    allowed = ("http", "https") if kind == "image" else ("http", "https", "mailto")
    if scheme not in allowed:
        return [
            f"scheme {scheme + ':' if scheme else '(none, a relative address)'} not allowed; use " + "/".join(allowed)
        ]
    if scheme == "mailto":
        addresses = [a for a in parts.path.split(",") if a]
        bad = [a for a in addresses if not _MAILBOX.match(a)]
        return ["mailto: without an address"] if not addresses else [f"not an email address: {a}" for a in bad]
    if not parts.hostname or not _HOST.match(parts.hostname) or " " in url:
        return ["malformed: no valid host"]
    return []


def _check_link(link: dict, probe: Callable[[str], int | None] | None, origins: tuple[str, ...]) -> dict:
    problems = _problems(link["url"], link["kind"])
    result = {**link, "ok": not problems, "problems": problems, "reachable": None}
    if not problems and is_sandbox_link(link["url"], origins):
        if probe is None:
            result["note"] = "served by the sandbox: not fetched here"
            return result
        status = probe(link["url"])
        result["reachable"] = status is not None and status < 400
        if not result["reachable"]:
            result["ok"] = False
            result["problems"] = [f"sandbox answered {status}" if status else "sandbox did not answer"]
    return result


def check_list_unsubscribe(headers: Mapping[str, str], kind: str | None) -> dict:
    """The ``List-Unsubscribe`` verdict: required for marketing kinds, well-formed whenever present."""
    lookup = {name.lower(): value for name, value in (headers or {}).items()}
    value = lookup.get("list-unsubscribe")
    required = kind in MARKETING_KINDS
    result = {"required": required, "present": value is not None, "value": value, "uris": [], "problems": []}
    if value is None:
        if required:
            result["problems"].append("missing: marketing email must carry List-Unsubscribe (RFC 2369)")
    else:
        entries = [entry.strip() for entry in value.split(",")]
        for entry in entries:
            if not (entry.startswith("<") and entry.endswith(">")):
                result["problems"].append(f"entry not in angle brackets: {entry!r}")
                continue
            uri = entry[1:-1]
            result["uris"].append(uri)
            scheme = urlsplit(uri).scheme.lower()
            if scheme not in ("https", "mailto") or _problems(uri, "link"):
                result["problems"].append(f"not an https or mailto URI: {uri!r}")
        one_click = (lookup.get("list-unsubscribe-post") or "").strip()
        https = any(uri.lower().startswith("https:") for uri in result["uris"])
        if https and one_click != "List-Unsubscribe=One-Click":
            result["problems"].append("List-Unsubscribe-Post: List-Unsubscribe=One-Click is missing (RFC 8058)")
    result["ok"] = not result["problems"]
    return result


def check_email(
    html: str | None,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    probe: Callable[[str], int | None] | None = None,
    origins: tuple[str, ...] = (),
) -> dict:
    """Every check on one email: ``links`` (links and images with their results), ``list_unsubscribe``,
    ``compatibility`` (the :data:`RULES` found, with clients and examples) and a ``summary`` of counts.
    ``probe(url)`` fetches sandbox-served links (an HTTP status, or None); ``origins`` are the sandbox's own."""
    scanner = _Scanner()
    scanner.feed(html or "")
    scanner.close()
    links = [_check_link(link, probe, origins) for link in scanner.links]
    compatibility = [
        {
            "rule": rule.id,
            "title": rule.title,
            "clients": list(rule.clients),
            "count": len(scanner.findings[rule.id]),
            "example": scanner.findings[rule.id][0],
        }
        for rule in RULES
        if rule.id in scanner.findings
    ]
    unsubscribe = check_list_unsubscribe(headers or {}, kind)
    errors = sum(not link["ok"] for link in links) + (not unsubscribe["ok"])
    return {
        "links": links,
        "list_unsubscribe": unsubscribe,
        "compatibility": compatibility,
        "summary": {"links": len(links), "errors": errors, "warnings": len(compatibility)},
    }
