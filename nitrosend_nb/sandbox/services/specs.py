"""What ``GET /templates/spec`` and ``GET /flows/spec`` describe: the email sections the sandbox renders (with the
props its renderer reads) and the flow step types, trigger events and segment filters it accepts."""

from __future__ import annotations

from typing import Any

from ...rendering.sections import COMPONENTS, STYLES
from .segment_filters import FIELDS as FILTER_FIELDS

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
