"""``dtype_backend="pyarrow"``: every column an ``ArrowDtype``, holding the same values as the default
``numpy_nullable`` frames (each group converted from one backend to the other and compared), in batches too."""

from __future__ import annotations

import logging

import pandas as pd
import pyarrow as pa
import pytest

from nitrosend_nb.client.backends import joined, page_frames, records_frame
from nitrosend_nb.client.columnar import JSON_TYPE, TIMESTAMP, arrow_type, from_numpy_frame, table_batches
from nitrosend_nb.client.frames import ACCOUNT, OUTBOX, SCHEMAS, USAGE, WEBHOOK_DELIVERIES, to_frame

GROUPS = sorted(SCHEMAS)


def _same(arrow: pd.DataFrame, numpy: pd.DataFrame, schema) -> None:
    """The Arrow frame equals the default frame converted to the Arrow backend, and has its columns in order."""
    assert list(arrow.columns) == list(numpy.columns) and arrow.index.name == numpy.index.name
    pd.testing.assert_frame_equal(arrow, from_numpy_frame(numpy, schema))
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in [*arrow.dtypes, arrow.index.dtype])


@pytest.mark.parametrize("group", GROUPS)
def test_both_backends_hold_the_same_values_in_every_group(ns, group):
    resource = getattr(ns, group)
    numpy, arrow = resource.df(), resource.df(dtype_backend="pyarrow")
    _same(arrow, numpy, resource.schema)
    if len(numpy):
        assert numpy.isna().any().any() == arrow.isna().any().any()  # the nulls are the same nulls


@pytest.mark.parametrize("group", GROUPS)
def test_empty_results_of_both_backends_have_every_column(ns, group):
    resource = getattr(ns, group)
    numpy, arrow = resource.frame([]), resource.frame([], dtype_backend="pyarrow")
    assert arrow.empty and list(arrow.columns) == list(numpy.columns)
    _same(arrow, numpy, resource.schema)
    for column, declared in resource.schema.columns.items():
        if column != resource.schema.index:
            assert arrow[column].dtype == pd.ArrowDtype(arrow_type(declared)), column


