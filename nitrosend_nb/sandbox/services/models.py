"""Pydantic request bodies for every write endpoint: FastAPI validates them and the error handlers turn any
failure into a per-field 422. Unknown fields are ignored, as the real service does."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ...rendering import RenderError, merge
from ...rendering.design import SECTION_TYPES, design_strings, sections_problem
from ..engine.webhook_delivery import EVENTS
from ..limits import MAX_IDEMPOTENCY_KEY_LENGTH, MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH, MAX_URL_FIELD_LENGTH

EMAIL = re.compile(r"^[^@\s<>(),;:\"\x00-\x1f\x7f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def is_email(value: str) -> bool:
    """Whether ``value`` is a plausible email address."""
    return bool(EMAIL.fullmatch(value or ""))  # fullmatch: "$" alone would let a trailing newline through


def _email(value: str) -> str:
    value = value.strip()
    if not is_email(value):
        raise ValueError("is not a valid email address")
    return value


SENDER = re.compile(r'^(?:"?(?P<name>[^"<>]*?)"?\s*<(?P<email>[^<>]*)>|(?P<bare>[^<>]*))$')


def parse_sender(value: str) -> tuple[str | None, str]:
    """``"Name <addr>"`` or a bare ``addr`` as (name or None, address); ValueError when the address is invalid."""
    match = SENDER.match(value.strip())
    if not match:
        raise ValueError('must be an email address or "Name <address>"')
    address = (match.group("email") if match.group("email") is not None else match.group("bare")).strip()
    if not is_email(address):
        raise ValueError(f'{address!r} is not a valid email address (use "Name <address>" or a bare address)')
    return (match.group("name") or "").strip() or None, address


def _sender(value: str) -> str:
    parse_sender(value)
    return value.strip()


def _phone(value: str) -> str:
    value = value.strip().replace(" ", "")
    if not E164.match(value):
        raise ValueError("must be an E.164 phone number such as +447700900123")
    return value


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ValueError("must be a two-letter ISO country code")
    return value.strip().upper()


MAX_ID = 2**63 - 1  # SQLite's INTEGER range
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]
Email = Annotated[str, AfterValidator(_email)]
Phone = Annotated[str, AfterValidator(_phone)]
Country = Annotated[str, AfterValidator(_country)]
Sender = Annotated[str, AfterValidator(_sender)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
ShortText = Annotated[str, Field(max_length=MAX_NAME_LENGTH)]
Liquid = Annotated[str, AfterValidator(merge.check)]  # merge tags: a Liquid syntax error is a 422 naming the line
Subject = Annotated[str, Field(max_length=MAX_SUBJECT_LENGTH), AfterValidator(merge.check)]  # length, then Liquid
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)]


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null")
    return value


NameChange = Annotated[Name | None, BeforeValidator(_not_null)]  # PATCH: may be left out, never set to null


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


class Body(BaseModel):
    """Base for request bodies: ignore unknown fields, strip strings, refuse NaN/Infinity (not JSON)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nan(cls, data: Any) -> Any:
        if not _finite(data):
            raise ValueError("NaN and Infinity are not valid JSON numbers")
        return data

    def changes(self) -> dict[str, Any]:
        """Only the fields the client actually sent (PATCH semantics)."""
        return self.model_dump(exclude_unset=True, by_alias=False)

    @classmethod
    def refuse(cls, errors: Mapping[str, list[str]]) -> ValidationError:
        """The error a model validator raises for rules spanning fields: one per-field message each, named by
        field as a field's own validator would be."""
        return ValidationError.from_exception_data(
            cls.__name__,
            [
                InitErrorDetails(type=PydanticCustomError("rule", message), loc=(name,), input=None)
                for name, messages in errors.items()
                for message in messages
            ],
        )


# -- design -------------------------------------------------------------------------------------------
class EmailSection(Body):
    """One design section."""

    model_config = ConfigDict(extra="allow")
    type: Literal[SECTION_TYPES]  # type: ignore[valid-type]  # the types GET /templates/spec lists
    props: dict[str, Any] = Field(default_factory=dict)
    styles: dict[str, Any] = Field(default_factory=dict)


