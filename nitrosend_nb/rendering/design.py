"""Render an EmailDesign (``{"sections": [{"type", "props", "styles"}], "theme": {...}}``) through MJML, as the
service does: each section type maps to MJML components (``mj-section``/``mj-column`` holding ``mj-text``,
``mj-image``, ``mj-button``, ``mj-divider``, ``mj-spacer``) and mjml-python turns them into responsive,
client-compatible HTML (Outlook conditionals, ``mj-column-per-*`` classes).

Merge tags in props are filled from ``context`` (per recipient) before escaping; with no context they stay
literal (what ``POST /templates/preview`` shows). Every value is HTML-escaped; link targets are limited to
http(s)/mailto after their merge tags are filled, so a merge value can never make a ``javascript:`` link;
style values must look like CSS lengths and colours or fall back to defaults.

A design is bounded (:mod:`.limits`): its sections are counted before anything renders, its MJML measured before
mjml-python runs and its HTML after, each over its limit a :class:`~.limits.RenderLimitError` naming ``design``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import mjml

from . import merge
from .limits import (
    MAX_DESIGN_SECTIONS,
    MAX_HTML_BYTES,
    MAX_MJML_BYTES,
    MAX_SPACER_HEIGHT,
    RenderLimitError,
    check_budget,
)
from .sections import COMPONENTS

__all__ = [
    "DEFAULT_THEME",
    "SECTION_TYPES",
    "brand_theme",
    "design_strings",
    "render_design",
    "section_types",
    "sections_problem",
]

DEFAULT_THEME = {
    "brand_color": "#4f46e5",
    "bg_color": "#f4f4f7",
    "text_color": "#1f2937",
    "font_body": "Helvetica, Arial, sans-serif",
    "font_heading": "Helvetica, Arial, sans-serif",
    "logo_url": "",
}
SECTION_TYPES = tuple(COMPONENTS)  # what GET /templates/spec describes: one list for the spec and the renderer
CENTERED = ("hero", "button", "social", "footer")
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([\d\s.,%]+\)")
_PADDING = re.compile(r"\d{1,3}(px|%)?(\s+\d{1,3}(px|%)?){0,3}")
_FONT = re.compile(r"[\w\s,'\"-]{1,120}")
_LINK = re.compile(r"^(https?:|mailto:|\{\{)", re.I)
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]")


def brand_theme(brand: Mapping[str, Any] | None) -> dict:
    """A brand record's colours, fonts and logo as a design theme."""
    brand = brand or {}
    theme = {k: brand.get(k) for k in ("brand_color", "bg_color", "text_color", "font_body", "font_heading")}
    theme["logo_url"] = brand.get("logo")
    return theme


def _attrs(**values: Any) -> str:
    """MJML attributes (``font_size`` -> ``font-size``) for the values that are set, escaped."""
    return "".join(
        f' {name.replace("_", "-")}="{html.escape(str(value), quote=True)}"'
        for name, value in values.items()
        if value not in (None, "")
    )


def _pixels(value: Any, default: int, most: int) -> int:
    """A pixel count from a number or a string of digits, clamped to ``0..most``; ``default`` for anything else
    (a string of thousands of digits is clamped without converting it: Python refuses such an int)."""
    if isinstance(value, (int, float)):
        number = value if math.isfinite(value) else default
    elif isinstance(value, str) and value.isdecimal():
        number = int(value) if len(value.lstrip("0")) <= len(str(most)) else most
    else:
        number = default
    return max(0, min(int(number), most))


def _style(value: Any, pattern: re.Pattern, default: str | None) -> str | None:
    text = str(value).strip() if value not in (None, "") else ""
    return text if text and pattern.fullmatch(text) else default


