"""MessageComposer: send one transactional e-mail, with a confirmation step when connected to a live account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import errors
from . import html as markup
from .base import Form
from .form import FieldErrors, hidden, labelled, shown, text_area, text_input
from .guard import idempotency_key
from .validation import check, parse_address, parse_json_object, require_text

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["MessageComposer"]

NO_TEMPLATE = "(none: write the body below)"


class MessageComposer(Form):
    """Compose and send one transactional e-mail (``POST /messages``).

    Parts: ``to``, ``subject``, ``body_format`` (html/plain), ``body``, ``template`` (use a stored template
    instead of a body), ``data`` (merge data as a JSON object), ``send_button``, ``confirm_button``,
    ``cancel_button``, ``status``. In live mode the first click on Send only asks for confirmation, naming the
    recipient and the account; only Confirm sends. Each send carries an idempotency key derived from its content.
    """

    def __init__(self, client: Nitrosend) -> None:
        super().__init__(client)
        self._account_name: str | None = None
        self._pending: tuple[dict[str, Any], str] | None = None

        self.to = text_input("To", "recipient@example.com")
        self.subject = text_input("Subject", "Subject line, merge tags allowed")
        self.template = labelled(widgets.Dropdown, "Template", options=[(NO_TEMPLATE, None)])
        self.body_format = labelled(
            widgets.Dropdown,
            "Body format",
            full_width=False,
            options=[("HTML", "html"), ("Plain text", "plain")],
            value="html",
        )
        self.body = text_area("Body", '<p>Hi {{ contact.first_name | default: "there" }}, ...</p>', rows=8)
        self.data = text_area("Merge data", '{"order_id": 1042}  (JSON object, optional)', rows=3)
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.confirm_text = widgets.HTML()
        self.confirm_button = widgets.Button(
            description="Confirm send", button_style="danger", icon="check", layout=widgets.Layout(width="auto")
        )
        self.cancel_button = widgets.Button(description="Cancel", icon="times")
        self.confirmation = widgets.VBox([self.confirm_text, widgets.HBox([self.confirm_button, self.cancel_button])])
        hidden(self.confirmation)

        self.errors = FieldErrors(
            {"to": self.to, "subject": self.subject, "template": self.template, "body": self.body, "data": self.data},
            aliases={"template_id": "template", "html": "body"},
        )

        self._lay_out(
            *(self.errors.row(field) for field in ("to", "subject", "template")),
            self.body_format,
            self.errors.row("body"),
            self.errors.row("data"),
            self.send_button,
            self.confirmation,
            self.status,
        )

        for field in ("to", "subject", "template", "body", "data", "body_format"):
            getattr(self, field).observe(self._on_edit, names="value")
        self.template.observe(self._on_template, names="value")
        self._guard({self.send_button: self.send, self.confirm_button: self.confirm}, also=[self.cancel_button])
        self.cancel_button.on_click(lambda button: self.cancel())
        self._templates: dict[int, dict] = {}
        self._load_templates()

    def __repr__(self) -> str:
        return f"<MessageComposer mode={'live' if self.live else 'sandbox'}>"

    def _load_templates(self) -> None:
        templates = self._call(lambda: list(self.client.templates.iter(progress=False)))
        if templates is None:
            return
        self._templates = {template["id"]: template for template in templates}
        self.template.options = [(NO_TEMPLATE, None)] + [
            (f"#{t['id']} {t.get('name') or '(unnamed)'}", t["id"]) for t in templates
        ]

    def _on_template(self, change: dict) -> None:
        chosen = self._templates.get(change["new"])
        self.body.disabled = self.body_format.disabled = chosen is not None
        if chosen and not self.subject.value.strip() and chosen.get("subject"):
            self.subject.value = chosen["subject"]

    def _on_edit(self, change: dict) -> None:
        if self._pending is not None:
            self._pending = None
            hidden(self.confirmation)
            self.status.info("The message changed: click Send again to confirm the new content.")

    def payload(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """Validate the form; return (the POST /messages payload, {}) or (None, {field: problem})."""
        problems: dict[str, str] = {}
        to = check(problems, "to", parse_address, self.to.value)
        template = self._templates.get(self.template.value)
        if template is not None and template.get("subject") and not self.subject.value.strip():
            subject = None  # the template's own subject is used
        else:
            subject = check(problems, "subject", require_text, self.subject.value, "A subject")
        data = check(problems, "data", parse_json_object, self.data.value)
        payload: dict[str, Any] = {"channel": "email", "to": to, "subject": subject}
        if self.template.value is not None:
            payload["template_id"] = self.template.value
        else:
            body = check(problems, "body", require_text, self.body.value, "A body (or a template)")
            payload["html" if self.body_format.value == "html" else "body"] = body
        if data:
            payload["data"] = data
        return (None, problems) if problems else (payload, {})

    def send(self) -> None:
        """Validate, then send (sandbox) or ask for confirmation (live). Invalid input sends nothing."""
        self._pending = None
        hidden(self.confirmation)
        payload, problems = self.payload()
        self.errors.show(problems)
        if payload is None:
            self.status.error("Nothing was sent: fix the fields marked above.")
            return
        key = idempotency_key("POST /messages", payload)
        if not self.live:
            self._deliver(payload, key)
            return
        account = self._account()
        if account is None:
            return
        self._pending = (payload, key)
        subject = payload["subject"] or self._templates[payload["template_id"]]["subject"]
        self.confirm_text.value = (
            markup.text(f"Live account \u201c{account}\u201d", bold=True)
            + markup.text(f": send \u201c{subject}\u201d to ")
            + markup.text(payload["to"], bold=True)
            + markup.text("? This sends a real e-mail.")
        )
        shown(self.confirmation)
        self.status.info(f"Confirm to send to {payload['to']} from the live account {account}.")

    def _account(self) -> str | None:
        if self._account_name is None:
            account = self._call(self.client.account.get)
            if account is None:
                return None
            self._account_name = account.get("name") or f"#{account.get('id')}"
        return self._account_name

    def confirm(self) -> None:
        """Send the message the user was asked to confirm (ignored when nothing awaits confirmation)."""
        if self._pending is None:
            return
        payload, key = self._pending
        self._pending = None
        hidden(self.confirmation)
        self._deliver(payload, key)

    def cancel(self) -> None:
        """Drop the message awaiting confirmation; nothing is sent."""
        if self._pending is not None:
            self._pending = None
            self.status.info("Cancelled: nothing was sent.")
        hidden(self.confirmation)

    def _deliver(self, payload: dict[str, Any], key: str) -> None:
        def send() -> dict:
            self.status.info(f"Sending to {payload['to']}\u2026")
            fields = {k: v for k, v in payload.items() if k not in ("to", "subject", "channel")}
            return self.client.messages.send(
                to=payload["to"], subject=payload["subject"], channel=payload["channel"], idempotency_key=key, **fields
            )

        def missing_template(exc: errors.NitrosendError) -> None:
            if isinstance(exc, errors.NotFoundError) and "template_id" in payload:
                self.errors.set("template", f"Template #{payload['template_id']} does not exist (any more).")

        outcome = self._call(lambda: self.guard.once(key, send), beside_fields=True, on_error=missing_template)
        if outcome is None:
            return
        message, repeated = outcome
        if repeated:
            self.status.info(
                f"Message #{message.get('id')} with exactly this content already went to "
                f"{payload['to']}; it was not sent again. Change something to send another."
            )
            return
        self.status.success(
            f"Sent message #{message.get('id')} to {payload['to']} (status {message.get('status', 'queued')})."
        )