class EmailDesign(Body):
    """A template design: sections plus optional theme overrides."""

    model_config = ConfigDict(extra="allow")
    sections: list[EmailSection] = Field(default_factory=list)
    theme: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _not_too_many_sections(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and (problem := sections_problem(data)):
            raise ValueError(problem)  # before 40,000 sections are parsed one by one
        return data

    @model_validator(mode="after")
    def _check_merge_tags(self) -> EmailDesign:
        for path, text in design_strings(self.model_dump()):
            try:
                merge.check(text)
            except RenderError as exc:
                raise ValueError(f"{path.removeprefix('design.')}: {exc}") from None
        return self


# -- contacts -----------------------------------------------------------------------------------------
class ChannelInput(Body):
    """``channels_attributes`` entry."""

    id: Id | None = None
    kind: Literal["email", "phone"]
    value: str | None = None
    subscribed: bool | None = None
    destroy: bool | None = Field(None, alias="_destroy")

    @model_validator(mode="after")
    def _check_value(self) -> ChannelInput:
        if self.value:
            self.value = _email(self.value) if self.kind == "email" else _phone(self.value)
        return self


class ContactUpdate(Body):
    """PATCH /contacts/{id}."""

    first_name: ShortText | None = None
    last_name: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    source: ShortText | None = None
    country_code: Country | None = None
    list_ids: list[Id] | None = None
    data: dict[str, Any] | None = None
    opt_in: bool | None = None
    subscribed_email: bool | None = None
    subscribed_phone: bool | None = None
    channels_attributes: list[ChannelInput] | None = None


class ContactCreate(ContactUpdate):
    """POST /contacts (an email or a phone is required)."""


# -- lists, segments ----------------------------------------------------------------------------------
class ListUpdate(Body):
    """PATCH /lists/{id}."""

    name: NameChange = None
    segment_id: Id | None = None
    contact_ids: list[Id] | None = None


class ListCreate(ListUpdate):
    """POST /lists."""

    name: Name


MAX_BULK_EMAILS = 1000


class ListBulk(Body):
    """POST /lists/{id}/contacts/bulk: add the brand's contacts with these addresses to the list, or remove them."""

    action: Literal["add", "remove"]
    emails: Annotated[list[Email], Field(min_length=1, max_length=MAX_BULK_EMAILS)]


class SegmentFilter(Body):
    """One segment condition."""

    name: str
    predicate: str
    value: Any = Field(description="string, number, boolean, or a list for in/not_in")


class SegmentUpdate(Body):
    """PATCH /segments/{id}."""

    name: NameChange = None
    filters: list[SegmentFilter] | None = None


class SegmentCreate(SegmentUpdate):
    """POST /segments."""

    name: Name
    filters: list[SegmentFilter] = Field(default_factory=list)


class SegmentCount(Body):
    """POST /segments/count."""

    filters: list[SegmentFilter] = Field(default_factory=list)


# -- templates ----------------------------------------------------------------------------------------
class TemplateAttributes(Body):
    """Email content: a template's, or a campaign's ``template_attributes``."""

    subject: Subject | None = None
    body: Liquid | None = None
    preheader: Subject | None = None
    from_name: ShortText | None = None
    from_email: Email | None = None
    reply_to: Email | None = None
    design: EmailDesign | None = None


class TemplateUpdate(TemplateAttributes):
    """PATCH /templates/{id}."""

    name: NameChange = None


class TemplateCreate(TemplateUpdate):
    """POST /templates."""

    name: Name


class SendTest(Body):
    """POST /templates/{id}/send_test and /campaigns/{id}/send_test: ``email`` (one or many), ``emails``,
    ``contact_id``, ``sample_contact_id`` (with ``email``), or none."""

    email: Email | list[Email] | None = None
    emails: list[Email] | None = None
    contact_id: Id | None = None
    sample_contact_id: Id | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _one_way_to_choose_recipients(self) -> SendTest:
        if self.contact_id is not None and self.sample_contact_id is not None:
            raise self.refuse({"sample_contact_id": ["give contact_id or sample_contact_id, not both"]})
        if self.sample_contact_id is not None and not (self.email or self.emails):
            raise self.refuse({"email": ["is required with sample_contact_id (the address the sample goes to)"]})
        return self


class Preview(Body):
    """POST /templates/preview (``document`` per the spec; ``design`` accepted too)."""

    document: EmailDesign | None = None
    design: EmailDesign | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    contact_id: Id | None = None

    @model_validator(mode="after")
    def _needs_a_design(self) -> Preview:
        if self.document is None and self.design is None:
            raise self.refuse({"document": ["is required"]})
        return self


# -- messages -----------------------------------------------------------------------------------------
class MessageCreate(Body):
    """POST /messages."""

    channel: Literal["email", "sms"]
    to: Annotated[str, Field(min_length=1)] | None = None
    contact_id: Id | None = None
    subject: Subject | None = None
    html: Liquid | None = None
    body: Liquid | None = None
    template_id: Id | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    from_: Sender | None = Field(None, alias="from")
    from_email: Email | None = None
    from_name: ShortText | None = None
    reply_to: Email | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    tags: Any = Field(default_factory=dict, description="an object {key: string | number | boolean}")
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _channel_rules(self) -> MessageCreate:
        """The rules that need no database: tags; a recipient in the channel's format; email needs a subject
        (or a template, whose subject the send checks) and html, body or a template; sms needs a body and takes
        no template."""
        errors = tag_errors(self.tags)
        email = self.channel == "email"
        if self.template_id is not None and not email:
            errors["template_id"] = ["templates are for the email channel only"]
        if self.to is None and self.contact_id is None:
            errors["to"] = ["is required (or give contact_id)"]
        elif self.to is not None and email and not is_email(self.to):
            errors["to"] = ["is not a valid email address"]
        elif self.to is not None and not email and not E164.match(self.to):
            errors["to"] = ["must be an E.164 phone number such as +447700900123"]
        if email:
            if not (self.subject or self.template_id is not None):
                errors["subject"] = ["is required for email"]
            if not (self.html or self.body or self.template_id is not None):
                errors["html"] = ["one of html, body or template_id is required for email"]
        elif not self.body:
            errors["body"] = ["is required for sms"]
        if errors:
            raise self.refuse(errors)
        return self


RESERVED_TAGS = ("account_id", "brand_id", "message_id")


def tag_errors(tags: Any) -> dict[str, list[str]]:
    """Per-field messages for a message's ``tags``: an object of string, number or boolean values whose keys are
    not reserved (empty when valid)."""
    if not isinstance(tags, dict):
        kind = "a list" if isinstance(tags, list) else type(tags).__name__
        return {"tags": [f"must be an object {{key: string | number | boolean}}, not {kind}"]}
    errors = {}
    for key, value in tags.items():
        if key in RESERVED_TAGS:
            errors[f"tags.{key}"] = [f"is reserved ({', '.join(RESERVED_TAGS)} are set by Nitrosend)"]
        elif not key.strip():
            errors["tags"] = ["keys must not be blank"]
        elif value is None or isinstance(value, (dict, list)):
            errors[f"tags.{key}"] = ["must be a string, number or boolean (not an object, list or null)"]
    return errors


# -- campaigns ----------------------------------------------------------------------------------------
CAMPAIGN_STATUSES = ("draft", "scheduled", "live", "paused", "completed", "cancelled", "archived")
FLOW_STATUSES = ("draft", "live", "paused", "archived", "cancelled")
AUDIENCE_TYPES = ("lists", "segment", "all_contacts")


def _status(allowed: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in allowed:
            hint = " ('active' is now 'live')" if value == "active" else ""
            raise ValueError(f"must be one of {', '.join(allowed)}{hint}")
        return value

    return AfterValidator(check)


CampaignStatus = Annotated[str, _status(CAMPAIGN_STATUSES)]
FlowStatus = Annotated[str, _status(FLOW_STATUSES)]


class FlowTriggerInput(Body):
    """A trigger: the event, list(s) or segment that starts a flow (campaigns extend it: TriggerAttributes)."""

    event: str | None = None
    segment_id: Id | None = None
    contact_list_id: Id | None = None
    contact_list_ids: list[Id] | None = None
    data: dict[str, Any] | None = None


class TriggerAttributes(FlowTriggerInput):
    """Campaign audience and trigger (``audience_type`` lists|segment|all_contacts, or null to derive it)."""

    audience_type: Literal["lists", "segment", "all_contacts"] | None = None


class CampaignUpdate(Body):
    """PATCH /campaigns/{id}."""

    name: NameChange = None
    status: CampaignStatus | None = None
    channel: Literal["email", "sms"] | None = None
    scheduled_at: str | None = None
    data: dict[str, Any] | None = None
    trigger_attributes: TriggerAttributes | None = None
    template_attributes: TemplateAttributes | None = None


class CampaignCreate(CampaignUpdate):
    """POST /campaigns."""

    name: Name
    channel: Literal["email", "sms"] = "email"


class CampaignDuplicate(Body):
    """POST /campaigns/{id}/duplicate."""

    cancel_source: bool = False
    name: Name | None = None


class CampaignSend(Body):
    """POST /campaigns/{id}/send."""

    trigger_attributes: TriggerAttributes | None = None
    template_attributes: TemplateAttributes | None = None
    confirm_send_to_all: bool = False


# -- flows --------------------------------------------------------------------------------------------
class FlowStep(Body):
    """One flow step (split steps nest ``yes``/``no`` branches)."""

    type: Literal["email", "sms", "wait", "split", "emit_event"]
    subject: str | None = None
    body: str | None = None
    preheader: str | None = None
    from_name: str | None = None
    from_email: str | None = None
    reply_to: str | None = None
    design: EmailDesign | None = None
    duration: Annotated[int, Field(ge=0)] | None = None
    filters: list[SegmentFilter] | None = None
    yes: list[FlowStep] | None = None
    no: list[FlowStep] | None = None
    event_name: str | None = None
    forward_event_data: bool | None = None
    event_data: dict[str, Any] | None = None
    transactional: bool | None = None


class FlowUpdate(Body):
    """PATCH /flows/{id} (``updated_at`` enables the optimistic-concurrency check)."""

    name: NameChange = None
    status: FlowStatus | None = None
    goal: ShortText | None = None
    updated_at: str | None = None
    trigger: FlowTriggerInput | None = None
    steps: list[FlowStep] | None = None


class FlowCreate(FlowUpdate):
    """POST /flows."""

    name: Name
    status: FlowStatus = "draft"
    idempotency_key: str | None = None


# -- account and brands -------------------------------------------------------------------------------
HexColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class AccountUpdate(Body):
    """PATCH /account."""

    name: NameChange = None
    avatar: Annotated[str, Field(max_length=2048)] | None = None
    banner: Annotated[str, Field(max_length=2048)] | None = None
    safe_mode_enabled: bool | None = None


class BrandLink(Body):
    """One entry of a brand's ``links``."""

    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2048)]
    icon: str = "globe"
    title: str | None = None

    @model_validator(mode="after")
    def _default_title(self) -> BrandLink:
        self.title = self.title or self.url
        return self