class _Mjml:
    """Builds the MJML for one design and one recipient (``context`` None: merge tags left literal)."""

    def __init__(self, theme: Mapping[str, Any], context: Mapping[str, Any] | None, unknown: list[str] | None) -> None:
        self.theme = {**DEFAULT_THEME, **{k: v for k, v in (theme or {}).items() if v}}
        self.context, self.unknown = context, unknown
        self.field = "design"

    # values ------------------------------------------------------------------------------------------
    def fill(self, value: Any, key: str) -> str:
        raw = "" if value is None else str(value)
        return merge.render(raw, self.context, field=f"{self.field}.{key}", unknown=self.unknown)

    def text(self, value: Any, key: str) -> str:
        return html.escape(self.fill(value, key)).replace("\n", "<br />")

    def url(self, value: Any, key: str) -> str:
        """A link target with its merge tags filled; anything but http(s)/mailto becomes ``#``."""
        raw = self.fill(str(value or "").strip(), key).strip()
        return raw if raw and _LINK.match(raw) else "#"

    def image_url(self, value: Any, key: str) -> str:
        raw = str(value or "").strip()
        return raw if _IMAGE_DATA.match(raw) else self.url(raw, key)

    # components (the content of one mj-column) -------------------------------------------------------
    def heading(self, props: Mapping, keys: tuple[str, ...], level: int, align: str) -> str:
        key = next((k for k in keys if props.get(k)), None)
        if key is None:
            return ""
        font = _style(self.theme["font_heading"], _FONT, DEFAULT_THEME["font_heading"])
        size = {1: "28px", 2: "22px", 3: "18px"}[level]
        return (
            f"<mj-text{_attrs(align=align, font_family=font, font_size=size, font_weight='bold')}>"
            f'<h{level} style="margin:0;font-size:{size}">{self.text(props[key], key)}</h{level}></mj-text>'
        )

    def paragraph(self, props: Mapping, keys: tuple[str, ...], align: str, **extra: Any) -> str:
        key = next((k for k in keys if props.get(k) not in (None, "")), None)
        if key is None:
            return ""
        return f"<mj-text{_attrs(align=align, **extra)}>{self.text(props[key], key)}</mj-text>"

    def button(self, label: Any, href: Any, align: str, keys: tuple[str, str]) -> str:
        if not label:
            return ""
        color = _style(self.theme["brand_color"], _COLOR, DEFAULT_THEME["brand_color"])
        return (
            f"<mj-button{_attrs(href=self.url(href, keys[1]), align=align, background_color=color)}"
            f' color="#ffffff" border-radius="6px" font-weight="bold">{self.text(label, keys[0])}</mj-button>'
        )

    def image(self, src: Any, alt: Any, align: str, key: str, width: str | None = None, href: Any = None) -> str:
        if not src:
            return ""
        link = self.url(href, "href") if href else None
        return (
            f"<mj-image{_attrs(src=self.image_url(src, key), alt=self.fill(alt, 'alt'), width=width, href=link)}"
            f"{_attrs(align=align)} />"
        )

    def first(self, props: Mapping, *keys: str) -> tuple[Any, str]:
        key = next((k for k in keys if props.get(k)), keys[0])
        return props.get(key), key

    # one method per section type ---------------------------------------------------------------------
    def header(self, p: Mapping, align: str) -> str:
        logo, key = self.first(p, "logo_url", "logo")
        logo = logo or self.theme.get("logo_url")
        return self.image(logo, p.get("title") or "logo", align, key, "180px") or self.heading(p, ("title",), 2, align)

    def hero(self, p: Mapping, align: str) -> str:
        image, image_key = self.first(p, "image_url", "image")
        label, label_key = self.first(p, "button_text", "cta_text")
        href, href_key = self.first(p, "button_url", "cta_url")
        return (
            self.image(image, "", align, image_key)
            + self.heading(p, ("heading", "title"), 1, align)
            + self.paragraph(p, ("subheading", "text"), align)
            + self.button(label, href, align, (label_key, href_key))
        )

    def text_section(self, p: Mapping, align: str) -> str:
        return self.heading(p, ("heading", "title"), 2, align) + self.paragraph(p, ("text", "content", "body"), align)

    def image_section(self, p: Mapping, align: str) -> str:
        src, key = self.first(p, "src", "url", "image_url")
        return self.image(src, p.get("alt", ""), align, key, href=p.get("href"))

    def button_section(self, p: Mapping, align: str) -> str:
        label, label_key = self.first(p, "text", "label")
        href, href_key = self.first(p, "url", "href")
        return self.button(label, href, align, (label_key, href_key))

    def product(self, p: Mapping, align: str) -> str:
        image, image_key = self.first(p, "image_url", "image")
        return (
            self.image(image, p.get("name") or "", align, image_key)
            + self.heading(p, ("name", "title"), 3, align)
            + self.paragraph(p, ("description",), align)
            + self.paragraph(p, ("price",), align, font_weight="bold")
            + self.button(p.get("button_text") or "Shop now", p.get("url"), align, ("button_text", "url"))
        )

    def social(self, p: Mapping, align: str) -> str:
        links = [link for link in p.get("links") or [] if isinstance(link, Mapping)]
        items = []
        for i, link in enumerate(links):
            label = self.text(link.get("title") or link.get("icon") or link.get("url"), f"links.{i}.title")
            href = html.escape(self.url(link.get("url"), f"links.{i}.url"), quote=True)
            items.append(f'<a href="{href}" style="margin:0 6px">{label}</a>')
        return f"<mj-text{_attrs(align=align)}>{''.join(items)}</mj-text>" if items else ""

    def divider(self, p: Mapping, align: str) -> str:
        return '<mj-divider border-width="1px" border-color="#e5e7eb" padding="16px 0" />'

    def spacer(self, p: Mapping, align: str) -> str:
        return f'<mj-spacer height="{_pixels(p.get("height", 24), 24, MAX_SPACER_HEIGHT)}px" />'

    def footer(self, p: Mapping, align: str) -> str:
        href, key = self.first(p, "unsubscribe_url")
        unsubscribe = html.escape(self.url(href or "{{ unsubscribe_url }}", key), quote=True)
        small = {"font_size": "12px", "color": "#6b7280"}
        return (
            self.paragraph(p, ("text",), align, **small)
            + self.paragraph(p, ("address",), align, **small)
            + f'<mj-text{_attrs(align=align, **small)}><a href="{unsubscribe}" style="color:#6b7280">'
            "Unsubscribe</a></mj-text>"
        )

    def columns(self, p: Mapping, align: str) -> list[str]:
        """One column's components per entry of ``columns`` (a column holds sections, or props of its own)."""
        cols = p.get("columns") if isinstance(p.get("columns"), list) else []
        out = []
        for i, col in enumerate(cols[:4]):
            field = self.field
            self.field = f"{field}.columns.{i}"
            if isinstance(col, Mapping) and isinstance(col.get("sections"), list):
                inner = "".join(self.components(s, j) for j, s in enumerate(col["sections"]) if isinstance(s, Mapping))
            elif isinstance(col, Mapping):
                label, label_key = self.first(col, "button_text")
                inner = (
                    self.text_section(col, align)
                    + self.image(col.get("image_url"), "", align, "image_url")
                    + self.button(label, col.get("button_url"), align, (label_key, "button_url"))
                )
            else:
                inner = self.paragraph({"text": col}, ("text",), align)
            self.field = field
            out.append(inner)
        return out

    def renderer(self, kind: Any) -> Callable[[Mapping, str], Any] | None:
        named = {"text": self.text_section, "image": self.image_section, "button": self.button_section}
        return named.get(kind) or (getattr(self, kind) if kind in SECTION_TYPES else None)

    def components(self, section: Mapping, index: int) -> str:
        """A nested section's components (inside a column: no section of its own)."""
        render = self.renderer(section.get("type"))
        if render is None or section.get("type") == "columns":
            return ""
        field, self.field = self.field, f"{self.field}.sections.{index}.props"
        styles = section.get("styles") if isinstance(section.get("styles"), Mapping) else {}
        props = section.get("props") if isinstance(section.get("props"), Mapping) else {}
        try:
            return render(props, self.align(section.get("type"), styles))
        finally:
            self.field = field

    @staticmethod
    def align(kind: Any, styles: Mapping) -> str:
        align = str(styles.get("align") or "")
        return align if align in ("left", "center", "right") else ("center" if kind in CENTERED else "left")

    def section(self, section: Mapping, index: int) -> str:
        kind = section.get("type")
        render = self.renderer(kind)
        if render is None:
            return ""
        props = section.get("props") if isinstance(section.get("props"), Mapping) else {}
        styles = section.get("styles") if isinstance(section.get("styles"), Mapping) else {}
        self.field = f"design.sections.{index}.props"
        content = render(props, self.align(kind, styles))
        columns = content if isinstance(content, list) else [content]
        if not any(columns):
            return ""
        attrs = _attrs(
            css_class=f"ns-{kind}",
            padding=_style(styles.get("padding"), _PADDING, "16px 24px"),
            background_color=_style(styles.get("background_color"), _COLOR, "#ffffff"),
        )
        body = "".join(f"<mj-column>{column}</mj-column>" for column in columns)
        return f"<mj-section{attrs}>{body}</mj-section>"


