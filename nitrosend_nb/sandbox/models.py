"""Pydantic request bodies for every write endpoint: FastAPI validates them and the error handlers turn any
failure into a per-field 422. Unknown fields are ignored, as the real service does."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Optional

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def is_email(value: str) -> bool:
    """Whether ``value`` is a plausible email address."""
    return bool(EMAIL.match(value or ""))


def _email(value: str) -> str:
    value = value.strip()
    if not is_email(value):
        raise ValueError("is not a valid email address")
    return value


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
Name = Annotated[str, Field(min_length=1, max_length=255)]


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


# -- design -------------------------------------------------------------------------------------------
class EmailSection(Body):
    """One design section."""

    model_config = ConfigDict(extra="allow")
    type: Literal["header", "hero", "text", "image", "button", "columns", "product", "social", "divider", "spacer",
                  "footer"]
    props: dict[str, Any] = Field(default_factory=dict)
    styles: dict[str, Any] = Field(default_factory=dict)


class EmailDesign(Body):
    """A template design: sections plus optional theme overrides."""

    model_config = ConfigDict(extra="allow")
    sections: list[EmailSection] = Field(default_factory=list)
    theme: dict[str, Any] = Field(default_factory=dict)


# -- contacts -----------------------------------------------------------------------------------------
class ChannelInput(Body):
    """``channels_attributes`` entry."""

    id: Optional[Id] = None
    kind: Literal["email", "phone"]
    value: Optional[str] = None
    subscribed: Optional[bool] = None
    destroy: Optional[bool] = Field(None, alias="_destroy")

    @model_validator(mode="after")
    def _check_value(self) -> "ChannelInput":
        if self.value:
            self.value = _email(self.value) if self.kind == "email" else _phone(self.value)
        return self


class ContactUpdate(Body):
    """PATCH /contacts/{id}."""

    first_name: Optional[str] = None
    last_name: Optional[str] = None
    email: Optional[Email] = None
    phone: Optional[Phone] = None
    source: Optional[str] = None
    country_code: Optional[Country] = None
    list_ids: Optional[list[Id]] = None
    data: Optional[dict[str, Any]] = None
    opt_in: Optional[bool] = None
    subscribed_email: Optional[bool] = None
    subscribed_phone: Optional[bool] = None
    channels_attributes: Optional[list[ChannelInput]] = None


class ContactCreate(ContactUpdate):
    """POST /contacts (an email or a phone is required)."""


# -- lists, segments ----------------------------------------------------------------------------------
class ListUpdate(Body):
    """PATCH /lists/{id}."""

    name: Optional[Name] = None
    segment_id: Optional[Id] = None
    contact_ids: Optional[list[Id]] = None


class ListCreate(ListUpdate):
    """POST /lists."""

    name: Name


class SegmentFilter(Body):
    """One segment condition."""

    name: str
    predicate: str
    value: Any = Field(description="string, number, boolean, or a list for in/not_in")


class SegmentUpdate(Body):
    """PATCH /segments/{id}."""

    name: Optional[Name] = None
    filters: Optional[list[SegmentFilter]] = None


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

    subject: Optional[str] = None
    body: Optional[str] = None
    preheader: Optional[str] = None
    from_name: Optional[str] = None
    from_email: Optional[Email] = None
    reply_to: Optional[Email] = None
    design: Optional[EmailDesign] = None


class TemplateUpdate(TemplateAttributes):
    """PATCH /templates/{id}."""

    name: Optional[Name] = None


class TemplateCreate(TemplateUpdate):
    """POST /templates."""

    name: Name


class SendTest(Body):
    """POST /templates/{id}/send_test: ``email`` (one or many), ``emails``, ``contact_id``, or none."""

    email: Optional[Email | list[Email]] = None
    emails: Optional[list[Email]] = None
    contact_id: Optional[Id] = None
    data: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: Optional[str] = None


class Preview(Body):
    """POST /templates/preview (``document`` per the spec; ``design`` accepted too)."""

    document: Optional[EmailDesign] = None
    design: Optional[EmailDesign] = None
    data: dict[str, Any] = Field(default_factory=dict)
    contact_id: Optional[Id] = None


# -- messages -----------------------------------------------------------------------------------------
class MessageCreate(Body):
    """POST /messages."""

    channel: Literal["email", "sms"]
    to: Annotated[str, Field(min_length=1)]
    subject: Optional[str] = None
    html: Optional[str] = None
    body: Optional[str] = None
    template_id: Optional[Id] = None
    data: dict[str, Any] = Field(default_factory=dict)
    from_: Optional[str] = Field(None, alias="from")
    from_email: Optional[Email] = None
    from_name: Optional[str] = None
    reply_to: Optional[Email] = None
    headers: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    idempotency_key: Optional[str] = None


# -- campaigns ----------------------------------------------------------------------------------------
class TriggerAttributes(Body):
    """Campaign audience and trigger."""

    event: Optional[str] = None
    contact_list_id: Optional[Id] = None
    contact_list_ids: Optional[list[Id]] = None
    segment_id: Optional[Id] = None
    data: Optional[dict[str, Any]] = None


class CampaignUpdate(Body):
    """PATCH /campaigns/{id}."""

    name: Optional[Name] = None
    status: Optional[Literal["draft", "active", "paused", "completed"]] = None
    channel: Optional[Literal["email", "sms"]] = None
    scheduled_at: Optional[str] = None
    data: Optional[dict[str, Any]] = None
    trigger_attributes: Optional[TriggerAttributes] = None
    template_attributes: Optional[TemplateAttributes] = None


class CampaignCreate(CampaignUpdate):
    """POST /campaigns."""

    name: Name
    channel: Literal["email", "sms"] = "email"


class CampaignSend(Body):
    """POST /campaigns/{id}/send."""

    trigger_attributes: Optional[TriggerAttributes] = None
    template_attributes: Optional[TemplateAttributes] = None
    confirm_send_to_all: bool = False


# -- flows --------------------------------------------------------------------------------------------
class FlowTriggerInput(Body):
    """Flow trigger."""

    event: Optional[str] = None
    segment_id: Optional[Id] = None
    contact_list_id: Optional[Id] = None
    contact_list_ids: Optional[list[Id]] = None
    data: Optional[dict[str, Any]] = None


class FlowStep(Body):
    """One flow step (split steps nest ``yes``/``no`` branches)."""

    type: Literal["email", "sms", "wait", "split", "emit_event"]
    subject: Optional[str] = None
    body: Optional[str] = None
    preheader: Optional[str] = None
    from_name: Optional[str] = None
    from_email: Optional[str] = None
    reply_to: Optional[str] = None
    design: Optional[EmailDesign] = None
    duration: Optional[Annotated[int, Field(ge=0)]] = None
    filters: Optional[list[SegmentFilter]] = None
    yes: Optional[list["FlowStep"]] = None
    no: Optional[list["FlowStep"]] = None
    event_name: Optional[str] = None
    forward_event_data: Optional[bool] = None
    event_data: Optional[dict[str, Any]] = None
    transactional: Optional[bool] = None


class FlowUpdate(Body):
    """PATCH /flows/{id} (``updated_at`` enables the optimistic-concurrency check)."""

    name: Optional[Name] = None
    status: Optional[Literal["draft", "active", "paused", "archived"]] = None
    goal: Optional[str] = None
    updated_at: Optional[str] = None
    trigger: Optional[FlowTriggerInput] = None
    steps: Optional[list[FlowStep]] = None


class FlowCreate(FlowUpdate):
    """POST /flows."""

    name: Name
    status: Literal["draft", "active", "paused", "archived"] = "draft"


# -- sandbox control ----------------------------------------------------------------------------------
class FaultRequest(Body):
    """POST /_sandbox/faults."""

    count: Annotated[int, Field(ge=1)] = 1
    status: Annotated[int, Field(ge=400, le=599)] = 503
    when: Literal["before", "after"] = "after"
    path: Optional[str] = None
    method: Optional[str] = None


class ConfigRequest(Body):
    """POST /_sandbox/config."""

    latency_ms: Optional[Annotated[float, Field(ge=0)]] = None
    rate_limit: Optional[Annotated[float, Field(ge=0)]] = None
    error_rate: Optional[Annotated[float, Field(ge=0, le=1)]] = None
    import_rows_per_second: Optional[Annotated[float, Field(ge=0)]] = None
    webhook_time_scale: Optional[Annotated[float, Field(gt=0)]] = None
    engagement: Optional[dict[Literal["bounce", "open", "click"], Annotated[float, Field(ge=0, le=1)]]] = None


# -- imports ------------------------------------------------------------------------------------------
class ImportOptions(Body):
    """``options`` of POST /imports."""

    list_ids: list[Id] = Field(default_factory=list)
    write_mode: Literal["real", "shadow", "dry_run"] = "real"


class ImportCreate(Body):
    """POST /imports (JSON after a direct upload, or the non-file fields of the multipart form)."""

    signed_id: Optional[str] = None
    resource: Literal["contacts"] = "contacts"
    columns: dict[str, Optional[str]] = Field(default_factory=dict)
    options: ImportOptions = Field(default_factory=ImportOptions)


class BlobDeclaration(Body):
    """The file a direct upload declares."""

    filename: Name
    byte_size: Annotated[int, Field(ge=1)]
    checksum: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{22}==$", description="base64 MD5 of the bytes")]
    content_type: str = "text/csv"


class DirectUploadCreate(Body):
    """POST /v1/direct_uploads."""

    purpose: Literal["import"] = "import"
    blob: BlobDeclaration


# -- webhooks -----------------------------------------------------------------------------------------
WebhookEvent = Literal["email.sent", "email.delivered", "email.bounced", "email.complained", "email.opened",
                       "email.clicked", "email.failed", "email.received"]


class WebhookUpdate(Body):
    """PATCH /webhooks/{id}."""

    url: Optional[Annotated[str, Field(min_length=1, max_length=2048)]] = None
    events: Optional[Annotated[list[WebhookEvent], Field(min_length=1)]] = None
    enabled: Optional[bool] = None


class WebhookCreate(WebhookUpdate):
    """POST /webhooks."""

    url: Annotated[str, Field(min_length=1, max_length=2048)]
    events: Annotated[list[WebhookEvent], Field(min_length=1)]
    enabled: bool = True


class WebhookTest(Body):
    """POST /webhooks/{id}/test."""

    type: WebhookEvent = "email.delivered"
