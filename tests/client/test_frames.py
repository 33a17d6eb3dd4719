"""Frame schemas: declared from the spec's fields, stable on empty results, tolerant of a newer API."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from todays_api import BRAND, CAMPAIGN, CONTACT, FLOW, LIST, MESSAGE

from nitrosend_nb.client.frames import ACCOUNT, INT, OBJECT, OUTBOX, SCHEMAS, TEXT, TIME, USAGE, numpy_dtype, to_frame

COMPONENTS = {
    "contacts": "Contact",
    "lists": "ContactList",
    "segments": "Segment",
    "campaigns": "Campaign",
    "messages": "Message",
    "templates": "TemplateSummary",
    "flows": "Flow",
    "domains": "Domain",
}
FREE_FORM = {"contacts": {"data"}}  # custom fields: expanded to whatever keys exist (data.tags is declared)
TODAY = {
    "campaigns": CAMPAIGN,
    "flows": FLOW,
    "messages": MESSAGE,
    "lists": LIST,
    "contacts": CONTACT,
    "brands": BRAND,
}  # where "Today's API" wins over the spec


def _resolve(spec: dict, node: dict) -> dict:
    if "$ref" in node:
        return _resolve(spec, spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    for option in node.get("oneOf", []):
        if option.get("type") != "null":
            return _resolve(spec, option)
    return node


def _expected_dtype(prop: dict) -> object:
    if "enum" in prop:
        return pd.CategoricalDtype(prop["enum"])
    kind = prop.get("type")
    if prop.get("format") == "date-time":
        return TIME
    return {"integer": INT, "boolean": "boolean", "number": "float64", "string": TEXT}.get(kind, OBJECT)


def _spec_columns(spec: dict, name: str, flatten: tuple[str, ...]) -> dict[str, object]:
    columns = {}
    for field, prop in _resolve(spec, spec["components"]["schemas"][COMPONENTS[name]])["properties"].items():
        if field in flatten and field not in FREE_FORM.get(name, ()):
            for sub, subprop in _resolve(spec, prop).get("properties", {}).items():
                columns[f"{field}.{sub}"] = _expected_dtype(_resolve(spec, subprop))
        elif field not in FREE_FORM.get(name, ()):
            columns[field] = _expected_dtype(_resolve(spec, prop))
    return columns


def _today_columns(shape: dict, flatten: tuple[str, ...], prefix: str = "") -> dict[str, object]:
    """Column -> rule for today's object ``shape``, nested objects the frame flattens expanded."""
    columns: dict[str, object] = {}
    for field, rule in shape.items():
        name = prefix + field
        if name in flatten:
            if isinstance(rule, dict):
                columns.update(_today_columns(rule, flatten, name + "."))
        else:
            columns[name] = rule
    return columns


def _today_enums(name: str, flatten: tuple[str, ...]) -> dict[str, pd.CategoricalDtype]:
    """Today's enum fields of ``name`` (booleans aside) as the categories their columns must start with."""
    return {
        column: pd.CategoricalDtype([v for v in rule if v is not None])
        for column, rule in _today_columns(TODAY.get(name, {}), flatten).items()
        if isinstance(rule, tuple) and not all(isinstance(v, bool) for v in rule)
    }