def render_design(
    design: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None = None,
    theme: Mapping[str, Any] | None = None,
    preheader: str | None = None,
    title: str | None = None,
    unknown: list[str] | None = None,
) -> str:
    """The complete HTML document for ``design`` (brand ``theme`` overridden by the design's own theme);
    ``preheader`` becomes the hidden preview text, ``title`` the document title (both already filled).
    :class:`~.limits.RenderLimitError` for a design over the section, MJML or HTML limits."""
    design = design or {}
    if problem := sections_problem(design):
        raise RenderLimitError("design", "design_sections", problem)
    builder = _Mjml({**(theme or {}), **(design.get("theme") or {})}, context, unknown)
    sections = "".join(
        builder.section(s, i) for i, s in enumerate(design.get("sections") or []) if isinstance(s, Mapping)
    )
    t = builder.theme
    head = (f"<mj-title>{html.escape(title or '')}</mj-title>" if title else "") + (
        f"<mj-preview>{html.escape(preheader)}</mj-preview>" if preheader else ""
    )
    source = (
        f"<mjml><mj-head>{head}<mj-attributes>"
        f"<mj-all{_attrs(font_family=_style(t['font_body'], _FONT, DEFAULT_THEME['font_body']))} />"
        f"<mj-text{_attrs(color=_style(t['text_color'], _COLOR, DEFAULT_THEME['text_color']))}"
        ' font-size="15px" line-height="1.5" padding="4px 0" /></mj-attributes></mj-head>'
        f"<mj-body{_attrs(background_color=_style(t['bg_color'], _COLOR, DEFAULT_THEME['bg_color']))}"
        f' width="600px">{sections}</mj-body></mjml>'
    )
    if (size := len(source.encode())) > MAX_MJML_BYTES:
        raise RenderLimitError(
            "design", "mjml_bytes", f"becomes {size:,} bytes of MJML; a design may become at most {MAX_MJML_BYTES:,}"
        )
    check_budget("design")
    markup = mjml.mjml2html(source)
    if (size := len(markup.encode())) > MAX_HTML_BYTES:
        raise RenderLimitError(
            "design", "html_bytes", f"renders to {size:,} bytes of HTML; a design may render to {MAX_HTML_BYTES:,}"
        )
    return markup


