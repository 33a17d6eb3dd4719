"""DataFrame schemas of every resource (the ONE place columns and dtypes are declared) and ``to_frame``.

Columns follow today's API (``API-NOTES.md``, "Today's API") and, where it is silent, the component schemas of
Nitrosend's OpenAPI description (Contact, ContactList, Segment, Campaign, Message, TemplateSummary, Flow, Brand,
Event, Domain, Account and its billing.resources), the suppressions, imports and webhooks of today's API, plus the
sandbox outbox record. Values stay the API's: a transactional message's ``source_type`` is missing (<NA>), as the
API sends null, not a made-up "transactional".

Dtype rules (the default ``numpy_nullable`` backend built here; :mod:`~nitrosend_nb.client.columnar` builds the
``pyarrow`` one from the same declarations): ids and counts ``Int64``; booleans ``boolean``; timestamps
``datetime64[ns, UTC]``; enums ``category`` (the spec's values first, unseen values appended, never dropped); text
``string``; list and free-form object fields (declared :class:`ListOf`, :class:`Record` or :data:`JSON`, which
say what Arrow type they take) stay Python objects. Nested objects analysts filter on (a campaign's ``trigger``
and ``template``, a flow's ``trigger``, a contact's custom ``data``) are expanded one level into dotted columns
(``trigger.segment_id``, ``template.subject``, ``data.tags``); a contact's first e-mail and phone channel give
``email``/``phone`` and their ``verified``, ``sent_count``, ``fail_count``, ``opt_in_at`` and ``opt_out_at``
(``email_verified``, ``phone_sent_count``...; see :class:`FirstOf`). Fields this module does not know (a newer
API) are kept as ``object`` columns after the declared ones. An empty result has every declared column and dtype.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "FrameSchema",
    "FirstOf",
    "ListOf",
    "Record",
    "JSON",
    "list_of",
    "record",
    "numpy_dtype",
    "record_columns",
    "derived_values",
    "to_frame",
    "frame_batches",
    "concat_frames",
    "SCHEMAS",
    "ACCOUNT",
    "BRANDS",
    "OUTBOX",
    "USAGE",
]

logger = logging.getLogger("nitrosend_nb")

TEXT = "string"
INT = "Int64"
BOOL = "boolean"
FLOAT = "float64"
TIME = "datetime64[ns, UTC]"
#: Records converted at a time (both backends): a batch of 2,000 contacts is about 7 MB of decoded dicts, small
#: enough that the Arrow frame of 100,000 contacts peaks at 1.4x its size (1.6x with 5,000), and as fast.
BATCH_ROWS = 2_000
_EARLIEST, _LATEST = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")  # TIME's range
OBJECT = "object"  # the numpy_nullable dtype of list and object columns (ListOf, Record, JSON)


def enum(*values: str) -> pd.CategoricalDtype:
    """A category dtype whose categories start with the spec's enum values."""
    return pd.CategoricalDtype(list(values))


class Nested:
    """A column of lists or objects: Python lists and dicts (dtype ``object``) in ``numpy_nullable`` frames; in
    ``pyarrow`` frames, Arrow list and struct types whose leaves are the scalar dtypes, free-form parts JSON text."""


@dataclass(frozen=True)
class ListOf(Nested):
    """A list of ``item`` (a scalar dtype such as :data:`INT`, an enum, or another nested declaration)."""

    item: object


@dataclass(frozen=True)
class Record(Nested):
    """An object with known ``fields`` (name, declaration) pairs; other keys are not kept in Arrow."""

    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Json(Nested):
    """A free-form value (an object of custom keys, a list of mixed items): its JSON text in Arrow."""


JSON = Json()


def list_of(item: object) -> ListOf:
    """A list column (or field) of ``item``s."""
    return ListOf(item)


def record(**fields: object) -> Record:
    """An object column (or field) with these fields, in this order."""
    return Record(tuple(fields.items()))