@pytest.mark.parametrize("name", sorted(TODAY))
def test_every_field_and_enum_of_todays_api_has_its_column(name):
    schema = SCHEMAS[name]
    missing = set(_today_columns(TODAY[name], schema.flatten)) - set(schema.columns) - {schema.index}
    assert not missing, f"{name}: today's fields without a column: {sorted(missing)}"
    for column, dtype in _today_enums(name, schema.flatten).items():
        assert list(schema.columns[column].categories) == list(dtype.categories), column


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_declared_columns_and_dtypes_follow_the_spec(openapi_spec, name):
    schema = SCHEMAS[name]
    expected = {**_spec_columns(openapi_spec, name, schema.flatten), **_today_enums(name, schema.flatten)}
    missing = set(expected) - set(schema.columns)
    assert not missing, f"{name}: spec fields without a column: {sorted(missing)}"
    for column, dtype in expected.items():
        declared = schema.columns[column]
        if isinstance(dtype, pd.CategoricalDtype):
            assert list(declared.categories) == [v for v in dtype.categories if v is not None], column
        else:
            assert numpy_dtype(declared) == dtype, f"{name}.{column}: declared {declared}, spec says {dtype}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_empty_result_has_every_column_and_dtype(name):
    schema = SCHEMAS[name]
    frame = to_frame([], schema)
    assert frame.empty
    assert frame.index.name == schema.index and frame.index.dtype == schema.columns[schema.index]
    assert list(frame.columns) == [c for c in schema.columns if c != schema.index]
    for column, dtype in schema.columns.items():
        if column == schema.index:
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            assert isinstance(frame[column].dtype, pd.CategoricalDtype)
            assert list(frame[column].cat.categories) == list(dtype.categories)
        else:
            assert frame[column].dtype == numpy_dtype(dtype), column


def test_filtering_an_empty_frame_never_raises():
    campaigns = to_frame([], SCHEMAS["campaigns"])
    assert campaigns[campaigns.status == "draft"].empty
    assert campaigns[campaigns["trigger.segment_id"] == 3].empty
    contacts = to_frame([], SCHEMAS["contacts"])
    assert contacts[contacts.subscribed_email.fillna(False)].empty
    assert contacts[contacts.created_at >= pd.Timestamp("2026-01-01", tz="UTC")].empty


def test_records_get_typed_columns():
    records = [
        {
            "id": 7,
            "status": "draft",
            "channel": "email",
            "name": "Launch",
            "sent_count": 3,
            "created_at": "2026-04-08T10:50:15Z",
            "scheduled_at": None,
            "trigger": {"segment_id": 4, "contact_list_ids": [1, 2], "event": None},
            "template": {"subject": "Hello", "design": {"sections": []}},
        },
        {
            "id": 8,
            "status": "completed",
            "channel": "sms",
            "name": "SMS",
            "sent_count": None,
            "created_at": "2026-04-09T00:00:00+02:00",
            "trigger": None,
            "template": None,
        },
    ]
    frame = to_frame(records, SCHEMAS["campaigns"])
    assert list(frame.index) == [7, 8]
    assert frame.loc[7, "trigger.segment_id"] == 4 and frame["trigger.segment_id"].dtype == INT
    assert pd.isna(frame.loc[8, "trigger.segment_id"])
    assert frame.loc[7, "trigger.contact_list_ids"] == [1, 2]  # lists stay lists
    assert frame.loc[7, "template.subject"] == "Hello"
    assert frame.loc[7, "template.design"] == {"sections": []}  # one level only: design stays an object
    assert frame.loc[8, "created_at"] == pd.Timestamp("2026-04-08T22:00:00Z")  # normalised to UTC
    assert str(frame.created_at.dtype) == TIME and pd.isna(frame.loc[7, "scheduled_at"])
    assert frame.sent_count.tolist() == [3, pd.NA]
    assert frame.status.tolist() == ["draft", "completed"] and frame.status.dtype.name == "category"
    assert "trigger" not in frame and "template" not in frame


def test_unknown_fields_and_enum_values_from_a_newer_api_are_kept():
    records = [
        {
            "id": 1,
            "status": "on_hold",
            "channel": "whatsapp",
            "shiny_new_field": {"a": 1},
            "trigger": {"segment_id": 2, "throttle": 5},
        }
    ]  # a status newer than today's
    frame = to_frame(records, SCHEMAS["campaigns"])
    assert frame.loc[1, "status"] == "on_hold"
    assert list(frame.status.cat.categories) == [
        "draft",
        "scheduled",
        "live",
        "paused",
        "completed",
        "cancelled",
        "archived",
        "on_hold",
    ]
    assert frame.loc[1, "channel"] == "whatsapp"
    assert frame.loc[1, "shiny_new_field"] == {"a": 1} and frame.shiny_new_field.dtype == object
    assert frame.loc[1, "trigger.throttle"] == 5
    declared = [c for c in SCHEMAS["campaigns"].columns if c != "id"]
    assert list(frame.columns[: len(declared)]) == declared  # declared first, extras after


