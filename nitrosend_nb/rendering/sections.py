"""The email sections a design is made of: each section type with its description, the props the MJML renderer
(:mod:`.design`) reads and tips, and the styles every section takes. One list: ``GET /templates/spec`` publishes it
and the renderer serves exactly these types."""

from __future__ import annotations

from typing import Any


def _prop(kind: str, description: str, required: bool = False, default: Any = None, enum: tuple = ()) -> dict:
    prop = {"type": kind, "required": required, "default": default, "description": description}
    if enum:
        prop["enum"] = list(enum)
    return prop


_URL = "http(s) or mailto link; merge tags allowed"
# section type -> (description, props, tips)
COMPONENTS: dict[str, tuple[str, dict, tuple[str, ...]]] = {
    "header": (
        "The brand's logo (or a title) at the top.",
        {
            "title": _prop("string", "Text shown when there is no logo; the logo's alt text"),
            "logo_url": _prop("string", "Logo image URL; defaults to the brand's logo"),
        },
        ("Keep one header per email.",),
    ),
    "hero": (
        "A large opening block: image, heading, subheading and a call to action.",
        {
            "image_url": _prop("string", "Picture above the heading"),
            "heading": _prop("string", "Main heading", required=True),
            "subheading": _prop("string", "Line under the heading"),
            "button_text": _prop("string", "Call-to-action label"),
            "button_url": _prop("string", "Call-to-action target: " + _URL),
        },
        ("One hero per email, straight after the header.",),
    ),
    "text": (
        "A heading and a paragraph.",
        {
            "heading": _prop("string", "Optional heading"),
            "text": _prop("string", "Paragraph text; line breaks are kept", required=True),
        },
        ('Merge tags such as {{ contact.first_name | default: "there" }} personalise the text.',),
    ),
    "image": (
        "A picture, optionally linked.",
        {
            "src": _prop("string", "Image URL (http(s) or data:image)", required=True),
            "alt": _prop("string", "Alternative text", default=""),
            "href": _prop("string", "Link target: " + _URL),
        },
        ("Always set alt text.",),
    ),
    "button": (
        "A call-to-action button in the brand colour.",
        {"text": _prop("string", "Label", required=True), "url": _prop("string", "Target: " + _URL, required=True)},
        (),
    ),
    "columns": (
        "Side-by-side columns, each a heading, text, image and button, or nested sections.",
        {
            "columns": _prop(
                "array", "Column objects: heading, text, image_url, button_text, button_url, or sections", required=True
            )
        },
        ("Two or three columns read best on phones.",),
    ),
    "product": (
        "A product card.",
        {
            "name": _prop("string", "Product name", required=True),
            "image_url": _prop("string", "Product picture"),
            "description": _prop("string", "Short description"),
            "price": _prop("string", "Price as displayed"),
            "url": _prop("string", "Product page: " + _URL),
            "button_text": _prop("string", "Button label", default="Shop now"),
        },
        (),
    ),
    "social": (
        "A row of social links.",
        {"links": _prop("array", "Objects with url and title (or icon)", required=True)},
        (),
    ),
    "divider": ("A horizontal rule.", {}, ()),
    "spacer": ("Vertical space.", {"height": _prop("integer", "Height in pixels", default=24)}, ()),
    "footer": (
        "Company details and the unsubscribe link (always added).",
        {
            "text": _prop("string", "Company line"),
            "address": _prop("string", "Postal address"),
            "unsubscribe_url": _prop("string", "Unsubscribe link", default="{{ unsubscribe_url }}"),
        },
        ("Marketing email must show a postal address.",),
    ),
}
STYLES = {
    "background_color": _prop("string", "CSS colour behind the section"),
    "padding": _prop("string", "CSS padding", default="16px 24px"),
    "align": _prop("string", "Text alignment", enum=("left", "center", "right")),
}