def test_an_empty_filtered_list_is_an_empty_arrow_frame(ns):
    arrow = ns.contacts.df(search="no-such-contact-anywhere", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(arrow, ns.contacts.frame([], dtype_backend="pyarrow"))


def test_nested_fields_are_arrow_lists_and_structs(ns):
    contacts = ns.contacts.df(dtype_backend="pyarrow")
    channels = contacts["channels"].dtype.pyarrow_dtype
    assert channels.value_type["opt_in_at"].type == TIMESTAMP and channels.value_type["data"].type == JSON_TYPE
    assert contacts["list_ids"].dtype == pd.ArrowDtype(pa.list_(pa.int64()))
    assert contacts["data.tags"].dtype == pd.ArrowDtype(pa.list_(pa.string()))
    first = contacts.iloc[0]
    assert first["email"] == first["channels"][0]["value"] and first["channels"][0]["data"] == "{}"
    assert contacts["list_ids"].list.len().sum() == ns.contacts.df()["list_ids"].map(len).sum()
    domains = ns.domains.df(dtype_backend="pyarrow")
    assert domains["dns_records"].dtype.pyarrow_dtype.value_type.names == [
        "record_type",
        "name",
        "value",
        "priority",
        "valid",
    ]
    events = ns.events.df(dtype_backend="pyarrow", event="order_placed")
    assert events["data"].dtype == pd.ArrowDtype(JSON_TYPE) and events["data"].iloc[0].startswith('{"order":')


def test_undeclared_fields_are_typed_as_pyarrow_infers_them(ns):
    contacts = ns.contacts.df(dtype_backend="pyarrow")
    assert contacts["data.plan"].dtype == pd.ArrowDtype(pa.string())
    assert contacts["data.orders_count"].dtype == pd.ArrowDtype(pa.int64())
    assert contacts["data.lifetime_value"].dtype == pd.ArrowDtype(pa.float64())
    assert contacts["data.tags"].dtype == pd.ArrowDtype(pa.list_(pa.string()))  # a list of text
    brands = ns.brands.df(dtype_backend="pyarrow")  # today's Brand is all declared (its retired example_copy gone)
    assert brands["default_header"].dtype == pd.ArrowDtype(JSON_TYPE)  # a free-form object: JSON text


RECORDS = [
    {
        "id": 1,
        "status": "on_hold",  # newer than today's statuses
        "channel": "whatsapp",
        "shiny_new_field": {"a": 1},
        "sent_count": 3,
        "scheduled_at": "2026-04-09T10:00:00",  # no zone: UTC
        "created_at": "2026-04-09T00:00:00+02:00",
        "trigger": {"segment_id": 2, "throttle": 5, "contact_list_ids": [1, 2], "data": {"x": [1, None]}},
        "template": {"subject": "Hi", "design": {"sections": []}, "created_at": "2026-01-01T00:00:00Z"},
        "templates": [{"id": 4, "design": {"theme": {}}, "variables": None}, None],
    },
    {"id": 2, "status": None, "trigger": None, "template": None, "templates": [], "sent_count": None},
    {"id": 3, "status": "draft", "trigger": "not-an-object", "data": [1, "two"], "shiny_new_field": None},
]


def test_odd_records_give_the_same_values_in_both_backends(caplog):
    schema = SCHEMAS["campaigns"]
    with caplog.at_level(logging.WARNING, logger="nitrosend_nb"):
        numpy, arrow = to_frame(RECORDS, schema), records_frame(RECORDS, schema, "pyarrow")
    _same(arrow, numpy, schema)
    assert arrow.loc[1, "status"] == "on_hold" and pd.isna(arrow.loc[2, "status"])
    assert list(numpy.status.cat.categories)[-1] == "on_hold"  # the default backend appends unseen values
    assert arrow.loc[1, "scheduled_at"] == pd.Timestamp("2026-04-09T10:00:00Z")
    assert arrow.loc[1, "trigger.throttle"] == 5 and arrow.loc[1, "shiny_new_field"] == '{"a":1}'
    assert arrow.loc[1, "templates"][0]["design"] == '{"theme":{}}' and arrow.loc[1, "templates"][1] is None
    assert arrow.loc[3, "data"] == '[1,"two"]' and pd.isna(arrow.loc[3, "trigger.segment_id"])


def test_channels_of_odd_shapes_derive_the_same_email_and_phone_in_both_backends():
    schema = SCHEMAS["contacts"]
    records = [
        {"id": 1, "channels": [None, "x", {"kind": ["email"]}, {"value": "?"}, {"kind": "email", "value": "a@x.test"}]},
        {"id": 2, "channels": {"kind": "email", "value": "not-a-list@x.test"}},
        {"id": 3, "channels": [{"kind": "phone", "value": "+64", "verified": True, "sent_count": 3}]},
        {"id": 4, "data": "not-an-object"},
        {"id": 5, "channels": [{"kind": "phone", "value": "+1"}, {"kind": "email", "value": "e@x.test"}]},
    ]
    numpy, arrow = to_frame(records, schema), records_frame(records, schema, "pyarrow")
    _same(arrow, numpy, schema)
    assert arrow.email.tolist() == ["a@x.test", pd.NA, pd.NA, pd.NA, "e@x.test"]
    assert arrow.phone_sent_count.tolist() == [pd.NA, pd.NA, 3, pd.NA, pd.NA]
    well_formed = [records[2], records[4]]  # converted by one pyarrow.array call, derived with Arrow compute
    _same(records_frame(well_formed, schema, "pyarrow"), to_frame(well_formed, schema), schema)


def test_timestamps_arrow_refuses_are_read_as_the_default_backend_reads_them(caplog):
    schema = SCHEMAS["contacts"]
    channel = {"kind": "email", "value": "a@x.test", "opt_in_at": "2026-04-09T10:00:00Z"}
    records = [
        {"id": 1, "created_at": "2026-04-09 10:00:00", "updated_at": "2026-04-09T11:00:00Z", "channels": [channel]},
        {"id": 2, "created_at": "2026-04-10T10:00:00Z", "channels": [{**channel, "opt_in_at": "yesterday"}]},
    ]
    with caplog.at_level(logging.WARNING, logger="nitrosend_nb"):
        arrow = records_frame(records, schema, "pyarrow")
    _same(arrow, to_frame(records, schema), schema)
    assert arrow.created_at.tolist() == [pd.Timestamp("2026-04-09T10:00:00Z"), pd.Timestamp("2026-04-10T10:00:00Z")]
    assert arrow.loc[1, "updated_at"] == pd.Timestamp("2026-04-09T11:00:00Z") and pd.isna(arrow.loc[2, "updated_at"])
    assert arrow.loc[1, "email_opt_in_at"] == pd.Timestamp("2026-04-09T10:00:00Z")
    assert pd.isna(arrow.loc[2, "email_opt_in_at"]) and arrow.loc[2, "channels"][0]["opt_in_at"] is None
    assert "yesterday" in caplog.text and arrow.channels.dtype == pd.ArrowDtype(arrow_type(schema.columns["channels"]))


def test_type_drift_keeps_the_data_as_json_text_with_a_warning(caplog):
    records = [{"id": 1, "contacts_count": "many"}, {"id": 2, "contacts_count": 5}, {"id": 3, "name": 7}]
    with caplog.at_level(logging.WARNING, logger="nitrosend_nb"):
        arrow = records_frame(records, SCHEMAS["lists"], "pyarrow")
    assert arrow.contacts_count.dtype == pd.ArrowDtype(JSON_TYPE)
    assert arrow.contacts_count.tolist() == ['"many"', "5", pd.NA] and "contacts_count" in caplog.text
    assert arrow.loc[3, "name"] == "7"  # a number where text is declared: text, as the default backend has it
    _same(arrow, to_frame(records, SCHEMAS["lists"]), SCHEMAS["lists"])


def test_timestamps_beyond_the_nanosecond_range_are_kept_in_arrow():
    records = [{"id": 1, "scheduled_at": "0776-02-16T10:00:00Z"}, {"id": 2, "scheduled_at": "9999-12-31T00:00:00Z"}]
    arrow = records_frame(records, SCHEMAS["campaigns"], "pyarrow")
    assert arrow.scheduled_at.tolist() == [pd.Timestamp(r["scheduled_at"]) for r in records]
    assert to_frame(records, SCHEMAS["campaigns"]).scheduled_at.isna().all()  # numpy_nullable: NaT


def _pages(records, size):
    return [records[n : n + size] for n in range(0, len(records), size)]


def test_batches_join_to_the_frame_of_every_record_whatever_each_batch_held():
    schema = SCHEMAS["contacts"]
    records = [
        {"id": 1, "data": {"plan": "pro", "score": 1}, "late": None},  # null first: takes the later batches' type
        {"id": 2, "data": {"plan": "free", "score": 2.5}},  # int then float: double
        {"id": 3, "data": {"plan": 7, "code": "a"}},  # a learned text field gets a number: pulled out again
        {"id": 4, "data": {"plan": None, "code": 9}, "late": True},  # text then a number: JSON text
        {"id": 5, "data": {"plan": "team"}},
    ]
    whole = records_frame(records, schema, "pyarrow")
    batches = list(page_frames(_pages(records, 1), schema, rows=1, dtype_backend="pyarrow"))
    assert len(batches) == 5
    pd.testing.assert_frame_equal(joined(batches, schema, "pyarrow"), whole)
    tables = list(table_batches(_pages(records, 2), schema, rows=2, infer=True))
    assert tables[0].schema.field("data.plan").type == pa.string()  # learned: the next batch converts it in C++
    assert whole["data.score"].tolist() == [1.0, 2.5, pd.NA, pd.NA, pd.NA]
    assert whole["data.plan"].dtype == pd.ArrowDtype(JSON_TYPE) and whole["data.code"].tolist()[2:4] == ['"a"', "9"]
    assert whole["late"].tolist() == [pd.NA, pd.NA, pd.NA, True, pd.NA]
    _same(whole, to_frame(records, schema), schema)


def _full_contact(n: int) -> dict:
    """A contact whose every declared key holds a value: as many keys as fields Arrow converts not null."""
    channel = {"id": n, "contact_id": n, "kind": "email", "value": f"c{n}@x.test", "subscribed": True}
    return {
        **dict.fromkeys(("id", "brand_id"), n),
        **dict.fromkeys(("uuid", "first_name", "last_name", "source", "country_code"), f"v{n}"),
        "subscribed_email": True,
        "subscribed_phone": False,
        "verification_status": "verified",
        "enrichment_status": "enriched",
        "list_ids": [1],
        "data": {"tags": ["a"]},
        "channels": [channel],
        **dict.fromkeys(("last_interacted_at", "created_at", "updated_at"), "2026-04-09T10:00:00Z"),
    }


def test_no_undeclared_key_is_lost_where_the_key_count_matches():
    schema = SCHEMAS["contacts"]
    records = [_full_contact(n) for n in range(1, 9)]
    del records[1]["first_name"]  # as many keys as a full contact: one declared missing, one unknown
    records[1]["nickname"] = "Bo"
    del records[2]["data"]["tags"]  # the same inside a flattened object
    records[2]["data"]["vip"] = True
    records[4]["nickname"] = None  # a carried field holding null
    records[5]["data"] = None  # a null object, then none at all
    del records[6]["data"]
    records[7]["source"] = None  # a null declared value beside an unknown key
    records[7]["data"]["score"] = 7
    whole = records_frame(records, schema, "pyarrow")
    assert whole["nickname"].tolist() == [pd.NA, "Bo", *[pd.NA] * 6]
    assert whole["data.vip"].tolist() == [pd.NA, pd.NA, True, *[pd.NA] * 5]
    assert whole["data.score"].tolist() == [*[pd.NA] * 7, 7]
    assert list(whole.columns) == list(to_frame(records, schema).columns)  # the keys the default backend finds
    tables = list(table_batches(_pages(records, 1), schema, rows=2, infer=True))
    assert ["nickname" in table.column_names for table in tables] == [True, False, True, False]
    batches = list(page_frames(_pages(records, 1), schema, rows=2, dtype_backend="pyarrow"))
    pd.testing.assert_frame_equal(joined(batches, schema, "pyarrow"), whole)


def test_frames_and_df_build_the_same_arrow_frame(ns):
    batches = list(ns.messages.frames(batch_rows=50, dtype_backend="pyarrow"))
    assert len(batches) > 1 and all(len(batch) <= 100 for batch in batches)
    pd.testing.assert_frame_equal(
        joined(batches, ns.messages.schema, "pyarrow"), ns.messages.df(dtype_backend="pyarrow")
    )


def test_an_unknown_backend_is_refused_before_any_request(ns):
    with pytest.raises(ValueError, match="'numpy_nullable', 'pyarrow'"):
        ns.contacts.df(dtype_backend="arrow")
    with pytest.raises(ValueError, match="dtype_backend"):
        next(ns.contacts.frames(dtype_backend="polars"))


def test_the_other_frames_take_the_backend_too(fresh_ns):
    account = fresh_ns.account.df(dtype_backend="pyarrow")
    _same(account, fresh_ns.account.df(), ACCOUNT)
    usage = fresh_ns.account.usage(dtype_backend="pyarrow")
    _same(usage, fresh_ns.account.usage(), USAGE)
    assert usage.loc["ai", "allowance"] is pd.NA  # unlimited, as in the default backend
    fresh_ns.messages.send(to="ada@example.com", subject="Hi", html="<p>Hi</p>")
    _same(fresh_ns.outbox(dtype_backend="pyarrow"), fresh_ns.outbox(), OUTBOX)
    deliveries = [{"id": 1, "webhook_id": 2, "event_id": "e", "payload": {"type": "email.sent", "data": {"to": "a"}}}]
    rows = fresh_ns.webhooks.deliveries(2).frame(deliveries, dtype_backend="pyarrow")
    assert rows.loc[1, "to"] == "a" and rows.loc[1, "test"] is False
    _same(rows, fresh_ns.webhooks.deliveries(2).frame(deliveries), WEBHOOK_DELIVERIES)


def test_events_refresh_keeps_the_backend(fresh_ns):
    events = fresh_ns.events.df(dtype_backend="pyarrow", event="order_placed")
    fresh_ns.events.track("order_placed", contact_id=3, amount=24.5, idempotency_key="order-arrow-1")
    both = fresh_ns.events.refresh(events, event="order_placed")
    assert len(both) == len(events) + 1 and all(isinstance(dtype, pd.ArrowDtype) for dtype in both.dtypes)
