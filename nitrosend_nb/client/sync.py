"""A local DuckDB copy of the account: ``ns.sync(path)`` loads every endpoint group into a table named after it,
``ns.sql(query)`` / ``nb.sql(query, path=...)`` query it into DataFrames.

Every group is first streamed, batch by batch, into a staging table (flat memory, the same Arrow tables as
:mod:`~nitrosend_nb.client.export`'s Parquet files: lists and records as DuckDB lists and structs, free-form
objects as JSON); only when every group has been fetched does one transaction
swap them in. A sync that fails midway (a network error, Ctrl-C) therefore leaves every previous table as it was.

* Groups whose resource declares :class:`~nitrosend_nb.client.resources.base.Incremental` (events, on
  ``created_at`` through ``created_after``) are loaded incrementally once their table exists: records newer than
  the stored watermark minus a small ``lookback`` (records stamped just before the watermark may become visible
  late) are fetched and merged by id, so each record is stored exactly once.
* Every other group is refreshed in full and replaced, so deleted records disappear.

The watermarks live in the ``_nitrosend_sync`` table beside the data, with the API each group came from (a copy
synced from another account or brand is refreshed in full).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from nitrosend_nb.client.export import one_schema

if TYPE_CHECKING:
    import duckdb

    from nitrosend_nb.client.client import Nitrosend
    from nitrosend_nb.client.resources.base import Resource

__all__ = ["sync", "sql", "DEFAULT_PATH", "LOOKBACK"]

logger = logging.getLogger("nitrosend_nb")

DEFAULT_PATH = "nitrosend.duckdb"  #: where ns.sync writes unless told otherwise
LOOKBACK = timedelta(minutes=10)  #: how far before its watermark an incremental group is fetched again
META = "_nitrosend_sync"
STAGE = "_nitrosend_stage_"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }


def _drop_stages(con: duckdb.DuckDBPyConnection) -> None:
    """Remove staging tables (of this sync after a failure, or of one that was killed outright)."""
    for table in _tables(con):
        if table.startswith(STAGE):
            con.execute(f"DROP TABLE {_quote(table)}")


def _watermarks(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, datetime]:
    """The stored watermark of every incremental group synced from ``source``."""
    rows = con.execute(
        f"SELECT name, watermark FROM {META} WHERE source = ? AND watermark IS NOT NULL", [source]
    ).fetchall()
    return dict(rows)


def _stage(
    con: duckdb.DuckDBPyConnection, resource: Resource, table: str, filters: Mapping[str, object], progress: bool | None
) -> int:
    """Stream the group's records into a fresh staging table; the number of rows staged."""
    con.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
    rows, statement = 0, f"CREATE TABLE {_quote(table)} AS SELECT * FROM _nitrosend_batch"
    for batch in one_schema(resource.tables(progress=progress, **filters), resource.schema):
        con.register("_nitrosend_batch", batch)
        try:
            con.execute(statement)
        finally:
            con.unregister("_nitrosend_batch")
        statement = f"INSERT INTO {_quote(table)} BY NAME SELECT * FROM _nitrosend_batch"
        rows += batch.num_rows
    return rows


def _merge(con: duckdb.DuckDBPyConnection, name: str, stage: str, key: str) -> None:
    """Upsert the staged records into ``name`` by ``key`` (new fields become new columns)."""
    have = {row[0] for row in con.execute(f"DESCRIBE {_quote(name)}").fetchall()}
    for column, kind, *_ in con.execute(f"DESCRIBE {_quote(stage)}").fetchall():
        if column not in have:
            con.execute(f"ALTER TABLE {_quote(name)} ADD COLUMN {_quote(column)} {kind}")
    con.execute(f"DELETE FROM {_quote(name)} WHERE {_quote(key)} IN (SELECT {_quote(key)} FROM {_quote(stage)})")
    con.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM {_quote(stage)}")
    con.execute(f"DROP TABLE {_quote(stage)}")


def sync(
    client: Nitrosend,
    path: str | os.PathLike = DEFAULT_PATH,
    *,
    groups: Iterable[str] | None = None,
    lookback: timedelta = LOOKBACK,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Load ``groups`` (default: every list group of ``client``) into the DuckDB file at ``path``.

    Returns one row per group: ``mode`` (``full`` or ``incremental``), ``fetched`` (records fetched this time)
    and ``rows`` (records in the table now).
    """
    resources = client.groups()
    names = list(resources) if groups is None else list(groups)
    unknown = [name for name in names if name not in resources]
    if unknown:
        raise ValueError(f"unknown groups {unknown}; the client has {sorted(resources)}")
    import duckdb  # imported on first use: the client does not need it otherwise

    source = client.source
    started = datetime.now(timezone.utc)
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {META} (name VARCHAR PRIMARY KEY, source VARCHAR, "
            "mode VARCHAR, watermark TIMESTAMPTZ, synced_at TIMESTAMPTZ, rows BIGINT)"
        )
        _drop_stages(con)
        existing, marks = _tables(con), _watermarks(con, source)
        plan, swapping = [], False
        try:
            for name in names:
                resource, stage = resources[name], STAGE + name
                cursor = resource.incremental
                incremental = cursor is not None and name in existing and name in marks
                filters = {cursor.filter: marks[name] - lookback} if incremental else {}
                fetched = _stage(con, resource, stage, filters, progress)
                plan.append((name, stage, cursor, "incremental" if incremental else "full", fetched))
            summary = []
            con.execute("BEGIN TRANSACTION")
            swapping = True
            for name, stage, cursor, mode, fetched in plan:
                if mode == "incremental":
                    _merge(con, name, stage, resources[name].schema.index)
                else:
                    con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
                    con.execute(f"ALTER TABLE {_quote(stage)} RENAME TO {_quote(name)}")
                rows = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                mark = (
                    con.execute(f"SELECT max({_quote(cursor.cursor)}) FROM {_quote(name)}").fetchone()[0]
                    if cursor is not None
                    else None
                )
                con.execute(
                    f"INSERT OR REPLACE INTO {META} VALUES (?, ?, ?, ?, ?, ?)",
                    [name, source, mode, mark, started, rows],
                )
                summary.append({"group": name, "mode": mode, "fetched": fetched, "rows": rows})
            con.execute("COMMIT")
        except BaseException:
            if swapping:
                con.execute("ROLLBACK")
            _drop_stages(con)
            raise
    logger.info("synced %d groups into %s", len(summary), path)
    return pd.DataFrame(summary).set_index("group")


def sql(query: str, path: str | os.PathLike = DEFAULT_PATH, params: object = None) -> pd.DataFrame:
    """Run ``query`` (DuckDB SQL; ``?`` placeholders filled from ``params``) on the synced file at ``path``
    (opened read-only) and return the result as a DataFrame (timestamps in UTC)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no synced database at {path}: run ns.sync(path) first")
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")  # timestamps come back in UTC, as the frames have them
        return con.execute(query, params).df()