def sections_problem(design: Mapping[str, Any] | None) -> str | None:
    """Why ``design`` has too many sections to render (counting those inside its columns), or None; reads the
    raw document, so a request can be refused before its sections are even parsed."""
    count = 0
    for section in (design or {}).get("sections") or []:
        count += 1
        props = section.get("props") if isinstance(section, Mapping) else None
        columns = props.get("columns") if isinstance(props, Mapping) else None
        for column in columns if isinstance(columns, list) else []:
            inner = column.get("sections") if isinstance(column, Mapping) else None
            count += len(inner) if isinstance(inner, list) else 0
    if count <= MAX_DESIGN_SECTIONS:
        return None
    return f"has {count:,} sections; a design may have at most {MAX_DESIGN_SECTIONS} (sections inside columns included)"


def design_strings(design: Mapping[str, Any] | None) -> Iterator[tuple[str, str]]:
    """Every text value in a design's section props as ``(field path, text)`` (merge tags live there)."""

    def walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, Mapping):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}.{i}")

    for index, section in enumerate((design or {}).get("sections") or []):
        if isinstance(section, Mapping):
            yield from walk(section.get("props") or {}, f"design.sections.{index}.props")


def section_types(design: Mapping[str, Any] | None) -> list[str]:
    """The type of each top-level section, in order."""
    return [s.get("type") for s in (design or {}).get("sections") or [] if isinstance(s, Mapping)]