def numpy_dtype(declared: object) -> object:
    """The ``numpy_nullable`` dtype of a declared column: itself, ``object`` for lists and objects."""
    return OBJECT if isinstance(declared, Nested) else declared


@dataclass(frozen=True)
class FirstOf:
    """Columns derived from a list of records, used only where the API does not send them: for each of ``kinds``,
    the first record of ``source`` whose ``key`` is that kind gives a column named after the kind (its ``value``)
    and one per ``fields`` entry (``{kind}_{field}``); the schema declares their dtypes."""

    source: str
    key: str
    value: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...]

    def outputs(self, kind: str) -> list[str]:
        """The columns of ``kind``: its value column, then its field columns."""
        return [kind, *(f"{kind}_{field}" for field in self.fields)]


@dataclass(frozen=True, eq=False)
class FrameSchema:
    """Columns (in order) with their dtypes (or :class:`Nested` declarations), the nested objects to expand,
    columns derived where the API does not send them (:class:`FirstOf`), and the index. Compared (and hashed) by
    identity: each group has one."""

    columns: Mapping[str, object]
    flatten: tuple[str, ...] = ()
    derive: FirstOf | None = None
    index: str = "id"


CHANNEL_KINDS = ("email", "phone")
#: The per-channel fields a contact frame shows for its first channel of each kind (``email_verified``...).
CHANNEL_FIELDS = {"verified": BOOL, "sent_count": INT, "fail_count": INT, "opt_in_at": TIME, "opt_out_at": TIME}
#: A contact's ``email`` and ``phone``: the value of its first channel of each kind, with that channel's fields.
FIRST_CHANNELS = FirstOf("channels", "kind", "value", CHANNEL_KINDS, tuple(CHANNEL_FIELDS))


def derived_values(spec: FirstOf, columns: Mapping[str, list], rows: int) -> dict[str, list]:
    """The columns of ``spec`` from Python values (column-wise: every row's records in one flat list, the first
    of each kind per row picked with numpy); records of odd shapes (not dicts, kinds that are not text) are
    skipped."""
    lists = columns.get(spec.source) or [()] * rows
    if not set(map(type, lists)) <= {list}:
        lists = [value if isinstance(value, list) else () for value in lists]
    flat = _dicts(list(chain.from_iterable(lists)))
    fields = (spec.key, spec.value, *spec.fields)
    try:  # the usual case: every record has every field
        values = list(map(list, zip(*map(itemgetter(*fields), flat), strict=True))) or [[] for _ in fields]
    except KeyError:
        values = [[item.get(field) for item in flat] for field in fields]
    kinds = values.pop(0)
    for column in values:
        column.append(None)  # what a row without a record of a kind reads
    codes_of = {kind: code for code, kind in enumerate(spec.kinds)}
    try:
        codes = np.array(list(map(codes_of.get, kinds, repeat(-1))), dtype=np.int8)
    except TypeError:  # an unhashable kind
        codes = np.array([codes_of.get(kind, -1) if isinstance(kind, str) else -1 for kind in kinds], np.int8)
    owners = np.repeat(np.arange(rows), np.fromiter(map(len, lists), dtype=np.intp, count=rows))
    derived: dict[str, list] = {}
    for code, kind in enumerate(spec.kinds):
        (of_kind,) = np.nonzero(codes == code)
        found, first = np.unique(owners[of_kind], return_index=True)
        picked = np.full(rows, len(kinds))  # one past the last record: None
        picked[found] = of_kind[first]
        picked = picked.tolist()
        for name, column in zip(spec.outputs(kind), values, strict=True):
            derived[name] = list(map(column.__getitem__, picked))
    return derived


_TIMESTAMPS = {"created_at": TIME, "updated_at": TIME}
CAMPAIGN_STATUS = enum("draft", "scheduled", "live", "paused", "completed", "cancelled", "archived")
APPROVAL_STATE = enum("pending_review", "approved", "rejected")
_REASON_CATEGORIES = ("content_review", "account", "internal", "recipient", "provider", "rate_limit", "delivery")

