"""``pyarrow`` frames read straight from page bodies by Arrow's JSON reader: the same tables as the records decoded
and converted as dicts, whatever the bodies hold (the reader is used where its values are the same, the dict path
elsewhere, said in a debug log line), and the same rows once de-duplicated on the tables."""

from __future__ import annotations

import json
import logging

import orjson
import pandas as pd
import pyarrow as pa
import pytest

from nitrosend_nb.client.columnar import body_batches, concat_tables, from_numpy_frame, table_batches
from nitrosend_nb.client.frames import SCHEMAS, WEBHOOK_DELIVERIES
from nitrosend_nb.client.pagination import Page, unique_pages, unique_tables

CONTACTS = SCHEMAS["contacts"]
FALLBACK = "page bodies decoded as dicts"


def _contact(n: int, **changes) -> dict:
    channel = {"id": n, "contact_id": n, "kind": "email", "value": f"c{n}@x.test", "subscribed": True, "data": {}}
    record = {
        "id": n,
        "first_name": f"F{n}",
        "subscribed_email": True,
        "list_ids": [1, n],
        "data": {"tags": ["a"], "plan": "pro", "orders_count": n, "lifetime_value": n / 2, "vip": n % 2 == 0},
        "channels": [channel, {"kind": "phone", "value": f"+64{n}", "opt_in_at": "2026-04-09T10:00:00Z"}],
        "created_at": "2026-04-09T10:00:00Z",
    }
    record.update(changes)
    return record


def _both(pages: list[list[dict]], schema=CONTACTS, indent: int | None = None) -> tuple[pa.Table, pa.Table]:
    """The pages' JSON bodies read by :func:`body_batches`, and decoded (as the client decodes them) and converted
    as dicts: one batch each, so both infer alike."""
    bodies = [json.dumps(page, indent=indent, separators=None if indent else (",", ":")).encode() for page in pages]
    read = concat_tables(list(body_batches(bodies, schema, rows=10_000)), schema)
    decoded = [orjson.loads(body) for body in bodies]
    converted = concat_tables(list(table_batches(decoded, schema, rows=10_000, infer=True)), schema)
    return read, converted


def test_plain_pages_are_read_by_the_json_reader_with_the_dict_paths_values(caplog):
    pages = [
        [_contact(n) for n in range(1, 4)],
        [],  # an empty page
        [_contact(4, nickname="Bo", data=None), _contact(5, channels=None), _contact(6, channels=[], first_name=None)],
        [{"id": 7}],  # every other field missing
    ]
    with caplog.at_level(logging.DEBUG, logger="nitrosend_nb"):
        read, converted = _both(pages)
    assert FALLBACK not in caplog.text
    assert read.equals(converted) and read.schema == converted.schema
    assert read.column_names[-5:] == ["nickname", "data.plan", "data.orders_count", "data.lifetime_value", "data.vip"]
    frame = read.to_pandas(types_mapper=pd.ArrowDtype).set_index("id")
    assert frame.email.tolist()[:3] == ["c1@x.test", "c2@x.test", "c3@x.test"] and frame.phone.iloc[0] == "+641"
    assert frame.loc[1, "channels"][0]["data"] == "{}" and frame.loc[1, "channels"][1]["data"] is None
    assert frame.loc[1, "email_opt_in_at"] is pd.NA and frame.loc[1, "phone_opt_in_at"] == pd.Timestamp(
        "2026-04-09T10:00:00Z"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"data": {"signup": "2026-01-01"}},  # text the reader would take for a timestamp
        {"prefs": {"a": 1}},  # an undeclared object: JSON text
        {"data": {"score": [1, 2]}},  # an undeclared list: JSON text
        {"channels": [{"kind": "email", "value": "a@x.test", "data": {"source": "form"}}]},  # a free-form value
        {"email": "sent@x.test"},  # a derived column the API sends itself
        {"first_name": 7},  # a number where text is declared
        {"created_at": "2026-04-09T10:00:00.123456789Z"},  # nanoseconds
        {"created_at": "yesterday"},
        {"id": True},
    ],
    ids=["time-like", "object", "list", "channel-data", "derived", "drift", "nanos", "not-a-time", "id"],
)
def test_what_the_reader_reads_otherwise_goes_the_dict_path(caplog, changes):
    pages = [[_contact(1), _contact(2, **changes)], [_contact(3, nickname=5)]]
    with caplog.at_level(logging.DEBUG, logger="nitrosend_nb"):
        read, converted = _both(pages)
    assert FALLBACK in caplog.text
    assert read.equals(converted) and read.schema == converted.schema


