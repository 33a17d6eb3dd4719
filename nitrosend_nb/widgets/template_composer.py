"""TemplateComposer: write an e-mail template, preview it live with a sample contact, save it and send tests."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..client.resources.templates import CONTENT_FIELDS
from ..email_checks import check_email
from ..rendering import RenderError, merge, merge_context, render_email
from ..rendering.design import brand_theme
from . import html as markup
from .base import Form
from .form import FieldErrors, labelled, text_area, text_input, view_picker
from .guard import idempotency_key
from .records import contact_label, merge_tag_options
from .validation import check, parse_address, parse_address_list, require_text

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["TemplateComposer"]

#: The template's fields edited as text, in form order (also the names of the parts and of the API fields); the
#: design is not edited here, only shown.
FIELDS = ("name", *(field for field in CONTENT_FIELDS if field != "design"))
SAMPLE_CONTACTS = 25
IMAGE_WIDTH = 600  # px: the widest an inserted image is shown (an email's usual content width)
#: What the image chooser does: append an <img> to the HTML body, or beside a design upload the picture for a section.
IMAGE_TOOLTIP = {
    "html": "Upload a picture and append its <img> to the body",
    "design": "Upload a picture and get its URL for an image section of the design",
}
#: What the body field is, as (label, placeholder, tooltip): the email's HTML, or beside a design (which makes the
#: HTML) the optional plain-text part.
BODY_FIELD = {
    "html": (
        "HTML body",
        "<h1>Hi {{ contact.first_name }}</h1>",
        "The email's HTML (merge tags allowed); plain text is turned into simple HTML",
    ),
    "design": (
        "Plain text",
        "Optional: the plain-text part. Left empty, it is made from the design (the preview's Plain text view)",
        "The plain-text part of a design-built email; its HTML comes from the design's sections",
    ),
}


class TemplateComposer(Form):
    """Compose a template: fields, merge-tag picker, live preview, Save (create, then PATCH) and Send test.

    The preview renders exactly as a send does (Liquid merge tags, MJML designs, the same merge context with the
    sample contact and the account's brand), at desktop or mobile width or as plain text, warns about unknown
    merge variables and shows the link and compatibility checks before a test is sent.

    Display the object to use it. Parts are attributes (``name``, ``subject``, ``preheader``, ``from_name``,
    ``from_email``, ``reply_to``, ``body``, ``merge_tag_picker``, ``insert_tag_button``, ``image_upload`` (a
    picture chosen there is uploaded with ``ns.images.upload`` and its ``<img>`` appended to the body),
    ``sample_contact``,
    ``preview_view``, ``preview``, ``merge_warnings``, ``checks``, ``recipients``, ``save_button``,
    ``test_button``, ``status``); ``template_id`` is the saved id.
    """

    def __init__(self, client: Nitrosend, template_id: int | None = None, *, preview_delay: float = 0.3) -> None:
        super().__init__(client)
        self._template_id: int | None = None
        self._saved: dict[str, str] | None = None
        self._contacts: dict[int, dict] = {}
        self._design: dict | None = None  # a design-based template's sections (rendered like a send renders them)
        self._brand: dict = {}

        self.name = text_input("Name", "Internal template name (required)")
        self.subject = text_input("Subject", "Subject line, merge tags allowed")
        self.preheader = text_input("Preheader", "Preview text shown after the subject")
        self.from_name = text_input("From name", "Sender name (brand default if empty)")
        self.from_email = text_input("From email", "sender@yourdomain.com (brand default if empty)")
        self.reply_to = text_input("Reply-to", "replies@yourdomain.com (optional)")
        self.body = text_area(*BODY_FIELD["html"][:2], rows=12)
        self.body.tooltip = BODY_FIELD["html"][2]
        self.image_upload = widgets.FileUpload(
            accept="image/png,image/jpeg,image/gif,image/webp,image/svg+xml",
            multiple=False,
            description="Insert image",
            tooltip=IMAGE_TOOLTIP["html"],
        )
        self.design_note = widgets.HTML()
        self.merge_tag_picker = labelled(widgets.Dropdown, "Merge tag", full_width=False, options=merge_tag_options([]))
        self.insert_tag_button = widgets.Button(
            description="Insert tag", tooltip="Append the tag to the body", icon="plus"
        )
        self.sample_contact = labelled(
            widgets.Dropdown,
            "Preview as",
            options=[("(no contact)", None)],
            tooltip="Preview only: a test e-mail is personalised with each recipient's own contact record",
        )
        self.preview_view = view_picker()
        self.preview = widgets.HTML()
        self.merge_warnings = widgets.HTML()
        self.checks = widgets.HTML()
        self.state = widgets.HTML()
        self.recipients = text_input("Recipients", "a@example.com, b@example.com (empty: account test recipients)")
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="save")
        self.test_button = widgets.Button(description="Send test", icon="paper-plane")

        self.errors = FieldErrors(
            {field: getattr(self, field) for field in FIELDS} | {"recipients": self.recipients},
            aliases={"email": "recipients", "emails": "recipients", "html": "body"},
        )
        self.preview_debounce = self._debouncer(self.refresh_preview, preview_delay)

        form = widgets.VBox(
            [
                self.state,
                *(self.errors.row(field) for field in FIELDS if field != "body"),
                widgets.HBox([self.merge_tag_picker, self.insert_tag_button, self.image_upload]),
                self.design_note,
                self.errors.row("body"),
            ],
            layout=widgets.Layout(flex="1 1 420px", min_width="320px", margin="0 16px 0 0"),
        )
        preview_column = widgets.VBox(
            [self.sample_contact, self.preview_view, self.preview, self.merge_warnings, self.checks],
            layout=widgets.Layout(flex="1 1 420px", min_width="320px"),
        )
        self._lay_out(
            widgets.HBox([form, preview_column], layout=widgets.Layout(flex_flow="row wrap", width="100%")),
            self.errors.row("recipients"),
            widgets.HBox([self.save_button, self.test_button]),
            self.status,
        )

        # The brand and the sample contacts feed the first preview; they are read before the observers are set,
        # so choosing the first sample contact does not render (and probe the links of) a preview of its own.
        self._load_brand()
        self._load_sample_contacts()
        for field in FIELDS:
            getattr(self, field).observe(self._on_edit, names="value")
        self.sample_contact.observe(lambda change: self.refresh_preview(), names="value")
        self.preview_view.observe(lambda change: self.refresh_preview(), names="value")
        self.insert_tag_button.on_click(lambda button: self.insert_tag())
        self.image_upload.observe(self._on_image_chosen, names="value")
        self._guard({self.save_button: self.save, self.test_button: self.send_test})

        if template_id is None or not self.load(template_id):
            self.refresh_preview()
        self._show_state()

    def __repr__(self) -> str:
        state = "new" if self._template_id is None else ("unsaved changes" if self.dirty else "saved")
        return f"<TemplateComposer template_id={self._template_id} ({state})>"

    # ----------------------------------------------------------------- state
    @property
    def template_id(self) -> int | None:
        """The id of the saved template, or None before the first save."""
        return self._template_id

    def values(self) -> dict[str, str]:
        """The form's current field values, by API field name."""
        return {field: getattr(self, field).value for field in FIELDS}

    @property
    def dirty(self) -> bool:
        """True when the form differs from what was last saved (or loaded)."""
        return self._saved != self.values()

    def _show_state(self) -> None:
        if self._template_id is None:
            text, tone = "New template, not saved yet", "muted"
        elif self.dirty:
            text, tone = f"Template #{self._template_id} \u00b7 unsaved changes", "warn"
        else:
            text, tone = f"Template #{self._template_id} \u00b7 saved", "ok"
        self.state.value = markup.text(text, tone)

    def _on_edit(self, change: dict) -> None:
        self._show_state()
        self.preview_debounce.trigger()

    # ----------------------------------------------------------------- loading
    def _load_brand(self) -> None:
        """The brand the client acts for (its ``brand_sid``, else the account's default, listed first): its name,
        address and theme feed the preview, as they feed sends."""
        brand = self._call(self.client.brands.current)
        if brand is not None:
            self._brand = brand

    def _load_sample_contacts(self) -> None:
        contacts = self._call(lambda: list(self.client.contacts.list(limit=SAMPLE_CONTACTS)))
        if contacts is None:
            return
        self._contacts = {contact["id"]: contact for contact in contacts}
        self.sample_contact.options = [("(no contact)", None)] + [(contact_label(c), c["id"]) for c in contacts]
        if contacts:
            self.sample_contact.value = contacts[0]["id"]
        self.merge_tag_picker.options = merge_tag_options(contacts)

    def load(self, template_id: int) -> bool:
        """Fill the form and the preview from the stored template ``template_id``; False when it cannot be read."""
        template = self._call(lambda: self.client.templates.get(template_id))
        if template is None:
            return False
        self._saved = {field: template.get(field) or "" for field in FIELDS}
        for field, value in self._saved.items():
            getattr(self, field).value = value
        self._template_id = template["id"]
        self.preview_debounce.cancel()
        self.errors.clear()
        self._show_state()
        self.status.info(f"Loaded template #{self._template_id}.")
        self._use_design(template.get("design"))
        self.refresh_preview()
        return True

    def _use_design(self, design: Mapping[str, Any] | None) -> None:
        """Keep ``design`` (when it has sections) for the preview, and say what the form edits beside it."""
        sections = [section.get("type") for section in (design or {}).get("sections") or []]
        self._design = dict(design) if sections else None  # a template without sections drops the last design
        self.body.description, self.body.placeholder, self.body.tooltip = BODY_FIELD["design" if sections else "html"]
        self.image_upload.tooltip = IMAGE_TOOLTIP["design" if sections else "html"]
        self.design_note.value = (
            ""
            if not sections
            else markup.text(
                f"Built from {len(sections)} design sections ({', '.join(map(str, sections))}). The preview shows "
                "the email they make, as it is sent; the sections are changed with ns.templates.update(id, "
                "design=...), not in this form. The field below is the plain-text part of the email (optional: "
                "left empty, it is made from the design; the Plain text view shows it).",
                "muted",
            )
        )

    # ----------------------------------------------------------------- actions
    def _append_to_body(self, text: str) -> None:
        body = self.body.value
        separator = "" if not body or body[-1].isspace() or body.endswith(">") else " "
        self.body.value = body + separator + text

    def insert_tag(self) -> None:
        """Append the merge tag chosen in the picker to the body."""
        self._append_to_body(self.merge_tag_picker.value)

    def insert_image(self, data: bytes, filename: str | None = None, alt: str = "") -> dict | None:
        """Upload picture ``data`` (``ns.images.upload``) and append an ``<img>`` of it to the HTML body (at most
        :data:`IMAGE_WIDTH` px wide); beside a design, whose body field is the plain-text part, only upload it and
        give its URL for an image section. Returns its ImageAsset, or None when it was refused (said in the
        status)."""
        try:
            asset = self._call(lambda: self.client.images.upload(data, filename=filename))
        except ValueError as exc:  # not a picture: refused before anything is sent
            self.status.error(f"{filename or 'The file'} was not inserted: {exc}.")
            return None
        if asset is None:
            return None
        size = f" ({asset['width']} x {asset['height']} px)" if asset["width"] else ""
        if self._design:
            self.status.success(
                f"Uploaded {asset['filename']}{size}: {asset['image_url']}. A design's pictures are image sections "
                "(ns.templates.update(id, design=...)); the plain-text part was left as it is."
            )
            return asset
        width = min(asset["width"] or IMAGE_WIDTH, IMAGE_WIDTH)
        self._append_to_body(
            f'<img src="{html.escape(asset["image_url"])}" alt="{html.escape(alt)}" width="{width}" '
            'style="display:block;max-width:100%;height:auto;border:0">'
        )
        self.status.success(f"Uploaded {asset['filename']}{size} and inserted it at the end of the body.")
        return asset

    def _on_image_chosen(self, change: dict) -> None:
        """A picture chosen in :attr:`image_upload`: insert it, then clear the chooser (the same file can be chosen
        again)."""
        if change["new"]:
            chosen = change["new"][0]
            self.insert_image(bytes(chosen["content"]), chosen["name"])
            self.image_upload.value = ()

    def refresh_preview(self) -> None:
        """Render the template as a send to the sample contact would (subject, preheader, the HTML body or the
        design's sections) into the chosen view, with unknown-variable warnings and the email's checks."""
        self.preview_debounce.cancel()
        context = merge_context(self._brand, self._contacts.get(self.sample_contact.value))
        content = self.values() | {"design": self._design}
        try:
            email = render_email(content, context, brand_theme(self._brand))
            preheader = merge.render(self.preheader.value, context, field="preheader")
        except RenderError as exc:  # bad Liquid, or a rendering limit reached: said at once, not rendered
            self.preview.value = markup.block(
                f"{markup.text(exc.field, 'error', bold=True)}: {markup.text(exc, 'error')}", "error"
            )
            self.merge_warnings.value = self.checks.value = ""
            return
        self.merge_warnings.value = (
            ""
            if not email.unknown
            else markup.block(
                markup.text(f"Unknown merge variables, rendered empty: {', '.join(email.unknown)}", "warn"), "warn"
            )
        )
        self.checks.value = markup.checks(check_email(email.html, kind="test", probe=self.client.inbox.probe))
        sender = self.from_name.value.strip()
        if self.from_email.value.strip():
            sender = f"{sender} <{self.from_email.value.strip()}>".strip()
        head = markup.key_values(
            (label, value)
            for label, value in (("Subject", email.subject), ("Preheader", preheader), ("From", sender))
            if value
        )
        self.preview.value = f'<div class="ns-head">{head}</div>' + markup.email_view(
            self.preview_view.value, self.client.inbox.local_pictures(email.html), email.text, "Template preview"
        )

    def _validated(self, *, sending: bool) -> list[str] | None:
        """Check the fields before any request (for a send also the subject and recipients); mark each problem
        beside its field and return the recipients (empty: the account's), or None when something needs fixing."""
        problems: dict[str, str] = {}
        check(problems, "name", require_text, self.name.value, "A template name")
        check(problems, "from_email", parse_address, self.from_email.value, required=False)
        check(problems, "reply_to", parse_address, self.reply_to.value, required=False)
        recipients: list[str] = []
        if sending:
            check(problems, "subject", require_text, self.subject.value, "A subject")
            recipients = check(problems, "recipients", parse_address_list, self.recipients.value) or []
        if problems:
            self.errors.show(problems)
            outcome = "No test was sent" if sending else "Nothing was saved"
            self.status.error(f"{outcome}: fix the fields marked above.")
            return None
        return recipients

    def save(self) -> int | None:
        """Validate and store the template (create the first time, PATCH the changes later); return its id."""
        if self._validated(sending=False) is None:
            return None
        return self._store()

    def _store(self) -> int | None:
        values = self.values()
        if self._template_id is not None and values == self._saved:
            self.status.info(f"Template #{self._template_id} has no unsaved changes.")
            return self._template_id
        self.errors.clear()
        self.status.info("Saving\u2026")
        if self._call(lambda: self._write(values), beside_fields=True, on_error=lambda exc: self._show_state()) is None:
            return None
        self._saved = values
        self._show_state()
        self.status.success(f"Saved template #{self._template_id}.")
        return self._template_id

    def _write(self, values: dict[str, str]) -> int:
        """Create the template (first save) or PATCH the fields that changed; return its id."""
        if self._template_id is None:
            self._template_id = self.client.templates.create(**{k: v for k, v in values.items() if v.strip()})["id"]
        else:
            changed = {k: v if v.strip() else None for k, v in values.items() if v != (self._saved or {}).get(k)}
            self.client.templates.update(self._template_id, **changed)  # None clears a field
        return self._template_id

    def send_test(self) -> dict | None:
        """Save if needed, then send a test of the stored template to the recipients (or the account's)."""
        recipients = self._validated(sending=True)
        if recipients is None or self._store() is None:
            return None
        # No contact_id: the API would send to that contact instead of the recipients. Merge tags in a test are
        # filled from each recipient's own contact record (when there is one); the preview shows the sample contact.
        key = idempotency_key(
            f"POST /templates/{self._template_id}/send_test", {"email": recipients or None, "template": self._saved}
        )
        return self._send_test(
            key,
            f"template #{self._template_id}",
            lambda: self.client.templates.send_test(self._template_id, email=recipients or None, idempotency_key=key),
        )