_TEMPLATE_FIELDS = {
    "id": INT,
    "name": TEXT,
    "flow_id": INT,
    "action_id": INT,
    "subject": TEXT,
    "body": TEXT,
    "preheader": TEXT,
    "from_name": TEXT,
    "from_email": TEXT,
    "reply_to": TEXT,
    "design": JSON,
    "variables": JSON,
    **_TIMESTAMPS,
}
#: A template as campaigns and flows list theirs.
TEMPLATE = record(**_TEMPLATE_FIELDS)
#: A contact's channel (the spec's ContactChannel).
CHANNEL = record(
    id=INT,
    contact_id=INT,
    kind=TEXT,
    value=TEXT,
    subscribed=BOOL,
    verified=BOOL,
    opt_in_at=TIME,
    opt_out_at=TIME,
    sent_count=INT,
    fail_count=INT,
    data=JSON,
    created_at=TIME,
    updated_at=TIME,
)

CONTACTS = FrameSchema(
    {
        "id": INT,
        "brand_id": INT,
        "uuid": TEXT,
        "email": TEXT,
        "phone": TEXT,
        "first_name": TEXT,
        "last_name": TEXT,
        "source": TEXT,
        "country_code": TEXT,
        "subscribed_email": BOOL,
        "subscribed_phone": BOOL,
        "verification_status": enum("verified", "suppressed", "unverified"),
        "enrichment_status": enum("enriched", "not_enriched"),
        "list_ids": list_of(INT),
        "data.tags": list_of(TEXT),
        "last_interacted_at": TIME,
        **_TIMESTAMPS,
        **{f"{kind}_{field}": dtype for kind in CHANNEL_KINDS for field, dtype in CHANNEL_FIELDS.items()},
        "channels": list_of(CHANNEL),
    },
    flatten=("data",),
    derive=FIRST_CHANNELS,
)

LISTS = FrameSchema(
    {
        "id": INT,
        "account_id": INT,
        "brand_id": INT,
        "name": TEXT,
        "contacts_count": INT,
        "segment_id": INT,
        "stale": BOOL,
        "last_populated_at": TIME,
        **_TIMESTAMPS,
    }
)

SEGMENTS = FrameSchema(
    {
        "id": INT,
        "account_id": INT,
        "brand_id": INT,
        "name": TEXT,
        "filters": list_of(record(name=TEXT, predicate=TEXT, value=JSON)),
        **_TIMESTAMPS,
    }
)

CAMPAIGNS = FrameSchema(
    {
        "id": INT,
        "account_id": INT,
        "brand_id": INT,
        "name": TEXT,
        "status": CAMPAIGN_STATUS,
        "approval_state": APPROVAL_STATE,
        "channel": enum("email", "sms"),
        "data": JSON,
        "scheduled_at": TIME,
        "sent_count": INT,
        "editable": BOOL,
        **_TIMESTAMPS,
        "trigger.id": INT,
        "trigger.flow_id": INT,
        "trigger.audience_type": enum("lists", "segment", "all_contacts"),
        "trigger.resource_type": TEXT,
        "trigger.resource_id": INT,
        "trigger.name": TEXT,
        "trigger.event": TEXT,
        "trigger.segment_id": INT,
        "trigger.contact_list_id": INT,
        "trigger.contact_list_ids": list_of(INT),
        "trigger.data": JSON,
        "trigger.triggered_count": INT,
        "trigger.last_triggered_at": TIME,
        "trigger.created_at": TIME,
        "trigger.updated_at": TIME,
        **{f"template.{name}": dtype for name, dtype in _TEMPLATE_FIELDS.items()},
        "templates": list_of(TEMPLATE),
    },
    flatten=("trigger", "template"),
)


