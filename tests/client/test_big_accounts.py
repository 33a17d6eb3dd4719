"""Big accounts: typed frames built batch by batch, Parquet export, the DuckDB copy (full refresh, incremental
loading, interrupted syncs) and ``sql``."""

from __future__ import annotations

import gc
import random
from datetime import timedelta

import duckdb
import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

import nitrosend_nb as nb
from nitrosend_nb.client.columnar import JSON_TYPE, concat_tables
from nitrosend_nb.client.frames import SCHEMAS, concat_frames, frame_batches, to_frame
from nitrosend_nb.client.pagination import Page, unique_pages
from nitrosend_nb.client.resources import Contacts
from nitrosend_nb.client.resources.base import Incremental

GROUPS = sorted(SCHEMAS)


@pytest.mark.parametrize("group", GROUPS)
def test_frames_built_in_batches_equal_one_frame_of_every_record(ns, group):
    resource = getattr(ns, group)
    records = list(resource.iter())
    whole = to_frame(records, resource.schema)
    batches = list(resource.frames(batch_rows=7))
    assert len(batches) == len(list(resource.pages()))  # every page of 100 reaches the batch size of 7
    assert len(batches) > 1 or group not in ("contacts", "messages")
    chunked = concat_frames(batches, resource.schema)
    pd.testing.assert_frame_equal(chunked, whole)
    pd.testing.assert_frame_equal(resource.df(), whole)
    assert chunked.dtypes.to_dict() == whole.dtypes.to_dict()


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # stopping early is clean
def test_the_garbage_collector_runs_while_the_caller_holds_a_batch(ns):
    assert gc.isenabled()
    seen = []
    for _batch in ns.contacts.frames(batch_rows=50):
        seen.append(gc.isenabled())  # paused only while a batch is fetched and converted
        if len(seen) == 2:
            break  # a caller that stops early leaves the collector on too
    assert seen == [True, True] and gc.isenabled()


@pytest.mark.parametrize("group", GROUPS)
def test_an_empty_result_in_batches_has_every_column_and_dtype(group):
    schema = SCHEMAS[group]
    empty = concat_frames(list(frame_batches([], schema)), schema)
    pd.testing.assert_frame_equal(empty, to_frame([], schema))
    assert list(empty.columns) == [c for c in schema.columns if c != schema.index]


def test_an_empty_filtered_list_is_an_empty_typed_frame(ns):
    frame = ns.contacts.df(search="no-such-contact-anywhere")
    pd.testing.assert_frame_equal(frame, to_frame([], SCHEMAS["contacts"]))


def test_enum_values_unseen_in_some_batches_are_unified_like_one_frame():
    records = [
        {"id": 1, "status": "draft"},
        {"id": 2, "status": "retired"},
        {"id": 3, "status": "archived"},
        {"id": 4, "status": "beta"},
        {"id": 5, "status": None, "shiny": 1},
    ]
    schema = SCHEMAS["campaigns"]
    chunked = concat_frames(list(frame_batches(([r] for r in records), schema, rows=1)), schema)
    whole = to_frame(records, schema)
    pd.testing.assert_frame_equal(chunked, whole)
    assert list(chunked.status.cat.categories) == [*schema.columns["status"].categories, "beta", "retired"]


def test_records_repeated_across_pages_are_kept_once_even_in_dense_id_blocks():
    ids = list(range(1, 5001))  # enough ids in one block for the bitmap
    pages = [
        Page(
            [{"id": i} for i in ids[n : n + 100]] + [{"id": ids[n - 1]}] if n else [{"id": i} for i in ids[:100]],
            page=n // 100 + 1,
            limit=100,
            total=5000,
            total_pages=50,
            next_page=None,
        )
        for n in range(0, 5000, 100)
    ]
    pages.append(
        Page(
            [{"id": 2**40}, {"id": 2**40}, {"id": "abc"}, {"id": "abc"}, {"name": "no id"}],
            page=51,
            limit=100,
            total=5000,
            total_pages=51,
            next_page=None,
        )
    )
    seen = [r.get("id") for page in unique_pages(p for p in pages) for r in page]
    assert seen == [*ids, 2**40, "abc", None]
    capped = [r["id"] for page in unique_pages((p for p in pages[:3]), max_records=150) for r in page]
    assert capped == ids[:150]


