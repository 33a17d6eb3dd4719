"""DataFrame schemas of every resource (the ONE place columns and dtypes are declared) and ``to_frame``.

Columns follow the component schemas of Nitrosend's OpenAPI description (Contact, ContactList, Segment,
Campaign, Message, TemplateSummary, Flow, Account and its billing.resources) plus the sandbox outbox record.

Dtype rules: ids and counts ``Int64``; booleans ``boolean``; timestamps ``datetime64[ns, UTC]``; enums
``category`` (the spec's values first, unseen values appended, never dropped); text ``string``; list and
free-form object fields stay Python objects. Nested objects analysts filter on (a campaign's ``trigger`` and
``template``, a flow's ``trigger``, a contact's custom ``data``) are expanded one level into dotted columns
(``trigger.segment_id``, ``template.subject``, ``data.tags``). Fields this module does not know (a newer API)
are kept as ``object`` columns after the declared ones. An empty result has every declared column and dtype.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FrameSchema", "to_frame", "frame_batches", "concat_frames", "SCHEMAS", "ACCOUNT", "OUTBOX", "USAGE"]

logger = logging.getLogger("nitrosend_nb")

TEXT = "string"
INT = "Int64"
BOOL = "boolean"
FLOAT = "float64"
TIME = "datetime64[ns, UTC]"
BATCH_ROWS = 5_000  #: records converted at a time by frame_batches
OBJECT = "object"  # lists (list_ids, steps, channels) and free-form objects (design, variables, data)


def enum(*values: str) -> pd.CategoricalDtype:
    """A category dtype whose categories start with the spec's enum values."""
    return pd.CategoricalDtype(list(values))


@dataclass(frozen=True)
class FrameSchema:
    """Columns (in order) with their dtypes, the nested objects to expand, a function deriving columns the API
    may not send (used only for those missing), and the index."""

    columns: Mapping[str, object]
    flatten: tuple[str, ...] = ()
    derive: Callable[[Mapping[str, list], int], Mapping[str, list]] | None = None
    index: str = "id"


def _contact_addresses(columns: Mapping[str, list], rows: int) -> dict[str, list]:
    """A contact's ``email`` and ``phone``: the value of its first channel of each kind (one pass)."""
    emails, phones = [], []
    for channels in columns.get("channels") or [None] * rows:
        email = phone = None
        if isinstance(channels, list):
            for channel in channels:
                kind = channel.get("kind") if isinstance(channel, dict) else None
                if kind == "email" and email is None:
                    email = channel.get("value")
                elif kind == "phone" and phone is None:
                    phone = channel.get("value")
        emails.append(email)
        phones.append(phone)
    return {"email": emails, "phone": phones}


_TIMESTAMPS = {"created_at": TIME, "updated_at": TIME}

_TEMPLATE_FIELDS = {
    "id": INT, "name": TEXT, "flow_id": INT, "action_id": INT, "subject": TEXT, "body": TEXT,
    "preheader": TEXT, "from_name": TEXT, "from_email": TEXT, "reply_to": TEXT, "design": OBJECT,
    "variables": OBJECT, **_TIMESTAMPS,
}

CONTACTS = FrameSchema(
    {
        "id": INT, "brand_id": INT, "uuid": TEXT, "email": TEXT, "phone": TEXT, "first_name": TEXT,
        "last_name": TEXT, "source": TEXT, "country_code": TEXT, "subscribed_email": BOOL,
        "subscribed_phone": BOOL, "verification_status": enum("verified", "suppressed", "unverified"),
        "enrichment_status": enum("enriched", "not_enriched"), "list_ids": OBJECT, "data.tags": OBJECT,
        "last_interacted_at": TIME, **_TIMESTAMPS, "channels": OBJECT,
    },
    flatten=("data",),
    derive=_contact_addresses,
)

LISTS = FrameSchema({
    "id": INT, "account_id": INT, "brand_id": INT, "name": TEXT, "contacts_count": INT, "segment_id": INT,
    "stale": BOOL, "last_populated_at": TIME, **_TIMESTAMPS,
})

SEGMENTS = FrameSchema({
    "id": INT, "account_id": INT, "brand_id": INT, "name": TEXT, "filters": OBJECT, **_TIMESTAMPS,
})

CAMPAIGNS = FrameSchema(
    {
        "id": INT, "account_id": INT, "brand_id": INT, "name": TEXT,
        "status": enum("draft", "active", "paused", "completed"), "approval_state": TEXT,
        "channel": enum("email", "sms"), "data": OBJECT, "scheduled_at": TIME, "sent_count": INT, **_TIMESTAMPS,
        "trigger.id": INT, "trigger.flow_id": INT, "trigger.event": TEXT, "trigger.segment_id": INT,
        "trigger.contact_list_id": INT, "trigger.contact_list_ids": OBJECT, "trigger.data": OBJECT,
        "trigger.triggered_count": INT, "trigger.last_triggered_at": TIME, "trigger.created_at": TIME,
        "trigger.updated_at": TIME,
        **{f"template.{name}": dtype for name, dtype in _TEMPLATE_FIELDS.items()},
        "templates": OBJECT,
    },
    flatten=("trigger", "template"),
)

MESSAGES = FrameSchema({
    "id": INT, "channel": enum("email", "sms"), "to": TEXT, "subject": TEXT,
    "status": enum("queued", "sent", "failed"), "provider_id": TEXT, "flow_id": INT,
    "source_type": enum("campaign", "flow"), "source_name": TEXT, "sent_at": TIME, "created_at": TIME,
})