MESSAGES = FrameSchema(
    {
        "id": INT,
        "brand_id": INT,
        "channel": enum("email", "sms"),
        "to": TEXT,
        "subject": TEXT,
        "status": enum("queued", "sent", "failed"),
        "provider_id": TEXT,
        "flow_id": INT,
        "source_type": enum("campaign", "flow", "test"),
        "source_name": TEXT,
        "status_reason_code": TEXT,
        "status_reason": TEXT,
        "status_reason_category": enum(*_REASON_CATEGORIES),
        "failure_code": TEXT,
        "failure_reason": TEXT,
        "failure_category": enum(*(c for c in _REASON_CATEGORIES if c != "rate_limit")),
        "sent_at": TIME,
        "created_at": TIME,
    }
)

EVENTS = FrameSchema(
    {
        "id": INT,
        "event": TEXT,
        "amount": FLOAT,
        "contact_id": INT,
        "data": JSON,
        "resource_uid": TEXT,
        "resource_name": TEXT,
        "resource_url": TEXT,
        "utm_source": TEXT,
        "utm_medium": TEXT,
        "utm_campaign": TEXT,
        "utm_term": TEXT,
        "utm_content": TEXT,
        "test": BOOL,
        "generated": BOOL,
        "chain_depth": INT,
        "idempotency_key": TEXT,
        "ip": TEXT,
        "user_agent": TEXT,
        "browser": TEXT,
        "os": TEXT,
        "device_type": enum("desktop", "mobile", "tablet"),
        "referrer": TEXT,
        "account_id": INT,
        **_TIMESTAMPS,
    }
)

SUPPRESSIONS = FrameSchema(
    {
        "id": INT,
        "email": TEXT,
        "reason": enum("hard_bounce", "soft_bounce", "complaint", "manual", "admin"),
        "scope": enum("account_scoped"),
        "active": BOOL,
        "contact_id": INT,
        "source_provider": TEXT,
        "source_event_id": TEXT,
        "provider_diagnostic": TEXT,
        "bounce_type": enum("hard", "soft"),
        "bounce_subtype": TEXT,
        "complaint_feedback_type": TEXT,
        "event_occurred_at": TIME,
        "expires_at": TIME,
        **_TIMESTAMPS,
    }
)

DOMAINS = FrameSchema(
    {
        "id": INT,
        "brand_id": INT,
        "name": TEXT,
        "provider": TEXT,
        "status": enum("pending", "verified", "failed"),
        "dns_setup_status": enum("unchecked", "incomplete", "ready", "verified"),
        "dns_records": list_of(record(record_type=TEXT, name=TEXT, value=TEXT, priority=TEXT, valid=TEXT)),
        "verified_at": TIME,
        "created_at": TIME,
    }
)

TEMPLATES = FrameSchema(
    {  # the list endpoint returns TemplateSummary
        "id": INT,
        "name": TEXT,
        "subject": TEXT,
        "preheader": TEXT,
        "flow_id": INT,
        "section_count": INT,
        "section_types": list_of(TEXT),
        **_TIMESTAMPS,
    }
)

FLOWS = FrameSchema(
    {
        "id": INT,
        "account_id": INT,
        "brand_id": INT,
        "name": TEXT,
        "status": enum("draft", "live", "paused", "archived", "cancelled"),
        "approval_state": APPROVAL_STATE,
        "goal": TEXT,
        "trigger.event": TEXT,
        "trigger.segment_id": INT,
        "trigger.contact_list_id": INT,
        "trigger.contact_list_ids": list_of(INT),
        "trigger.data": JSON,
        "steps": JSON,
        "sent_count": INT,
        **_TIMESTAMPS,
        "templates": list_of(TEMPLATE),
    },
    flatten=("trigger",),
)

OUTBOX = FrameSchema(
    {
        "id": INT,
        "kind": enum("transactional", "test", "campaign", "flow"),
        "to": TEXT,
        "from": TEXT,
        "reply_to": TEXT,
        "subject": TEXT,
        "html": TEXT,
        "text": TEXT,
        "message_id": INT,
        "template_id": INT,
        "campaign_id": INT,
        "contact_id": INT,
        "created_at": TIME,
    }
)