Size = Annotated[int, Field(ge=8, le=96)]  # px: a heading or body text size


class BrandUpdate(Body):
    """PATCH /brands/{sid} (today's ``UpdateBrand``: ``CreateBrand``'s fields)."""

    name: Name | None = None  # the brand's name: its company_name when that is not sent
    company_name: Name | None = None
    brand_color: HexColour | None = None
    text_color: HexColour | None = None
    bg_color: HexColour | None = None
    font_heading: ShortText | None = None
    font_body: ShortText | None = None
    heading_size: Size | None = None
    body_size: Size | None = None
    radius: Annotated[int, Field(ge=0, le=48)] | None = None
    spacing_density: Literal["compact", "normal", "spacious"] | None = None
    company_description: Annotated[str, Field(max_length=2000)] | None = None
    physical_address: Annotated[str, Field(max_length=500)] | None = None
    logo: Annotated[str, Field(max_length=MAX_URL_FIELD_LENGTH)] | None = None
    brand_document: Annotated[str, Field(max_length=50_000)] | None = None
    email_from_name: ShortText | None = None
    email_from_email: Email | None = None
    email_reply_to: Email | None = None
    email_view_online: bool | None = None
    email_track_opens: bool | None = None
    email_track_clicks: bool | None = None
    test_email_recipients: Annotated[list[Email], Field(max_length=5)] | None = None
    links: list[BrandLink] | None = None
    default_header: dict[str, Any] | None = None
    default_footer: dict[str, Any] | None = None
    default_theme: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _name_is_the_company(self) -> BrandUpdate:
        if self.company_name is None and self.name is not None:
            self.company_name = self.name
        return self


