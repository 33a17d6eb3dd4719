"""Columnar export: a group's Arrow tables (``Resource.tables``) kept to one schema and streamed into a Parquet
file.

The schema is the ``pyarrow`` frames' (:func:`~nitrosend_nb.client.columnar.arrow_schema`): ``id`` first, ids and
counts ``int64``, booleans ``bool``, timestamps ``timestamp[us, UTC]``, text and enums ``string``, list fields and
records as Parquet lists and structs (``list_ids``, ``channels``, ``dns_records``), free-form objects (``data``,
``design``...) and fields the schema does not know as JSON (Parquet's JSON type, DuckDB's JSON). The columns of
the first batch fix the file's schema: a field first seen in a later batch is dropped with a warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nitrosend_nb.client.columnar import arrow_schema
from nitrosend_nb.client.frames import FrameSchema

__all__ = ["one_schema", "write_parquet"]

logger = logging.getLogger("nitrosend_nb")


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the columns of ``schema`` (absent ones null)."""
    arrays = []
    for field in schema:
        if field.name not in table.column_names:
            arrays.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        try:
            arrays.append(column if column.type == field.type else column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"column {field.name!r} does not fit {field.type} ({exc})") from exc
    return pa.Table.from_arrays(arrays, schema=schema)


def one_schema(tables: Iterable[pa.Table], schema: FrameSchema) -> Iterator[pa.Table]:
    """Tables of one schema: the first table's (the group's declared schema when there is none, as one empty
    table); later fields the first did not have are dropped with a warning."""
    fixed: pa.Schema | None = None
    for table in tables:
        if fixed is None:
            fixed = table.schema
        dropped = [name for name in table.column_names if name not in fixed.names]
        if dropped:
            logger.warning("fields %s first appeared after the first batch and are not exported", dropped)
        yield _conformed(table, fixed)
    if fixed is None:
        declared = arrow_schema(schema)
        yield pa.Table.from_arrays([pa.nulls(0, field.type) for field in declared], schema=declared)


def write_parquet(tables: Iterable[pa.Table], path: str | os.PathLike, schema: FrameSchema, *, label: str = "") -> Path:
    """Write a group's tables into one Parquet file at ``path``, batch by batch (flat memory).

    The file is written beside ``path`` and renamed into place when complete, so an interrupted export never
    leaves a truncated file (or replaces a good one).
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    writer: pq.ParquetWriter | None = None
    try:
        for table in one_schema(tables, schema):
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema, compression="zstd")
            writer.write_table(table)
        writer.close()
        os.replace(partial, target)
    except BaseException:
        if writer is not None:
            writer.close()
        partial.unlink(missing_ok=True)
        raise
    logger.info("exported %s to %s", label or schema.index, target)
    return target