IMPORTS = FrameSchema(
    {
        "id": INT,
        "brand_id": INT,
        "resource": TEXT,
        "parser": TEXT,
        "status": enum("pending", "processing", "failed", "canceled", "complete", "contact_us"),
        "filename": TEXT,
        "total_rows": INT,
        "success_rows": INT,
        "failed_rows": INT,
        "rows_processed": INT,
        "progress_pct": FLOAT,
        "import_errors": JSON,
        "columns": JSON,
        "options": JSON,
        "assigned_list_ids": list_of(INT),
        "assigned_lists": list_of(record(id=INT, name=TEXT)),
        "guardrail": JSON,
        "started_at": TIME,
        "ended_at": TIME,
        "created_at": TIME,
    }
)

WEBHOOK_EVENT_TYPES = enum(
    "email.sent",
    "email.delivered",
    "email.bounced",
    "email.complained",
    "email.opened",
    "email.clicked",
    "email.failed",
    "email.received",
)

WEBHOOKS = FrameSchema(
    {
        "id": INT,
        "brand_id": INT,
        "url": TEXT,
        "events": list_of(TEXT),
        "enabled": BOOL,
        "status": enum("active", "failing", "disabled"),
        "failing_since": TIME,
        "secret": TEXT,
        "last_delivery": record(event_id=TEXT, event_type=TEXT, status=TEXT, response_status=INT, attempted_at=TIME),
        **_TIMESTAMPS,
    }
)

#: One webhook event's payload, flattened (the listener's frame, and the payload part of a delivery's).
_EVENT_FIELDS = {
    "type": WEBHOOK_EVENT_TYPES,
    "timestamp": TIME,
    "message_id": INT,
    "to": TEXT,
    "subject": TEXT,
    "url": TEXT,
    "bounce_type": TEXT,
    "bounce_subtype": TEXT,
    "complaint_type": TEXT,
    "failure_code": TEXT,
    "failure_reason": TEXT,
    "test": BOOL,
    "idempotency_key": TEXT,
    "tags": JSON,
    "sent_at": TIME,
    # email.received: mail that reached a brand inbox (message_id: the send it answers, or <NA>)
    "from": TEXT,
    "text": TEXT,
    "html": TEXT,
    "truncated": BOOL,
    "auto_submitted": BOOL,
    "attachments": list_of(record(id=TEXT, filename=TEXT, content_type=TEXT, size=INT, scanned=BOOL)),
    "conversation_id": TEXT,
    "conversation_message_id": TEXT,
    "received_at": TIME,
}

WEBHOOK_EVENTS = FrameSchema({"event_id": TEXT, **_EVENT_FIELDS}, index="event_id")

WEBHOOK_DELIVERIES = FrameSchema(
    {
        "id": INT,
        "webhook_id": INT,
        "event_id": TEXT,
        "event_type": WEBHOOK_EVENT_TYPES,
        "status": enum("pending", "delivered", "failed"),
        "attempts": INT,
        "last_response_status": INT,
        "last_error": TEXT,
        "next_attempt_at": TIME,
        **_TIMESTAMPS,
        **{name: dtype for name, dtype in _EVENT_FIELDS.items() if name != "type"},
    }
)

