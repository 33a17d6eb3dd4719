"""Render an EmailDesign (``{"sections": [{"type", "props", "styles"}], "theme": {...}}``) to email HTML.

Merge tags in text props are filled from ``context`` before escaping; with no context they stay literal
(what ``POST /templates/preview`` shows). Every value is HTML-escaped; URLs are limited to http(s)/mailto.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Mapping

from .. import merge_tags
from .specs import COMPONENTS

DEFAULT_THEME = {"brand_color": "#4f46e5", "bg_color": "#f4f4f7", "text_color": "#1f2937",
                 "font_body": "Helvetica, Arial, sans-serif", "font_heading": "Helvetica, Arial, sans-serif",
                 "logo_url": ""}
SECTION_TYPES = tuple(COMPONENTS)  # what GET /templates/spec describes


class _Renderer:
    def __init__(self, theme: Mapping[str, Any], context: Mapping[str, Any] | None):
        self.theme = {**DEFAULT_THEME, **{k: v for k, v in (theme or {}).items() if v}}
        self.context = context

    def text(self, value: Any) -> str:
        raw = "" if value is None else str(value)
        if self.context is not None:
            raw = merge_tags.render(raw, self.context)
        return html.escape(raw).replace("\n", "<br>")

    def url(self, value: Any) -> str:
        """A link target with its merge tags filled (when rendering for a recipient); only http(s) and mailto
        survive, so a merge value can never turn a link into ``javascript:``."""
        raw = str(value or "").strip()
        if self.context is not None:
            raw = merge_tags.render(raw, self.context).strip()
        if raw and not re.match(r"^(https?:|mailto:|\{\{)", raw):
            return "#"
        return html.escape(raw or "#", quote=True)

    def button(self, label: Any, href: Any) -> str:
        if not label:
            return ""
        color = html.escape(str(self.theme["brand_color"]), quote=True)
        return (f'<a href="{self.url(href)}" style="display:inline-block;padding:12px 24px;background:{color};'
                f'color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">{self.text(label)}</a>')

    def image_url(self, value: Any) -> str:
        """An image source: what :meth:`url` allows, plus inline ``data:image/...`` pictures."""
        raw = str(value or "").strip()
        if re.match(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", raw):
            return html.escape(raw, quote=True)
        return self.url(raw)

    def image(self, src: Any, alt: Any = "", width: str = "100%") -> str:
        if not src:
            return ""
        return f'<img src="{self.image_url(src)}" alt="{self.text(alt)}" style="max-width:{width};height:auto;border:0">'

    def heading(self, value: Any, size: int) -> str:
        if not value:
            return ""
        font = html.escape(str(self.theme["font_heading"]), quote=True)
        return f'<h{size} style="margin:0 0 12px;font-family:{font}">{self.text(value)}</h{size}>'

    def paragraph(self, value: Any) -> str:
        return f'<p style="margin:0 0 12px">{self.text(value)}</p>' if value else ""

    # one method per section type ---------------------------------------------------------------------
    def header(self, p: Mapping) -> str:
        logo = p.get("logo_url") or p.get("logo") or self.theme.get("logo_url")
        return self.image(logo, p.get("title") or "logo", "180px") or self.heading(p.get("title"), 2)

    def hero(self, p: Mapping) -> str:
        return (self.image(p.get("image_url") or p.get("image")) + self.heading(p.get("heading") or p.get("title"), 1)
                + self.paragraph(p.get("subheading") or p.get("text"))
                + self.button(p.get("button_text") or p.get("cta_text"), p.get("button_url") or p.get("cta_url")))

    def text_section(self, p: Mapping) -> str:
        return self.heading(p.get("heading") or p.get("title"), 2) + self.paragraph(
            p.get("text") or p.get("content") or p.get("body"))

    def image_section(self, p: Mapping) -> str:
        img = self.image(p.get("src") or p.get("url") or p.get("image_url"), p.get("alt", ""))
        return f'<a href="{self.url(p["href"])}">{img}</a>' if p.get("href") else img

    def button_section(self, p: Mapping) -> str:
        return self.button(p.get("text") or p.get("label"), p.get("url") or p.get("href"))

    def columns(self, p: Mapping) -> str:
        cols = p.get("columns") or []
        if not isinstance(cols, list) or not cols:
            return ""
        width = 100 // len(cols)
        cells = "".join(
            f'<td valign="top" width="{width}%" style="padding:0 8px">{self.column(col)}</td>' for col in cols
        )
        return f'<table role="presentation" width="100%"><tr>{cells}</tr></table>'

    def column(self, col: Any) -> str:
        if isinstance(col, Mapping) and isinstance(col.get("sections"), list):
            return "".join(self.section(s) for s in col["sections"] if isinstance(s, Mapping))
        if isinstance(col, Mapping):
            return self.text_section(col) + self.image(col.get("image_url")) + self.button(
                col.get("button_text"), col.get("button_url"))
        return self.paragraph(col)

    def product(self, p: Mapping) -> str:
        price = p.get("price")
        return (self.image(p.get("image_url") or p.get("image")) + self.heading(p.get("name") or p.get("title"), 3)
                + self.paragraph(p.get("description")) + (self.paragraph(price) if price is not None else "")
                + self.button(p.get("button_text") or "Shop now", p.get("url")))

    def social(self, p: Mapping) -> str:
        links = p.get("links") or []
        items = [f'<a href="{self.url(link.get("url"))}" style="margin:0 6px">'
                 f'{self.text(link.get("title") or link.get("icon") or link.get("url"))}</a>'
                 for link in links if isinstance(link, Mapping)]
        return "".join(items)

    def divider(self, p: Mapping) -> str:
        return '<hr style="border:0;border-top:1px solid #e5e7eb;margin:16px 0">'

    def spacer(self, p: Mapping) -> str:
        height = p.get("height", 24)
        height = int(height) if isinstance(height, (int, float)) or str(height).isdecimal() else 24
        return f'<div style="height:{height}px;line-height:{height}px">&nbsp;</div>'

    def footer(self, p: Mapping) -> str:
        unsubscribe = p.get("unsubscribe_url") or "{{ unsubscribe_url }}"
        return (f'<div style="font-size:12px;color:#6b7280">{self.paragraph(p.get("text"))}'
                f'{self.paragraph(p.get("address"))}<a href="{self.url(unsubscribe)}">Unsubscribe</a></div>')

    def section(self, section: Mapping) -> str:
        kind = section.get("type")
        render: Callable[[Mapping], str] | None = {
            "text": self.text_section, "image": self.image_section, "button": self.button_section,
        }.get(kind) or (getattr(self, kind) if kind in SECTION_TYPES else None)
        if render is None:
            return ""
        props = section.get("props") if isinstance(section.get("props"), Mapping) else {}
        styles = section.get("styles") if isinstance(section.get("styles"), Mapping) else {}
        css = "padding:{};text-align:{};".format(
            html.escape(str(styles.get("padding") or "16px 24px"), quote=True),
            html.escape(str(styles.get("align") or ("center" if kind in ("hero", "button", "social", "footer")
                                                    else "left")), quote=True))
        if styles.get("background_color"):
            css += "background:" + html.escape(str(styles["background_color"]), quote=True)
        return f'<tr><td class="ns-{kind}" style="{css}">{render(props)}</td></tr>'


def render_design(design: Mapping[str, Any] | None, context: Mapping[str, Any] | None = None,
                  theme: Mapping[str, Any] | None = None, preheader: str | None = None) -> str:
    """The complete HTML document for ``design`` (brand ``theme`` overridden by the design's own theme)."""
    design = design or {}
    renderer = _Renderer({**(theme or {}), **(design.get("theme") or {})}, context)
    t = renderer.theme
    body = "".join(renderer.section(s) for s in design.get("sections") or [] if isinstance(s, Mapping))
    hidden = (f'<div style="display:none;max-height:0;overflow:hidden">{renderer.text(preheader)}</div>'
              if preheader else "")
    esc = {k: html.escape(str(v), quote=True) for k, v in t.items()}
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="margin:0;background:{esc["bg_color"]};color:{esc["text_color"]};font-family:{esc["font_body"]}">'
        f'{hidden}<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;'
        f'background:#ffffff">{body}</table></td></tr></table></body></html>'
    )


_TAG = re.compile(r"<(!DOCTYPE|/?[a-zA-Z][a-zA-Z0-9]*)[\s>/]")


def looks_like_html(text: str | None) -> bool:
    """Whether a ``body`` is HTML markup (it holds a tag) rather than plain text."""
    return bool(text and _TAG.search(text))


def text_to_html(text: str) -> str:
    """Plain text as a minimal HTML document (paragraphs and line breaks)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    inner = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{inner}</body></html>'


def html_to_text(markup: str) -> str:
    """A readable plain-text alternative of an HTML email."""
    markup = re.sub(r"(?is)<(script|style|head)[^>]*>.*?</\1>", "", markup or "")
    markup = re.sub(r'(?is)<div style="display:none[^>]*>.*?</div>', "", markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    markup = re.sub(r"(?i)</(p|h[1-6]|tr|div|li)>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def section_types(design: Mapping[str, Any] | None) -> list[str]:
    """The type of each top-level section, in order."""
    return [s.get("type") for s in (design or {}).get("sections") or [] if isinstance(s, Mapping)]