def test_pages_of_runs_gaps_and_repeats_keep_each_id_once_like_a_python_set():
    rng = random.Random(1)
    for _ in range(200):  # pages in id order (runs), shifted pages, scattered ids, across block boundaries
        base = rng.choice([0, 65_500, 10**6, 2**40])
        pages, seen, expected = [], set(), []
        for _ in range(rng.randint(1, 30)):
            low, size = base + rng.randint(0, 300), rng.randint(1, 30)
            if rng.random() < 0.6:
                ids = list(range(low, low + size))[:: rng.choice([1, -1])]
            else:
                ids = rng.sample(range(base, base + 400), size)
            pages.append(Page([{"id": i} for i in ids], page=1, limit=100, total=0, total_pages=1, next_page=None))
            expected.extend(i for i in ids if not (i in seen or seen.add(i)))
        assert [r["id"] for page in unique_pages(p for p in pages) for r in page] == expected


def test_a_page_of_two_far_apart_ids_is_checked_without_building_the_range_between_them():
    pages = [
        Page([{"id": 1}, {"id": 2**62}], page=1, limit=2, total=4, total_pages=2, next_page=2),
        Page([{"id": 2**62}, {"id": 0}], page=2, limit=2, total=4, total_pages=2, next_page=None),
    ]
    assert [r["id"] for page in unique_pages(p for p in pages) for r in page] == [1, 2**62, 0]


def test_ids_repeated_within_a_page_or_spelled_as_booleans_are_told_apart_like_python_values():
    pages = [
        Page([{"id": 1}, {"id": 2}, {"id": 1}], page=1, limit=3, total=6, total_pages=2, next_page=2),
        Page(
            [{"id": True}, {"id": 2}, {"id": -5}, {"id": -5}, {"id": 3}],
            page=2,
            limit=3,
            total=6,
            total_pages=2,
            next_page=None,
        ),
    ]
    seen = [r["id"] for page in unique_pages(p for p in pages) for r in page]
    assert seen == [1, 2, True, -5, 3] and seen[2] is True


def test_parquet_export_round_trips_to_the_arrow_frame(ns, tmp_path):
    frame = ns.contacts.df(dtype_backend="pyarrow")
    path = ns.contacts.to_parquet(tmp_path / "contacts.parquet")
    assert path == tmp_path / "contacts.parquet" and [p.name for p in tmp_path.iterdir()] == ["contacts.parquet"]
    table = pq.read_table(path)
    assert table.equals(concat_tables(list(ns.contacts.tables()), SCHEMAS["contacts"]))
    assert table.schema.names == ["id", *frame.columns]
    extras = [c for c in frame.columns if c not in SCHEMAS["contacts"].columns]  # custom data fields
    assert "data.lifetime_value" in extras and all(table.schema.field(c).type == JSON_TYPE for c in extras)
    declared = [c for c in frame.columns if c not in extras]
    back = table.to_pandas(types_mapper=pd.ArrowDtype).set_index("id")
    pd.testing.assert_frame_equal(back[declared], frame[declared])  # lists, structs, timestamps as they were
    assert back["data.lifetime_value"].map(orjson.loads).tolist() == frame["data.lifetime_value"].tolist()


def test_parquet_export_of_an_empty_group_has_the_schema(ns, tmp_path):
    path = ns.contacts.to_parquet(tmp_path / "none.parquet", search="no-such-contact-anywhere")
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.schema.names[0] == "id" and "created_at" in table.schema.names


def test_sync_loads_every_group_into_tables_equal_to_the_exported_ones(ns, tmp_path):
    path = tmp_path / "copy.duckdb"
    summary = ns.sync(path)
    assert set(summary.index) == set(ns.groups()) == set(SCHEMAS)
    assert (summary["mode"] == "full").all()
    for group, resource in ns.groups().items():
        expected = concat_tables(list(resource.tables()), resource.schema)
        with duckdb.connect(str(path), read_only=True) as con:
            table = con.sql(f"select * from {group}").arrow()
        if hasattr(table, "read_all"):
            table = table.read_all()
        assert table.cast(expected.schema).equals(expected), group
        assert summary.loc[group, "rows"] == expected.num_rows
    counts = ns.sql("select country_code, count(*) as n from contacts group by 1 order by n desc, 1")
    assert counts.n.sum() == len(ns.contacts.df())
    assert nb.sql("select count(*) as n from lists", path=path).n[0] == len(ns.lists.df())
    kinds = dict(
        ns.sql("select column_name, data_type from information_schema.columns where table_name = 'contacts'").values
    )
    assert kinds["list_ids"] == "BIGINT[]" and kinds["channels"].startswith("STRUCT(id BIGINT, contact_id BIGINT")
    assert kinds["created_at"] == "TIMESTAMP WITH TIME ZONE" and kinds["data.plan"] == "VARCHAR"  # JSON text
    members = ns.sql("select count(*) as n from contacts, unnest(list_ids) as m(list_id)").n[0]
    assert members == ns.contacts.df()["list_ids"].map(len).sum()
    totals = ns.sql("select sum((data->>'$.order.total')::double) as total from events where event = 'order_placed'")
    placed = ns.events.df(event="order_placed")
    assert totals.total[0] == pytest.approx(sum(d["order"]["total"] for d in placed["data"]))


