"""What ``GET /templates/spec`` and ``GET /flows/spec`` describe: the email sections the sandbox renders (with the
props its renderer reads) and the flow step types, trigger events and segment filters it accepts."""

from __future__ import annotations

from typing import Any


def _prop(kind: str, description: str, required: bool = False, default: Any = None, enum: tuple = ()) -> dict:
    prop = {"type": kind, "required": required, "default": default, "description": description}
    if enum:
        prop["enum"] = list(enum)
    return prop


_URL = "http(s) or mailto link; merge tags allowed"
# section type -> (description, props, tips): the one list of section types; the MJML renderer
# (nitrosend_nb.rendering.design) serves exactly these, so this module imports nothing heavy
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
THEME_FIELDS = ("brand_color", "bg_color", "text_color", "font_body", "font_heading", "logo_url")
VARIABLES = (
    "contact.first_name",
    "contact.last_name",
    "contact.full_name",
    "contact.email",
    "contact.phone",
    "contact.country_code",
    "contact.data.<field>",
    "data.<field>",
    "event.<field>",
    "brand.name",
    "brand.address",
    "unsubscribe_url",
)


def email_component_spec() -> dict:
    """The email component schema (``EmailComponentSpec``)."""
    return {
        "version": 1,
        "design_guidelines": "A design is a list of sections rendered top to bottom in a 600 px column. Start with "
        "a header, keep one call to action, end with a footer.",
        "components": [
            {"type": kind, "description": description, "tips": list(tips), "props": props}
            for kind, (description, props, tips) in COMPONENTS.items()
        ],
        "common_styles": STYLES,
        "variables": list(VARIABLES),
        "theme_fields": list(THEME_FIELDS),
    }


def _param(label: str, kind: str, description: str, required: bool = False, default: Any = None) -> dict:
    return {"label": label, "type": kind, "required": required, "default": default, "description": description}


STEPS = (
    (
        "email",
        "Send email",
        "Send an email built from a subject and a design.",
        {
            "subject": _param("Subject", "string", "Subject line; merge tags allowed", required=True),
            "preheader": _param("Preheader", "string", "Preview text"),
            "design": _param("Design", "object", "An email design (see GET /templates/spec)"),
            "body": _param("Body", "string", "Plain-text body"),
            "from_name": _param("From name", "string", "Sender name"),
            "from_email": _param("From email", "string", "Sender address"),
            "reply_to": _param("Reply-to", "string", "Reply-to address"),
        },
    ),
    ("sms", "Send SMS", "Send a text message.", {"body": _param("Body", "string", "Message text", required=True)}),
    (
        "wait",
        "Wait",
        "Pause before the next step.",
        {"duration": _param("Duration", "integer", "Seconds to wait", required=True)},
    ),
    (
        "split",
        "Split",
        "Branch on segment filters: matching contacts take yes, the others no.",
        {
            "filters": _param("Filters", "array", "Segment filters {name, predicate, value}", required=True),
            "yes": _param("Yes branch", "array", "Steps for matching contacts"),
            "no": _param("No branch", "array", "Steps for the others"),
        },
    ),
    (
        "emit_event",
        "Emit event",
        "Track an event for the contact (it can trigger other flows).",
        {
            "event_name": _param("Event name", "string", "The event to emit", required=True),
            "forward_event_data": _param(
                "Forward event data", "boolean", "Pass the triggering event's data on", default=False
            ),
            "event_data": _param("Event data", "object", "Extra data for the emitted event"),
        },
    ),
)
TRIGGERS = (
    ("Contact added", "contact_add"),
    ("Added to a list", "contact_list_add"),
    ("Entered a segment", "segment_enter"),
    ("Cart abandoned", "cart_abandoned"),
    ("Order placed", "order_placed"),
    ("Birthday", "birthday"),
    ("Custom event", "custom"),
)


def flow_spec() -> dict:
    """The flow step schema (``FlowSpec``): step types, trigger events and segment filter names."""
    from .segment_filters import FIELDS as FILTER_FIELDS  # SQL and FastAPI errors: not needed by the renderer

    return {
        "steps": [
            {"type": kind, "title": title, "summary": summary, "params": params}
            for kind, title, summary, params in STEPS
        ],
        "triggers": [{"title": title, "event": event} for title, event in TRIGGERS],
        "filters": {
            name: {
                "title": name.removeprefix("contact_").replace("_", " ").capitalize(),
                "summary": f"Compares the contact's {name.removeprefix('contact_').replace('_', ' ')}",
            }
            for name in FILTER_FIELDS
        },
    }