BRANDS = FrameSchema(  # today's Brand, in the SDK's order; onboarding flattened
    {
        "id": INT,
        "sid": TEXT,
        "account_id": INT,
        "brand_color": TEXT,
        "text_color": TEXT,
        "bg_color": TEXT,
        "font_heading": TEXT,
        "font_body": TEXT,
        "heading_size": INT,
        "body_size": INT,
        "radius": INT,
        "spacing_density": enum("compact", "normal", "spacious"),
        "company_description": TEXT,
        "default_header": JSON,
        "default_footer": JSON,
        "default_theme": JSON,
        "physical_address": TEXT,
        "company_name": TEXT,
        "source_url": TEXT,
        "last_scraped_at": TIME,
        "links": list_of(record(url=TEXT, icon=TEXT, title=TEXT)),
        "logo": TEXT,
        "complete": BOOL,
        "email_from_name": TEXT,
        "email_from_email": TEXT,
        "email_reply_to": TEXT,
        "email_view_online": BOOL,
        "email_track_opens": BOOL,
        "email_track_clicks": BOOL,
        "from_email_domain_status": enum("blank", "verified", "unverified"),
        "effective_from_email": TEXT,
        "effective_reply_to": TEXT,
        "effective_sending_domain": TEXT,
        "effective_source_email": TEXT,
        "sender_configured": BOOL,
        "test_email_recipients": list_of(TEXT),
        "brand_document": TEXT,
        "onboarding_state": JSON,
        "domain_verified": BOOL,
        "can_send": BOOL,
        "byo_routing": JSON,
        "brand_subdomain": JSON,
        "subscribed_contacts_count": INT,
        "logo_url": TEXT,
        "screenshot_url": TEXT,
        "capabilities": JSON,
        "sms_provisioned": BOOL,
        **_TIMESTAMPS,
        "onboarding.steps": JSON,
        "onboarding.progress.completed": INT,
        "onboarding.progress.total": INT,
    },
    flatten=("onboarding", "onboarding.progress"),
    index="sid",  # brands are addressed by sid (``ns.brands.get(sid)``, ``ns.with_brand(sid)``)
)

#: The plan object of ``billing.plan`` (null for an account on no plan).
_PLAN_FIELDS = {
    "id": INT,
    "slug": TEXT,
    "name": TEXT,
    "tier_group": TEXT,
    "interval": TEXT,
    "price_cents": INT,
    "emails_per_month": INT,
    "daily_cap": INT,
}

ACCOUNT = FrameSchema(
    {
        "id": INT,
        "name": TEXT,
        "avatar": TEXT,
        "banner": TEXT,
        "commercial_tier": enum("unsubscribed", "free", "pro", "ultra", "enterprise"),
        "safe_mode_enabled": BOOL,
        "access.source": enum(
            "owner", "membership", "platform_admin", "delegated", "management_credential", "api_key", "shopify"
        ),
        "access.delegated": BOOL,
        "team.seat_limit": INT,
        "team.seat_count": INT,
        "team.member_count": INT,
        "team.invite_count": INT,
        "team.current_role": enum("member", "admin", "owner"),
        "team.can_manage_team": BOOL,
        "billing.access_policy": enum("free_allowed", "paid_required"),
        "billing.plan_name": TEXT,
        "billing.spend_cap_monthly_cents": INT,
        "billing.comped": BOOL,
        "billing.brands.used": INT,
        "billing.brands.limit": INT,
        "billing.brands.remaining": INT,
        "billing.brands.unlimited": BOOL,
        "billing.brands.can_create": BOOL,
        "billing.resources": JSON,
        "billing.funding": JSON,
        "billing.overage": JSON,
        "billing.provider_route": JSON,
        "billing.entitlements": JSON,
        "billing.lifetime.email_sent": INT,
        "billing.lifetime.sms_sent": INT,
        "billing.lifetime.ai_used": INT,
        **_TIMESTAMPS,
        **{f"billing.plan.{name}": dtype for name, dtype in _PLAN_FIELDS.items()},
    },
    flatten=("access", "team", "billing", "billing.brands", "billing.lifetime", "billing.plan"),
)

PLAN = FrameSchema(_PLAN_FIELDS)  # the account's plan (``billing.plan``), one row

PLAN_FITS = FrameSchema(  # how each plan of a reach check fits the audience (AudienceReachFit), one row per role
    {
        "role": enum("current", "recommended"),
        "plan_id": INT,
        "slug": TEXT,
        "name": TEXT,
        "tier_group": TEXT,
        "daily_cap": INT,
        "capacity": INT,
        "days_to_reach": INT,
        "covers": BOOL,
    },
    index="role",
)

USAGE = FrameSchema(  # allowance and remaining are <NA> for an unlimited resource
    {
        "resource": TEXT,
        "used": INT,
        "allowance": INT,
        "remaining": INT,
        "overage_rate": FLOAT,
        "mode": enum("budget", "monthly", "unlimited"),
        "budget": FLOAT,
        "budget_used": FLOAT,
    },
    index="resource",
)