class BrandCreate(BrandUpdate):
    """POST /brands (``company_name``, or ``name``, required)."""

    @model_validator(mode="after")
    def _named(self) -> BrandCreate:
        if self.company_name is None:
            raise self.refuse({"company_name": ["is required (or send name)"]})
        return self


class BrandScrape(Body):
    """POST /brands/{sid}/scrape."""

    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_FIELD_LENGTH, pattern=r"^https?://[^\s/]+\S*$")]


# -- events -------------------------------------------------------------------------------------------
EVENT_NAME = r"^[a-z][a-z0-9_]{0,63}$"
MAX_EVENT_DATA = 32 * 1024  # bytes of the JSON-encoded ``data``
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=128)]


def _small_data(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > MAX_EVENT_DATA:
        raise ValueError(f"is {size} bytes; at most 32 KB ({MAX_EVENT_DATA} bytes) of JSON is allowed")
    return value


class EventCreate(Body):
    """POST /events (``contact_id`` or ``contact_email`` names the contact; the key may come as a header)."""

    event: Annotated[str, Field(pattern=EVENT_NAME)]
    contact_id: Id | None = None
    contact_email: Email | None = None
    idempotency_key: IdempotencyKey | None = None
    amount: float | None = None
    resource_uid: str | None = None
    resource_name: str | None = None
    resource_url: str | None = None
    test: bool = False
    data: Annotated[dict[str, Any], AfterValidator(_small_data)] = Field(default_factory=dict)
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    utm_campaign: str | None = None


# -- domains ------------------------------------------------------------------------------------------
HOSTNAME = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


def _hostname(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not HOSTNAME.match(value):
        raise ValueError("must be a domain name such as send.example.com")
    return value


class DomainName(Body):
    """The ``domain`` object of POST /domains."""

    name: Annotated[str, AfterValidator(_hostname)]


class DomainCreate(Body):
    """POST /domains: ``{"domain": {"name": ...}}``."""

    domain: DomainName


# -- sandbox control ----------------------------------------------------------------------------------
class FaultRequest(Body):
    """POST /_sandbox/faults."""

    count: Annotated[int, Field(ge=1)] = 1
    status: Annotated[int, Field(ge=400, le=599)] = 503
    when: Literal["before", "after"] = "after"
    path: str | None = None
    method: str | None = None


class ConfigRequest(Body):
    """POST /_sandbox/config."""

    latency_ms: Annotated[float, Field(ge=0)] | None = None
    rate_limit: Annotated[float, Field(ge=0)] | None = None
    error_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    bounce_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    complaint_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    reply_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    import_rows_per_second: Annotated[float, Field(ge=0)] | None = None
    webhook_time_scale: Annotated[float, Field(gt=0)] | None = None
    engagement: dict[Literal["bounce", "open", "click"], Annotated[float, Field(ge=0, le=1)]] | None = None


MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # an inbound attachment's declared size (the sandbox keeps no bytes)


class InboundAttachment(Body):
    """One attachment an inbound email declares (name, type and size; its bytes are not sent)."""

    filename: Name
    content_type: ShortText | None = None
    size: Annotated[int, Field(ge=0, le=MAX_ATTACHMENT_BYTES)] = 0


class InboundRequest(Body):
    """POST /_sandbox/inbound: a reply to ``message_id``, or mail to a brand (``brand_sid``, default the default
    brand) answering none, which needs ``from``."""

    message_id: Id | None = None
    brand_sid: ShortText | None = None
    sender: Sender | None = Field(default=None, alias="from")
    subject: Annotated[str, Field(max_length=MAX_SUBJECT_LENGTH)] | None = None
    text: str | None = None
    html: str | None = None
    auto_submitted: bool = False
    attachments: Annotated[list[InboundAttachment], Field(max_length=10)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _answers_or_names_a_sender(self) -> InboundRequest:
        if self.message_id is None and self.sender is None:
            raise self.refuse({"from": ["is required for mail that answers no message (or send message_id)"]})
        if self.message_id is not None and self.brand_sid is not None:
            raise self.refuse({"brand_sid": ["is the answered message's brand: send message_id or brand_sid"]})
        return self


# -- imports ------------------------------------------------------------------------------------------
class ImportOptions(Body):
    """``options`` of POST /imports."""

    list_ids: list[Id] = Field(default_factory=list)
    write_mode: Literal["real", "shadow", "dry_run"] = "real"


class ImportCreate(Body):
    """POST /imports (JSON after a direct upload, or the non-file fields of the multipart form)."""

    signed_id: str | None = None
    resource: Literal["contacts"] = "contacts"
    columns: dict[str, str | None] = Field(default_factory=dict)
    options: ImportOptions = Field(default_factory=ImportOptions)


class BlobDeclaration(Body):
    """The file a direct upload declares."""

    filename: Name
    byte_size: Annotated[int, Field(ge=1)]
    checksum: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{22}==$", description="base64 MD5 of the bytes")]
    content_type: str = "text/csv"


class DirectUploadCreate(Body):
    """POST /v1/direct_uploads: a CSV to import, or a picture (``image``, ``media_asset``) to use in emails."""

    purpose: Literal["import", "image", "media_asset"] = "import"
    blob: BlobDeclaration


class ImageIngest(Body):
    """POST /images: exactly one of ``image_url`` (http, https or data:), ``image_data`` (base64, or a data: URL)
    and ``signed_id`` (a direct upload's); ``filename`` and ``content_type`` name what the source does not."""

    image_url: Annotated[str, Field(min_length=1, max_length=MAX_URL_FIELD_LENGTH)] | None = None
    image_data: str | None = None
    signed_id: str | None = None
    filename: Name | None = None
    content_type: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ImageIngest:
        given = [name for name in ("image_url", "image_data", "signed_id") if getattr(self, name)]
        if len(given) != 1:
            name = (given or ["image_url"])[-1]
            raise self.refuse({name: ["send exactly one of image_url, image_data and signed_id"]})
        return self


# -- webhooks -----------------------------------------------------------------------------------------
WebhookEvent = Literal[EVENTS]


class WebhookUpdate(Body):
    """PATCH /webhooks/{id}."""

    url: Annotated[str, Field(min_length=1, max_length=2048)] | None = None
    events: Annotated[list[WebhookEvent], Field(min_length=1)] | None = None
    enabled: bool | None = None


class WebhookCreate(WebhookUpdate):
    """POST /webhooks."""

    url: Annotated[str, Field(min_length=1, max_length=2048)]
    events: Annotated[list[WebhookEvent], Field(min_length=1)]
    enabled: bool = True


class WebhookTest(Body):
    """POST /webhooks/{id}/test."""

    type: WebhookEvent = "email.delivered"