def test_sql_without_a_synced_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"ns\.sync"):
        nb.sql("select 1", path=tmp_path / "missing.duckdb")


class _ContactsSince(Contacts):
    """Contacts loaded incrementally: the sandbox's contacts list has the events list's time filter."""

    incremental = Incremental(cursor="created_at", filter="created_after")


def _table(path, query):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(query).fetchall()


def test_incremental_sync_picks_up_new_records_once_and_full_groups_are_replaced(make_sandbox, tmp_path):
    sandbox = make_sandbox(seed=0, contacts=40)
    ns = nb.connect(sandbox=sandbox, progress=False)
    ns.contacts = _ContactsSince(ns)
    path = tmp_path / "copy.duckdb"
    first = ns.sync(path, groups=["contacts", "lists"], lookback=timedelta(seconds=5))
    assert first.loc["contacts", "mode"] == "full" and first.loc["contacts", "rows"] == 40

    new = [ns.contacts.create(email=f"new{i}@example.test") for i in range(3)]
    gone = ns.lists.df().index[0]
    ns.lists.delete(int(gone))
    second = ns.sync(path, groups=["contacts", "lists"], lookback=timedelta(seconds=5))
    assert second.loc["contacts", "mode"] == "incremental"
    # only the new ones and the newest already stored (stamped at the watermark, inside the 5 s lookback)
    assert second.loc["contacts", "fetched"] == 4
    assert second.loc["contacts", "rows"] == 43
    assert _table(path, "select count(distinct id), count(*) from contacts") == [(43, 43)]
    assert {row[0] for row in _table(path, "select id from contacts where email like 'new%'")} == {c["id"] for c in new}
    assert gone not in {row[0] for row in _table(path, "select id from lists")}  # full refresh: deleted is gone
    assert second.loc["lists", "rows"] == len(ns.lists.df())

    third = ns.sync(path, groups=["contacts"], lookback=timedelta(seconds=5))
    assert third.loc["contacts", "fetched"] == 3  # the lookback window is fetched again...
    assert _table(path, "select count(distinct id), count(*) from contacts") == [(43, 43)]  # ...stored once
    marks = _table(path, "select name, mode, watermark from _nitrosend_sync order by name")
    assert [(name, mode) for name, mode, _ in marks] == [("contacts", "incremental"), ("lists", "full")]
    assert marks[0][2] == pd.Timestamp(new[-1]["created_at"]).to_pydatetime()
    ns.close()


@pytest.mark.parametrize("failing", ["/contacts", "/segments"])  # a group mid-way, the last group
def test_an_interrupted_sync_leaves_the_previous_tables_intact(make_sandbox, tmp_path, failing):
    sandbox = make_sandbox(seed=0, contacts=30)
    ns = nb.connect(sandbox=sandbox, progress=False, retries=0)
    path = tmp_path / "copy.duckdb"
    ns.sync(path)
    before = {group: _table(path, f"select * from {group} order by id") for group in ns.groups()}
    ns.lists.delete(1)
    ns.contacts.create(email="late@example.test")
    sandbox.inject_faults(count=1, status=500, when="before", path=failing)
    with pytest.raises(nb.ServerError):
        ns.sync(path)
    after = {group: _table(path, f"select * from {group} order by id") for group in ns.groups()}
    assert after == before
    leftovers = _table(path, "select table_name from information_schema.tables where table_name like '_nitro%'")
    assert leftovers == [("_nitrosend_sync",)]
    summary = ns.sync(path)  # the next sync completes and sees the changes
    assert summary.loc["contacts", "rows"] == 31 and summary.loc["lists", "rows"] == len(before["lists"]) - 1
    ns.close()