def test_undeclared_integers_and_numbers_mix_as_in_the_dict_path(caplog):
    scores = [1, 2.5, None, 10**20]  # an integer past int64: a number to orjson and to the reader
    pages = [[_contact(n, data={"score": score}) for n, score in enumerate(scores, start=1)]]
    with caplog.at_level(logging.DEBUG, logger="nitrosend_nb"):
        read, converted = _both(pages)
    assert FALLBACK not in caplog.text and read.equals(converted)
    assert read.column("data.score").to_pylist() == [1.0, 2.5, None, 1e20]


def test_bodies_on_several_lines_and_groups_with_free_form_columns_go_the_dict_path(caplog):
    pages = [[_contact(1)], [_contact(2)]]
    read, converted = _both(pages, indent=2)
    assert read.equals(converted)
    campaigns = [[{"id": 1, "name": "Spring", "data": {"x": [1, None]}}, {"id": 2, "data": None}]]
    read, converted = _both(campaigns, SCHEMAS["campaigns"])
    assert read.equals(converted) and read.column("data").to_pylist() == ['{"x":[1,null]}', None]


@pytest.mark.parametrize("group", sorted(SCHEMAS))
def test_every_group_reads_its_empty_pages_as_no_table(group):
    assert list(body_batches([b"[]", b"[]"], SCHEMAS[group])) == []


def test_batches_hold_as_many_pages_as_the_rows_asked_for():
    bodies = [orjson.dumps([_contact(n), _contact(n + 1000)]) for n in range(1, 8)]
    tables = list(body_batches(bodies, CONTACTS, rows=6, page_rows=2))
    assert [table.num_rows for table in tables] == [6, 6, 2]


def _pages(id_lists: list[list]) -> list[Page]:
    return [
        Page([{"id": i} for i in ids], page=n, limit=100, total=0, total_pages=len(id_lists), next_page=None)
        for n, ids in enumerate(id_lists, start=1)
    ]


@pytest.mark.parametrize("max_records", [None, 1, 4, 7, 100])
def test_tables_are_de_duplicated_and_capped_as_pages_are(max_records):
    id_lists = [[5, 4, 3], [3, 2, 2, 1], [], [1, None, 2**62, None, 0], [-3, -3, 9]]
    expected = [r["id"] for page in unique_pages((p for p in _pages(id_lists)), max_records) for r in page]
    tables = (pa.table({"id": pa.array(ids, pa.int64()), "n": range(len(ids))}) for ids in id_lists)
    kept = list(unique_tables(tables, "id", max_records))
    assert [i for table in kept for i in table.column("id").to_pylist()] == expected
    assert all(table.num_rows for table in kept)


def test_df_and_frames_read_from_bodies_match_the_default_backend(ns):
    arrow = ns.contacts.df(dtype_backend="pyarrow")
    assert arrow.index.tolist() == ns.contacts.df().index.tolist() and arrow.index.is_unique
    batches = list(ns.contacts.frames(batch_rows=100, dtype_backend="pyarrow"))
    assert len(batches) > 1 and all(len(batch) <= 100 for batch in batches)
    pd.testing.assert_frame_equal(pd.concat(batches), arrow)
    capped = ns.contacts.df(dtype_backend="pyarrow", max_rows=150)
    pd.testing.assert_frame_equal(capped, arrow.iloc[:150])


def test_records_shifting_between_pages_are_read_once_from_bodies(fresh_ns):
    original = fresh_ns.contacts.df().index.tolist()
    seen = []
    for frame in fresh_ns.contacts.frames(batch_rows=100, dtype_backend="pyarrow"):
        if not seen:
            fresh_ns.contacts.create(email="shift@example.test")
        seen.extend(frame.index.tolist())
    assert seen == original


def test_a_group_whose_records_are_reshaped_still_reads_them_as_dicts(ns):
    hooks = ns.webhooks.df().index
    deliveries = next(ns.webhooks.deliveries(h) for h in hooks if ns.webhooks.deliveries(h).list(limit=1))
    arrow = deliveries.df(dtype_backend="pyarrow")
    assert len(arrow) and arrow["to"].notna().any()  # the payload flattened into columns
    pd.testing.assert_frame_equal(arrow, from_numpy_frame(deliveries.df(), WEBHOOK_DELIVERIES))


def test_paginate_yields_the_bodies_the_pages_decode_from(ns):
    bodies = list(ns.paginate("/contacts", limit=60, bodies=True, progress=False))
    pages = list(ns.paginate("/contacts", limit=60, progress=False))
    assert len(bodies) == len(pages) > 1 and all(isinstance(body.content, bytes) for body in bodies)
    for body, page in zip(bodies, pages, strict=True):
        decoded = body.decoded()
        assert decoded == page == orjson.loads(body.content)
        assert (decoded.page, decoded.total, decoded.total_pages, decoded.next_page) == (
            page.page,
            page.total,
            page.total_pages,
            page.next_page,
        )
    assert bodies[-1].next_page is None and bodies[0].total == sum(len(page) for page in pages)