SCHEMAS: dict[str, FrameSchema] = {
    "contacts": CONTACTS,
    "lists": LISTS,
    "segments": SEGMENTS,
    "campaigns": CAMPAIGNS,
    "messages": MESSAGES,
    "templates": TEMPLATES,
    "flows": FLOWS,
    "events": EVENTS,
    "suppressions": SUPPRESSIONS,
    "domains": DOMAINS,
    "imports": IMPORTS,
    "webhooks": WEBHOOKS,
    "brands": BRANDS,
}


def _dicts(values: list) -> list[dict]:
    """``values`` with every one that is not a dict replaced by an empty dict."""
    return values if set(map(type, values)) <= {dict} else [v if isinstance(v, dict) else {} for v in values]


def _transpose(records: list[dict]) -> dict[str, list]:
    """One list of values per field, fields in order of first appearance, None where a record lacks one.

    Records with the same fields (the usual case, whatever their order) are transposed in C by ``itemgetter``
    and ``zip``.
    """
    if not records:
        return {}
    keys = tuple(records[0])
    if len(keys) > 1 and set(map(len, records)) == {len(keys)}:
        try:  # every record has the first one's keys, and no others
            return dict(zip(keys, map(list, zip(*map(itemgetter(*keys), records), strict=True)), strict=True))
        except KeyError:
            pass
    keys = dict.fromkeys(key for record in records for key in record)
    return {key: [record.get(key) for record in records] for key in keys}


def record_columns(records: list[dict], flatten: tuple[str, ...]) -> dict[str, list]:
    """:func:`_transpose`, with each ``flatten`` parent replaced by one ``parent.key`` column per key its dict
    values have, appended after the others."""
    columns = _transpose(records)
    for parent in flatten:
        values = columns.pop(parent, None)
        if values is not None:
            for key, column in record_columns(_dicts(values), ()).items():
                columns[f"{parent}.{key}"] = column
    return columns


_FROM_ARROW = {INT: pa.int64(), BOOL: pa.bool_(), TEXT: pa.string(), TIME: pa.string()}
_ARROW_REFUSALS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)


def _fast(values: list, dtype: object) -> object:
    """``values`` as ``dtype`` through Arrow (C speed); raises what Arrow refuses, for the pandas path."""
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical(pa.array(values, type=pa.string()), dtype)
    if dtype == FLOAT:
        return np.array(values, dtype=float)
    arrow_type = _FROM_ARROW.get(dtype)
    if arrow_type is None:  # OBJECT
        return pd.Series(values, dtype=object).array
    array = pa.array(values, type=arrow_type)
    if dtype == TIME:
        array = pc.cast(array, pa.timestamp("ns", tz="UTC"))  # ISO 8601 with a zone; anything else is refused
    return pd.api.types.pandas_dtype(dtype).__from_arrow__(array)


def _with_unseen(dtype: pd.CategoricalDtype, values: Iterable) -> pd.CategoricalDtype:
    """``dtype`` with the ``values`` it does not list appended as categories, sorted (the spec's values first)."""
    known = list(dtype.categories)
    unseen = set(values) - set(known)
    return pd.CategoricalDtype(known + sorted(unseen, key=str)) if unseen else dtype


