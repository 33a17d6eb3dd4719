"""Plain text from email HTML (the text/plain part of every captured email) and the reverse for plain bodies."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "text_to_html", "looks_like_html"]

_BLOCKS = {
    "p",
    "div",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "hr",
    "section",
    "article",
    "header",
    "footer",
}
_SKIPPED = {"head", "style", "script", "title", "template"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_TAG = re.compile(r"<(!DOCTYPE|/?[a-zA-Z][a-zA-Z0-9]*)[\s>/]")


class _TextParser(HTMLParser):
    """Collects visible text: blocks become lines, ``<br>`` a line break, a link ``label (url)``, an image its
    alt text; head, style, script and hidden elements (the preheader) are left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, starts a skipped subtree)
        self.skipping = 0
        self.links: list[tuple[str, int]] = []  # (href, index in parts where its label starts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _VOID:
            if not self.skipping:
                if tag == "br":
                    self.parts.append("\n")
                elif tag == "hr":
                    self.parts.append("\n---\n")
                elif tag == "img" and values.get("alt"):
                    self.parts.append(values["alt"] or "")
            return
        skip = tag in _SKIPPED or bool(_HIDDEN.search(values.get("style") or ""))
        self.stack.append((tag, skip))
        self.skipping += skip
        if self.skipping:
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.links.append((values.get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(open_tag == tag for open_tag, _ in self.stack):
            return
        while self.stack:
            open_tag, skip = self.stack.pop()
            self.skipping -= skip
            if not self.skipping:
                self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith(("http:", "https:", "mailto:")) and href.removeprefix("mailto:") != label:
                self.parts.append(f" ({href})" if label else href)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str | None) -> str:
    """A readable plain-text alternative of an HTML email (one line per block, links as ``label (url)``)."""
    parser = _TextParser()
    parser.feed(markup or "")
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def looks_like_html(text: str | None) -> bool:
    """Whether a ``body`` is HTML markup (it holds a tag) rather than plain text."""
    return bool(text and _TAG.search(text))


def text_to_html(text: str) -> str:
    """Plain text as a minimal HTML document (paragraphs and line breaks)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    inner = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{inner}</body></html>'