TEMPLATES = FrameSchema({  # the list endpoint returns TemplateSummary
    "id": INT, "name": TEXT, "subject": TEXT, "preheader": TEXT, "flow_id": INT, "section_count": INT,
    "section_types": OBJECT, **_TIMESTAMPS,
})

FLOWS = FrameSchema(
    {
        "id": INT, "account_id": INT, "brand_id": INT, "name": TEXT,
        "status": enum("draft", "active", "paused", "archived"), "approval_state": TEXT, "goal": TEXT,
        "trigger.event": TEXT, "trigger.segment_id": INT, "trigger.contact_list_id": INT,
        "trigger.contact_list_ids": OBJECT, "trigger.data": OBJECT, "steps": OBJECT, "sent_count": INT,
        **_TIMESTAMPS, "templates": OBJECT,
    },
    flatten=("trigger",),
)

OUTBOX = FrameSchema({
    "id": INT, "kind": enum("transactional", "test", "campaign"), "to": TEXT, "from": TEXT, "reply_to": TEXT,
    "subject": TEXT, "html": TEXT, "text": TEXT, "message_id": INT, "template_id": INT, "campaign_id": INT,
    "contact_id": INT, "created_at": TIME,
})

ACCOUNT = FrameSchema(
    {
        "id": INT, "name": TEXT, "avatar": TEXT, "banner": TEXT, "account_tier": enum("free", "paid", "trusted"),
        "billing.plan_name": TEXT, "billing.wallet_balance_cents": INT, "billing.auto_topup": BOOL,
        "billing.resources": OBJECT, "billing.lifetime.email_sent": INT, "billing.lifetime.sms_sent": INT,
        "billing.lifetime.ai_used": INT, "brands": OBJECT, **_TIMESTAMPS,
    },
    flatten=("billing", "billing.lifetime"),
)

USAGE = FrameSchema(
    {"resource": TEXT, "used": INT, "allowance": INT, "remaining": INT, "overage_rate": FLOAT},
    index="resource",
)

SCHEMAS: dict[str, FrameSchema] = {
    "contacts": CONTACTS, "lists": LISTS, "segments": SEGMENTS, "campaigns": CAMPAIGNS,
    "messages": MESSAGES, "templates": TEMPLATES, "flows": FLOWS,
}


def _transpose(records: list[dict]) -> dict[str, list]:
    """One list of values per field, fields in order of first appearance, None where a record lacks one.

    Records of one shape (the usual case: same keys in the same order) are transposed in C by ``zip``.
    """
    shapes = dict.fromkeys(map(tuple, records))
    if len(shapes) == 1:
        (keys,) = shapes
        return dict(zip(keys, map(list, zip(*map(dict.values, records), strict=True)), strict=True))
    keys = dict.fromkeys(key for shape in shapes for key in shape)
    return {key: [record.get(key) for record in records] for key in keys}


def _record_columns(records: list[dict], flatten: tuple[str, ...]) -> dict[str, list]:
    """:func:`_transpose`, with each ``flatten`` parent replaced by one ``parent.key`` column per key its dict
    values have, appended after the others."""
    columns = _transpose(records)
    for parent in flatten:
        values = columns.pop(parent, None)
        if values is not None:
            nested = [value if isinstance(value, dict) else {} for value in values]
            for key, column in _record_columns(nested, ()).items():
                columns[f"{parent}.{key}"] = column
    return columns


_FROM_ARROW = {INT: pa.int64(), BOOL: pa.bool_(), TEXT: pa.string(), TIME: pa.string()}
_ARROW_REFUSALS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError,
                   OverflowError)


def _fast(values: list, dtype: object) -> object:
    """``values`` as ``dtype`` through Arrow (C speed); raises what Arrow refuses, for the pandas path."""
    if isinstance(dtype, pd.CategoricalDtype):
        known = list(dtype.categories)
        unseen = set(values) - set(known) - {None}
        return pd.Categorical(values, categories=known + sorted(unseen, key=str))
    if dtype == FLOAT:
        return np.array(values, dtype=float)
    arrow_type = _FROM_ARROW.get(dtype)
    if arrow_type is None:  # OBJECT
        return pd.Series(values, dtype=object).array
    array = pa.array(values, type=arrow_type)
    if dtype == TIME:
        array = pc.cast(array, pa.timestamp("ns", tz="UTC"))  # ISO 8601 with a zone; anything else is refused
    return pd.api.types.pandas_dtype(dtype).__from_arrow__(array)


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
            return pd.to_datetime(series, utc=True, format="ISO8601").astype(TIME).array
        if isinstance(dtype, pd.CategoricalDtype):
            known = list(dtype.categories)
            unseen = set(pd.unique(series.dropna())) - set(known)
            return series.astype(pd.CategoricalDtype(known + sorted(unseen, key=str))).array
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
    columns = _record_columns(records, schema.flatten)
    if schema.derive is not None and records:
        for column, values in schema.derive(columns, len(records)).items():
            columns.setdefault(column, values)
    missing = [None] * len(records)
    arrays = {column: _convert(columns.get(column, missing), dtype, column)
              for column, dtype in schema.columns.items()}
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
                known = list(dtype.categories)
                unseen = {value for part in parts for value in part.cat.categories} - set(known)
                unified = pd.CategoricalDtype(known + sorted(unseen, key=str))
                frames = [frame.assign(**{column: part.astype(unified)})
                          for frame, part in zip(frames, parts, strict=True)]
    extra = dict.fromkeys(column for frame in frames for column in frame.columns if column not in schema.columns)
    frames = [frame.assign(**{column: pd.Series([None] * len(frame), index=frame.index, dtype=object)
                              for column in extra if column not in frame})
              for frame in frames]  # a field absent from a batch is None there, as in one frame
    return pd.concat(frames)
