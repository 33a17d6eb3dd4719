"""Columnar export: typed frame batches as Arrow tables with one fixed schema, streamed into a Parquet file.

The Arrow schema follows the group's :class:`~nitrosend_nb.client.frames.FrameSchema`: ``id`` first, ids and
counts ``int64``, booleans ``bool``, timestamps ``timestamp[us, UTC]``, text and enums ``string``, and list or
object fields (declared ``object`` columns and fields the schema does not know) as JSON text, which DuckDB's
JSON functions read (``list_ids->>0``). The columns of the first batch fix the schema: a field first seen in a
later batch is dropped with a warning (a file has one schema). The file's metadata names the JSON columns.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nitrosend_nb.client.frames import BOOL, FLOAT, INT, TEXT, TIME, FrameSchema

__all__ = ["arrow_schema", "to_arrow", "arrow_batches", "write_parquet", "JSON_COLUMNS_KEY"]

logger = logging.getLogger("nitrosend_nb")

JSON_COLUMNS_KEY = b"nitrosend.json_columns"  #: schema metadata: the columns holding JSON text
_TYPES = {INT: pa.int64(), BOOL: pa.bool_(), TEXT: pa.string(), TIME: pa.timestamp("us", tz="UTC"), FLOAT: pa.float64()}


def arrow_schema(schema: FrameSchema, extra: Iterable[str] = ()) -> pa.Schema:
    """The Arrow schema of ``schema``'s frames (index first), with ``extra`` unknown fields as JSON text."""
    columns = {schema.index: schema.columns[schema.index], **schema.columns}
    for name in extra:
        columns.setdefault(name, object)
    fields, json_columns = [], []
    for column, dtype in columns.items():
        if isinstance(dtype, pd.CategoricalDtype):
            arrow_type = pa.string()
        else:
            arrow_type = _TYPES.get(dtype, pa.string())
            if column not in schema.columns or dtype not in _TYPES:
                json_columns.append(column)
        fields.append(pa.field(column, arrow_type))
    return pa.schema(fields, metadata={JSON_COLUMNS_KEY: orjson.dumps(json_columns)})


def _json_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """One typed frame as an Arrow table of exactly ``schema`` (absent columns null)."""
    frame = frame.reset_index()
    json_columns = set(orjson.loads(schema.metadata[JSON_COLUMNS_KEY]))
    arrays = []
    for field in schema:
        if field.name not in frame:
            arrays.append(pa.nulls(len(frame), field.type))
        elif field.name in json_columns:
            arrays.append(pa.array([_json_text(value) for value in frame[field.name]], type=pa.string()))
        else:
            try:
                arrays.append(pa.array(frame[field.name], from_pandas=True).cast(field.type, safe=False))
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                raise ValueError(f"column {field.name!r} does not fit {field.type} ({exc})") from exc
    return pa.Table.from_arrays(arrays, schema=schema)


def arrow_batches(frames: Iterable[pd.DataFrame], schema: FrameSchema) -> Iterator[pa.Table]:
    """Arrow tables of one schema from typed frame batches: the first table (an empty one when there are no
    frames) fixes the columns; later unknown fields are dropped with a warning."""
    arrow: pa.Schema | None = None
    for frame in frames:
        if arrow is None:
            arrow = arrow_schema(schema, [c for c in frame.columns if c not in schema.columns])
            names = set(arrow.names)
        dropped = [column for column in frame.columns if column not in names]
        if dropped:
            logger.warning("fields %s first appeared after the first batch and are not exported", dropped)
        yield to_arrow(frame, arrow)
    if arrow is None:
        yield arrow_schema(schema).empty_table()


def write_parquet(
    frames: Iterable[pd.DataFrame], path: str | os.PathLike, schema: FrameSchema, *, label: str = ""
) -> Path:
    """Write typed frame batches into one Parquet file at ``path``, batch by batch (flat memory).

    The file is written beside ``path`` and renamed into place when complete, so an interrupted export never
    leaves a truncated file (or replaces a good one).
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    writer: pq.ParquetWriter | None = None
    try:
        for table in arrow_batches(frames, schema):
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