def test_type_drift_keeps_the_data_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="nitrosend_nb"):
        frame = to_frame([{"id": 1, "contacts_count": "many"}, {"id": 2, "contacts_count": 5}], SCHEMAS["lists"])
    assert frame.contacts_count.tolist() == ["many", 5]
    assert "contacts_count" in caplog.text


def test_contacts_get_email_and_phone_from_their_channels_and_custom_fields_as_columns():
    records = [
        {
            "id": 1,
            "channels": [{"kind": "phone", "value": "+6421000000"}, {"kind": "email", "value": "a@x.test"}],
            "data": {"tags": ["vip"], "plan": "pro"},
            "subscribed_email": True,
        },
        {"id": 2, "channels": [], "data": {}, "subscribed_email": None},
    ]
    frame = to_frame(records, SCHEMAS["contacts"])
    assert frame.email.tolist() == ["a@x.test", pd.NA]
    assert frame.phone.tolist() == ["+6421000000", pd.NA]
    assert frame.loc[1, "data.tags"] == ["vip"] and frame.loc[1, "data.plan"] == "pro"
    assert frame.subscribed_email.dtype == "boolean" and frame.subscribed_email.tolist() == [True, pd.NA]


def test_a_contacts_first_channel_of_each_kind_gives_its_delivery_columns():
    email = {
        "kind": "email",
        "value": "a@x.test",
        "verified": True,
        "sent_count": 7,
        "fail_count": 1,
        "opt_in_at": "2026-01-02T03:04:05Z",
        "opt_out_at": None,
    }
    records = [
        {
            "id": 1,
            "channels": [
                email,
                {**email, "value": "b@x.test", "sent_count": 99},
                {"kind": "phone", "value": "+64210", "verified": False, "sent_count": 2},
            ],
        },
        {"id": 2, "channels": []},
    ]
    frame = to_frame(records, SCHEMAS["contacts"])
    assert frame.loc[1, "email"] == "a@x.test" and frame.loc[1, "email_sent_count"] == 7
    assert frame.loc[1, "email_verified"] and frame.loc[1, "email_fail_count"] == 1
    assert frame.loc[1, "email_opt_in_at"] == pd.Timestamp("2026-01-02T03:04:05Z")
    assert frame.loc[1, "phone_sent_count"] == 2 and not frame.loc[1, "phone_verified"]
    assert frame.loc[2, ["email_sent_count", "phone_verified"]].isna().all()
    assert frame.email_sent_count.dtype == INT and str(frame.email_opt_out_at.dtype) == TIME


def test_channels_of_odd_shapes_are_skipped_when_picking_the_first_of_each_kind():
    records = [
        {"id": 1, "channels": [None, "x", {"kind": ["email"]}, {"value": "?"}, {"kind": "email", "value": "a@x.test"}]},
        {"id": 2, "channels": {"kind": "email", "value": "not-a-list@x.test"}},
        {"id": 3, "channels": [{"kind": "phone", "value": "+64", "verified": "yes", "sent_count": 3}]},
        {"id": 4, "data": "not-an-object"},
    ]
    frame = to_frame(records, SCHEMAS["contacts"])
    assert frame.email.tolist() == ["a@x.test", pd.NA, pd.NA, pd.NA]
    assert frame.phone.tolist() == [pd.NA, pd.NA, "+64", pd.NA]
    assert frame.phone_sent_count.tolist() == [pd.NA, pd.NA, 3, pd.NA]
    assert frame.loc[3, "phone_verified"] == "yes"  # type drift: kept, not lost
    assert frame["data.tags"].isna().all()


