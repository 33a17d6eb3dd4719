"""The dlt source loads every group into dlt's DuckDB destination through the nitrosend client."""

from __future__ import annotations

import pytest

import nitrosend_nb as nb

dlt = pytest.importorskip("dlt", reason="the [dlt] extra is not installed")
duckdb = pytest.importorskip("duckdb")

from nitrosend_nb.client.resources import Contacts  # noqa: E402
from nitrosend_nb.client.resources.base import Incremental  # noqa: E402
from nitrosend_nb.dlt import client_source, source  # noqa: E402


class _ContactsSince(Contacts):
    incremental = Incremental(cursor="created_at", filter="created_after")


@pytest.fixture
def pipeline(tmp_path, monkeypatch):
    """A dlt pipeline into a DuckDB file in the test's tmp dir (no telemetry: these machines are offline)."""
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-data"))
    pipeline = dlt.pipeline(
        pipeline_name="nitrosend_test",
        pipelines_dir=str(tmp_path / "pipelines"),
        destination=dlt.destinations.duckdb(str(tmp_path / "warehouse.duckdb")),
        dataset_name="nitrosend",
    )
    pipeline.warehouse = tmp_path / "warehouse.duckdb"
    return pipeline


def _query(pipeline, sql):
    with duckdb.connect(str(pipeline.warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_every_group_loads_into_duckdb_as_flat_tables(make_sandbox, pipeline):
    sandbox = make_sandbox(seed=0, contacts=60)
    pipeline.run(source(api_key=sandbox.api_key, base_url=sandbox.url))
    ns = nb.connect(sandbox=sandbox, progress=False)
    tables = {
        row[0]
        for row in _query(pipeline, "select table_name from information_schema.tables where table_schema = 'nitrosend'")
    }
    sizes = {group: len(resource.df()) for group, resource in ns.groups().items()}
    assert "imports" in {group for group, size in sizes.items() if size == 0}  # a fresh sandbox has run none
    assert {group for group, size in sizes.items() if size} <= tables  # dlt makes a table when data first comes
    assert not {t for t in tables if "__" in t}  # lists and objects stay JSON columns, no child tables
    for group in tables & set(sizes):
        assert _query(pipeline, f"select count(*) from nitrosend.{group}") == [(sizes[group],)]
    assert _query(pipeline, "select count(*) from nitrosend.contacts where channels like '%\"kind\"%'") == [(60,)]


def test_a_time_filtered_group_loads_incrementally_and_merges_by_id(make_sandbox, pipeline):
    sandbox = make_sandbox(seed=0, contacts=30)
    ns = nb.connect(sandbox=sandbox, progress=False)
    ns.contacts = _ContactsSince(ns)
    pipeline.run(client_source(ns, groups=["contacts", "lists"]))
    assert _query(pipeline, "select count(*) from nitrosend.contacts") == [(30,)]
    ns.contacts.create(email="new@example.test")
    ns.lists.delete(1)
    info = pipeline.run(client_source(ns, groups=["contacts", "lists"]))
    assert not info.has_failed_jobs
    assert pipeline.last_trace.last_normalize_info.row_counts["contacts"] == 1  # only the new contact was loaded
    assert _query(pipeline, "select count(*), count(distinct id) from nitrosend.contacts") == [(31, 31)]
    assert (1,) not in _query(pipeline, "select id from nitrosend.lists")  # replaced: the deleted list is gone
    ns.close()