def _categorical(array: pa.Array, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """Text as ``dtype``'s categories, the values it does not list appended in sorted order."""
    codes = pc.index_in(array, value_set=pa.array(dtype.categories, type=pa.string()))
    unseen = pc.unique(array.filter(pc.and_(codes.is_null(), array.is_valid()))).to_pylist()
    if unseen:
        dtype = _with_unseen(dtype, unseen)
        codes = pc.index_in(array, value_set=pa.array(dtype.categories, type=pa.string()))
    return pd.Categorical.from_codes(codes.fill_null(-1).to_numpy(zero_copy_only=False), dtype=dtype)


def _timestamps(values: pd.Series, column: str) -> pd.Series:
    """A timestamp column stays one whatever the values: those pandas cannot hold (before 1677 or after 2262, or
    not timestamps at all) become NaT, with a warning naming the column and an example."""
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    parsed = parsed.where((parsed >= _EARLIEST) & (parsed <= _LATEST))
    lost = values[parsed.isna() & values.notna()]
    if len(lost):
        logger.warning(
            "column %r: %d value(s) are not timestamps pandas can hold (years 1677-2262) and are NaT, e.g. %r",
            column,
            len(lost),
            lost.iloc[0],
        )
    return parsed.astype(TIME)


def _convert(values: list, dtype: object, column: str) -> object:
    """``values`` as ``dtype``: through Arrow when it takes them, else pandas' coercions (dates without a zone
    read as UTC, numbers as text...); a column that cannot be converted is kept as object with a warning."""
    try:
        return _fast(values, dtype)
    except _ARROW_REFUSALS:
        pass
    series = pd.Series(values, dtype=object)
    try:
        if dtype == TIME:
            return _timestamps(series, column).array
        if isinstance(dtype, pd.CategoricalDtype):
            return series.astype(_with_unseen(dtype, pd.unique(series.dropna()))).array
        return series.astype(dtype).array
    except (TypeError, ValueError) as exc:  # type drift in a newer API: keep the data, warn, do not fail
        logger.warning("column %r kept as object: cannot convert to %s (%s)", column, dtype, exc)
        return series.array


def to_frame(records: list[dict], schema: FrameSchema) -> pd.DataFrame:
    """Build the schema's DataFrame from API records: declared columns and dtypes, then unknown fields.

    Built column by column (no intermediate frame of Python objects); :func:`frame_batches` calls it once per
    batch of pages and :func:`concat_frames` joins the typed batches.
    """
    records = list(records)
    columns = record_columns(records, schema.flatten)
    if schema.derive is not None and records:
        for column, values in derived_values(schema.derive, columns, len(records)).items():
            columns.setdefault(column, values)
    missing = [None] * len(records)
    arrays = {
        column: _convert(columns.get(column, missing), numpy_dtype(declared), column)
        for column, declared in schema.columns.items()
    }
    for column, values in columns.items():
        if column not in schema.columns:
            arrays[column] = pd.Series(values, dtype=object).array
    return pd.DataFrame(arrays, index=pd.RangeIndex(len(records))).set_index(schema.index)


def frame_batches(pages: Iterable[list[dict]], schema: FrameSchema, rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """Typed frames of about ``rows`` records each, converted as pages arrive (at most one batch of records is
    held as Python dicts at a time)."""
    batch: list[dict] = []
    for page in pages:
        batch.extend(page)
        if len(batch) >= rows:
            yield to_frame(batch, schema)
            batch = []
    if batch:
        yield to_frame(batch, schema)


def concat_frames(frames: list[pd.DataFrame], schema: FrameSchema) -> pd.DataFrame:
    """Typed batches as one frame equal to ``to_frame`` of all their records (enum categories unified: the
    spec's values first, then every unseen value sorted)."""
    if not frames:
        return to_frame([], schema)
    if len(frames) == 1:
        return frames[0]
    for column, dtype in schema.columns.items():
        if isinstance(dtype, pd.CategoricalDtype) and column != schema.index:
            parts = [frame[column] for frame in frames]
            if all(isinstance(part.dtype, pd.CategoricalDtype) for part in parts):
                unified = _with_unseen(dtype, chain.from_iterable(part.cat.categories for part in parts))
                frames = [
                    frame.assign(**{column: part.astype(unified)}) for frame, part in zip(frames, parts, strict=True)
                ]
    extra = dict.fromkeys(column for frame in frames for column in frame.columns if column not in schema.columns)
    frames = [
        frame.assign(
            **{
                column: pd.Series([None] * len(frame), index=frame.index, dtype=object)
                for column in extra
                if column not in frame
            }
        )
        for frame in frames
    ]  # a field absent from a batch is None there, as in one frame
    return pd.concat(frames)
