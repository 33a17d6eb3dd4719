"""The two kinds of DataFrame every ``df()`` / ``frames()`` builds, chosen by ``dtype_backend=`` as in pandas'
readers: ``"numpy_nullable"`` (the default: :mod:`~nitrosend_nb.client.frames`) or ``"pyarrow"`` (every column an
``ArrowDtype``: :mod:`~nitrosend_nb.client.columnar`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa

from nitrosend_nb.client import columnar
from nitrosend_nb.client.frames import BATCH_ROWS, FrameSchema, concat_frames, frame_batches, to_frame

__all__ = [
    "DTYPE_BACKENDS",
    "DEFAULT_BACKEND",
    "checked_backend",
    "backend_of",
    "records_frame",
    "page_frames",
    "pages_frame",
    "table_frames",
    "tables_frame",
    "joined",
]

DTYPE_BACKENDS = ("numpy_nullable", "pyarrow")
DEFAULT_BACKEND = "numpy_nullable"


def checked_backend(dtype_backend: str) -> str:
    """``dtype_backend`` when it names a backend; ValueError listing the backends otherwise."""
    if dtype_backend not in DTYPE_BACKENDS:
        raise ValueError(f"dtype_backend must be one of {', '.join(map(repr, DTYPE_BACKENDS))}, got {dtype_backend!r}")
    return dtype_backend


def backend_of(frame: pd.DataFrame) -> str:
    """The backend that built ``frame``: ``"pyarrow"`` when its columns are ``ArrowDtype``\\ s."""
    dtypes = [*frame.dtypes, frame.index.dtype]
    return "pyarrow" if any(isinstance(dtype, pd.ArrowDtype) for dtype in dtypes) else DEFAULT_BACKEND


def records_frame(records: list[dict], schema: FrameSchema, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
    """API records as one frame of the schema's columns."""
    if checked_backend(dtype_backend) == "pyarrow":
        return columnar.arrow_frame(columnar.to_table(records, schema, infer=True), schema)
    return to_frame(records, schema)


def table_frames(tables: Iterable[pa.Table], schema: FrameSchema) -> Iterator[pd.DataFrame]:
    """Arrow tables of a group's records (``pyarrow`` frames' columns) as ``pyarrow`` frames, one each."""
    for table in tables:
        yield columnar.arrow_frame(table, schema)


def tables_frame(tables: Iterable[pa.Table], schema: FrameSchema) -> pd.DataFrame:
    """Arrow tables of a group's records as one ``pyarrow`` frame (joined as tables, made a DataFrame once)."""
    return columnar.arrow_frame(columnar.concat_tables(list(tables), schema), schema)


def page_frames(
    pages: Iterable[list[dict]], schema: FrameSchema, rows: int = BATCH_ROWS, dtype_backend: str = DEFAULT_BACKEND
) -> Iterator[pd.DataFrame]:
    """Typed frames of about ``rows`` records each, converted as pages arrive."""
    if checked_backend(dtype_backend) == "pyarrow":
        yield from table_frames(columnar.table_batches(pages, schema, rows, infer=True), schema)
    else:
        yield from frame_batches(pages, schema, rows)


def joined(frames: Sequence[pd.DataFrame], schema: FrameSchema, dtype_backend: str = DEFAULT_BACKEND) -> pd.DataFrame:
    """Batches from :func:`page_frames` as one frame, equal to :func:`records_frame` of all their records."""
    if checked_backend(dtype_backend) == "pyarrow":
        return columnar.concat_arrow_frames(frames, schema)
    return concat_frames(list(frames), schema)


def pages_frame(
    pages: Iterable[list[dict]], schema: FrameSchema, rows: int = BATCH_ROWS, dtype_backend: str = DEFAULT_BACKEND
) -> pd.DataFrame:
    """Every record of ``pages`` as one frame, converted batch by batch as pages arrive (Arrow batches are joined
    as tables and made a DataFrame once)."""
    if checked_backend(dtype_backend) == "pyarrow":
        return tables_frame(columnar.table_batches(pages, schema, rows, infer=True), schema)
    return concat_frames(list(frame_batches(pages, schema, rows)), schema)