def test_account_frame_flattens_team_access_and_billing():
    account = {
        "id": 1,
        "name": "A",
        "commercial_tier": "pro",
        "safe_mode_enabled": False,
        "access": None,
        "team": {"seat_limit": 5, "seat_count": 2, "current_role": None},
        "billing": {
            "plan_name": "Pro",
            "brands": {"used": 2, "limit": None, "unlimited": True},
            "lifetime": {"email_sent": 9},
            "resources": {"email": {"used": 1}},
        },
    }
    frame = to_frame([account], ACCOUNT)
    row = frame.loc[1]
    assert row["commercial_tier"] == "pro" and row["team.seat_count"] == 2 and pd.isna(row["team.current_role"])
    assert pd.isna(row["access.source"]) and bool(row["billing.brands.unlimited"]) is True
    assert pd.isna(row["billing.brands.limit"]) and row["billing.lifetime.email_sent"] == 9
    assert row["billing.resources"] == {"email": {"used": 1}}
    assert isinstance(frame["access.source"].dtype, pd.CategoricalDtype)


def test_brands_are_indexed_by_sid():
    frame = to_frame(
        [{"id": 4, "sid": "brd_x", "from_email_domain_status": "verified", "can_send": True}], SCHEMAS["brands"]
    )
    assert frame.index.name == "sid" and frame.loc["brd_x", "id"] == 4
    assert frame.loc["brd_x", "from_email_domain_status"] == "verified" and frame.can_send.dtype == "boolean"


def test_outbox_and_usage_frames():
    outbox = to_frame(
        [{"id": 3, "kind": "test", "to": "a@x.test", "message_id": None, "created_at": "2026-11-01T12:00:01Z"}], OUTBOX
    )
    assert outbox.kind.dtype.name == "category" and outbox.message_id.dtype == INT
    usage = to_frame(
        [
            {
                "resource": "email",
                "used": 5,
                "allowance": 10,
                "remaining": 5,
                "overage_rate": 0.1,
                "mode": "monthly",
                "budget": None,
                "budget_used": 0,
            },
            {
                "resource": "ai",
                "used": 37,
                "allowance": None,
                "remaining": None,
                "overage_rate": 0.02,
                "mode": "budget",
                "budget": 2000,
                "budget_used": 74,
            },
        ],
        USAGE,
    )
    assert usage.index.name == "resource" and usage.loc["email", "remaining"] == 5
    assert usage.loc["ai", "allowance"] is pd.NA and usage.loc["ai", "budget"] == 2000.0  # unlimited: <NA>
    assert list(usage["mode"]) == ["monthly", "budget"]
    assert to_frame([], USAGE).dtypes.to_dict() == {
        "used": INT,
        "allowance": INT,
        "remaining": INT,
        "overage_rate": np.dtype("float64"),
        "mode": pd.CategoricalDtype(["budget", "monthly", "unlimited"]),
        "budget": np.dtype("float64"),
        "budget_used": np.dtype("float64"),
    }


def test_large_result_sets_keep_every_row_and_type():
    records = [
        {
            "id": i,
            "first_name": f"n{i}",
            "subscribed_email": bool(i % 2),
            "created_at": "2026-01-01T00:00:00Z",
            "verification_status": "verified",
            "list_ids": [1],
            "channels": [],
            "data": {"tags": []},
        }
        for i in range(1, 20001)
    ]
    frame = to_frame(records, SCHEMAS["contacts"])
    assert len(frame) == 20000 and frame.index.is_unique and frame.index.is_monotonic_increasing
    assert frame.subscribed_email.sum() == 10000


def test_timestamps_outside_pandas_range_become_nat_with_a_warning_and_the_column_stays_datetime(caplog):
    records = [
        {"id": 1, "scheduled_at": "0776-02-16T10:00:00Z"},
        {"id": 2, "scheduled_at": "2026-11-01T12:00:00Z"},
        {"id": 3, "scheduled_at": None},
        {"id": 4, "scheduled_at": "9999-12-31T00:00:00Z"},
    ]
    with caplog.at_level(logging.WARNING, logger="nitrosend_nb"):
        frame = to_frame(records, SCHEMAS["campaigns"])
    assert str(frame.scheduled_at.dtype) == TIME
    assert frame.scheduled_at.isna().tolist() == [True, False, True, True]
    assert "scheduled_at" in caplog.text and "2 value(s)" in caplog.text and "0776-02-16" in caplog.text
