"""Arrow-backed frames (``dtype_backend="pyarrow"``) and the Arrow tables exports write, built from the
declarations of :mod:`~nitrosend_nb.client.frames` (the one source of truth: each group's Arrow schema is derived
from its :class:`~nitrosend_nb.client.frames.FrameSchema`, see :func:`arrow_schema`).

Types: ids and counts ``int64``, booleans ``bool``, numbers ``double``, timestamps ``timestamp[us, UTC]`` (years
1-9999: the ``numpy_nullable`` frames' nanoseconds stop at 1677-2262), text and enums ``string`` (a value a newer
API adds is kept as it is), :class:`~nitrosend_nb.client.frames.ListOf` a ``list<...>``,
:class:`~nitrosend_nb.client.frames.Record` a ``struct<...>`` of its fields, free-form values
(:data:`~nitrosend_nb.client.frames.JSON`) their JSON text, a ``string`` (DuckDB's ``->>`` reads it; pyarrow's
``arrow.json`` extension type would name it so, but pandas cannot sort, group, ``shift`` or take ``.list[0]`` of
columns that hold it). Flattened objects and the derived e-mail and phone columns are the same columns as in
``numpy_nullable`` frames. Fields the declarations do not know (a newer API, a contact's custom ``data`` keys)
come after the declared columns: in frames typed as pyarrow infers them (JSON text where their values are nested
or have no one type), in tables for files always JSON text, so a file keeps one schema whatever a later batch holds.

How it is fast (measured in ``benchmarks/fetch.py`` against the bare orjson -> ``pyarrow.array`` path, the
"ceiling" of converting decoded records): ``df()`` and ``frames()`` read a list's page bodies with Arrow's JSON
reader (:func:`body_batches`), about 20 bodies (2,000 records) per read, each body a JSON array wrapped as one
line, against the group's declared types (timestamps parsed as it reads) with the undeclared fields inferred; no
Python object is made per record: 1.33x the ceiling's rows per CPU second over 100,000 contacts, and a peak of
1.39x the frame's ``nbytes`` (the records as dicts: 0.86-0.88x, 1.41x). Where the reader would give other values
than the dicts (text that looks like a time in an undeclared field, which it reads as a timestamp; an undeclared
list or object; a free-form value that is not an empty object; a declared type the value does not fit; a group
with free-form columns; a body on several lines), the batch's bodies are decoded by orjson and converted as dicts,
with a debug log line saying why. The dict path (also :func:`to_table` and the tables for files): each batch of
records (about 2,000) is converted by ONE ``pyarrow.array(records, type=...)`` call against the group's
struct type, so Arrow's C++ conversion walks the dicts (keys outside the struct are ignored). Python touches the
records only for what Arrow cannot see or type, page by page while a page is still in the CPU cache: each
record (and each flattened object) has its keys counted (``map(len, page)``), and the values of fields the
declarations do not know, and free-form columns (JSON text by orjson), are pulled out. No key is lost: after the
conversion, a record with as many keys as fields holding a value (Arrow's not null, Python's not None) has none
other, and only the records with more (a key holding null, or one nobody declared) have their keys looked at in
Python. The undeclared fields a batch finds are carried to the next: one found to hold only text (or only
booleans), types ``pyarrow.array`` converts exactly (refusing anything else), is converted inside the next
batch's struct, the others are pulled out of each of its pages; a batch where a learned type does not fit has it
pulled out after all, and a carried field no record of a batch has is left out of its table.
A free-form value inside a list or record (a channel's ``data``) crosses as a string map: when every one is empty,
the usual case, its JSON text is ``{}`` without a visit from Python. The timestamps of a column are parsed by one
cast wherever they are nested. A batch Arrow refuses as a whole (type drift from a newer API) is converted column
by column with the ``numpy_nullable`` backend's coercions; a column that still does not fit becomes JSON text,
with a warning.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, reduce
from itertools import chain, islice, repeat
from operator import is_, itemgetter

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from nitrosend_nb.client.defaults import PAGE_SIZE
from nitrosend_nb.client.frames import (
    BATCH_ROWS,
    BOOL,
    FLOAT,
    INT,
    TEXT,
    TIME,
    FirstOf,
    FrameSchema,
    Json,
    ListOf,
    Record,
    derived_values,
    numpy_dtype,
    record_columns,
)

__all__ = [
    "TIMESTAMP",
    "JSON_TYPE",
    "arrow_type",
    "wire_type",
    "arrow_schema",
    "to_table",
    "table_batches",
    "concat_tables",
    "arrow_frame",
    "concat_arrow_frames",
    "from_numpy_frame",
]

logger = logging.getLogger("nitrosend_nb")

TIMESTAMP = pa.timestamp("us", tz="UTC")
JSON_TYPE = pa.string()  #: free-form values: their JSON text
_SCALARS = {INT: pa.int64(), BOOL: pa.bool_(), TEXT: pa.string(), FLOAT: pa.float64(), TIME: TIMESTAMP}
_STRING_MAP = pa.map_(pa.string(), pa.string())  # how a free-form value inside a list crosses pyarrow.array
_REFUSALS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError, OverflowError)
_EMPTY_OBJECT = pa.scalar("{}", pa.string())
#: Where the conversions allocate: the C library's allocator returns a freed large buffer to the system, so the
#: transient arrays of each batch (the timestamps' text, the wire struct) do not stay resident the way pyarrow's
#: default mimalloc pool keeps them: peak RSS of ``df(dtype_backend="pyarrow")`` over 100,000 contacts
#: 113 -> 80 MB over the baseline, for the same CPU (benchmarks/fetch.py).
_POOL = pa.system_memory_pool()


@cache  # a pure function of a declaration, asked for every column of every batch (11 us a batch of contacts)
def arrow_type(declared: object) -> pa.DataType:
    """The Arrow type of a declared column (or field) in ``pyarrow`` frames, tables and files."""
    if isinstance(declared, pd.CategoricalDtype):
        return pa.string()
    if isinstance(declared, ListOf):
        return pa.list_(arrow_type(declared.item))
    if isinstance(declared, Record):
        return pa.struct([(name, arrow_type(item)) for name, item in declared.fields])
    if isinstance(declared, Json):
        return JSON_TYPE
    return _SCALARS[declared]


def _wire_type(declared: object, nested: bool = False) -> pa.DataType | None:
    """The type ``pyarrow.array`` converts a declared JSON value to: timestamps as their text, free-form values
    inside lists and records as string maps; None for a free-form column (Python converts it)."""
    if isinstance(declared, Json):
        return _STRING_MAP if nested else None
    if isinstance(declared, ListOf):
        return pa.list_(_wire_type(declared.item, nested=True))
    if isinstance(declared, Record):
        return pa.struct([(name, _wire_type(item, nested=True)) for name, item in declared.fields])
    if isinstance(declared, str) and declared == TIME:
        return pa.string()
    return arrow_type(declared)


@cache
def _holds_json(declared: object) -> bool:
    """Whether a declaration is, or holds, a free-form value."""
    if isinstance(declared, ListOf):
        return _holds_json(declared.item)
    if isinstance(declared, Record):
        return any(_holds_json(item) for _, item in declared.fields)
    return isinstance(declared, Json)


@dataclass(frozen=True)
class _Layout:
    """Where each declared column of a group comes from, derived once from its FrameSchema."""

    schema: FrameSchema
    paths: dict[str, tuple[str, ...]]  #: declared column -> its key path in a record (derived columns aside)
    tree: dict  #: the struct pyarrow.array converts, as nested dicts of key -> type (the others are pulled out)
    wire: pa.StructType  #: that struct
    pulled: dict[str, tuple[str, ...]]  #: declared columns Python pulls out of each page, by key path
    top: frozenset[str]  #: the top-level keys the declarations cover
    parents: dict[tuple[str, ...], frozenset[str]]  #: flattened objects' key paths -> the keys declared in them
    derived: frozenset[str]  #: columns the schema derives (used only where the API does not send them)
    arrow: pa.Schema  #: the frame's declared columns (index first) as Arrow fields

    def declared(self) -> Iterator[tuple[str, object]]:
        """The declared columns (index first) with their declarations."""
        schema = self.schema
        yield schema.index, schema.columns[schema.index]
        for name, declared in schema.columns.items():
            if name != schema.index:
                yield name, declared


def _path(name: str, parents: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A column's key path: its longest flattened parent's path, then the rest of its name."""
    for parent in sorted(parents, key=len, reverse=True):
        if name.startswith(parent + "."):
            return (*parents[parent], name[len(parent) + 1 :])
    return (name,)


@cache
def _layout(schema: FrameSchema) -> _Layout:
    parents: dict[str, tuple[str, ...]] = {}
    for parent in schema.flatten:
        parents[parent] = _path(parent, parents)
    derived = frozenset(_derived_columns(schema.derive)) if schema.derive else frozenset()
    columns = {schema.index: schema.columns[schema.index], **schema.columns}
    paths = {name: _path(name, parents) for name in columns if name not in derived}
    tree = _tree(paths, columns, _wire_type)
    pulled = {name: path for name, path in paths.items() if _wire_type(columns[name]) is None}
    known = {path: set() for path in parents.values()}
    for path in [*paths.values(), *parents.values()]:
        if len(path) > 1:
            known[path[:-1]].add(path[-1])
    return _Layout(
        schema=schema,
        paths=paths,
        tree=tree,
        wire=_struct(tree),
        pulled=pulled,
        top=frozenset(path[0] for path in [*paths.values(), *parents.values()]),
        parents={path: frozenset(keys) for path, keys in known.items()},
        derived=derived,
        arrow=pa.schema([(name, arrow_type(declared)) for name, declared in columns.items()]),
    )


def _tree(
    paths: Mapping[str, tuple[str, ...]], columns: Mapping[str, object], kind: Callable[[object], pa.DataType | None]
) -> dict:
    """The nested dicts of key -> type of a struct holding each column at its key path, typed by ``kind`` (columns
    it gives no type left out)."""
    tree: dict = {}
    for name, path in paths.items():
        typed = kind(columns[name])
        if typed is not None:
            node = tree
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = typed
    return tree


def _struct(tree: Mapping) -> pa.StructType:
    return pa.struct([(key, _struct(node) if isinstance(node, dict) else node) for key, node in tree.items()])


def _derived_columns(spec: FirstOf) -> list[str]:
    return [name for kind in spec.kinds for name in spec.outputs(kind)]


def wire_type(schema: FrameSchema) -> pa.StructType:
    """The struct type one ``pyarrow.array`` call converts a group's records to (timestamps as their text,
    free-form values in lists and records as string maps; free-form columns and derived ones left out)."""
    return _layout(schema).wire


def arrow_schema(schema: FrameSchema, extra: Iterable[str] = ()) -> pa.Schema:
    """The group's Arrow schema: the index, every declared column, then ``extra`` undeclared fields as JSON text."""
    declared = _layout(schema).arrow
    return pa.schema([*declared, *(pa.field(name, JSON_TYPE) for name in extra if name not in declared.names)])


# -- values Python converts ---------------------------------------------------------------------------------------
def _json_text(value: object) -> bytes | None:
    """A value as JSON text (None for null); what orjson cannot encode is written as its ``str``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)


def _json_array(values: Sequence) -> pa.Array:
    """Values as their JSON text."""
    return pa.array(list(map(_json_text, values)), type=JSON_TYPE, memory_pool=_POOL)


def _inferred(values: Sequence) -> pa.Array:
    """An undeclared field's values typed as pyarrow infers them (text, booleans, integers, numbers); JSON text
    when they are nested (lists, objects) or have no one type."""
    try:
        array = pa.array(values, memory_pool=_POOL)
    except _REFUSALS:
        return _json_array(values)
    return _json_array(values) if pa.types.is_nested(array.type) else array


def _times(values: Sequence, column: str) -> pa.Array:
    """Timestamps from text Arrow's ISO 8601 cast refused (no zone: read as UTC; anything else: pandas' ISO 8601
    parser), null with a warning where a value is not a timestamp."""
    series = pd.Series(values, dtype=object)
    parsed = pd.to_datetime(series, utc=True, format="ISO8601", errors="coerce")
    lost = series[parsed.isna() & series.notna()]
    if len(lost):
        logger.warning(
            "column %r: %d value(s) are not timestamps and are null, e.g. %r", column, len(lost), lost.iloc[0]
        )
    return pa.array(parsed.astype("datetime64[us, UTC]"), from_pandas=True, memory_pool=_POOL)


def _coerced(values: Sequence, declared: object, column: str) -> pa.Array | None:
    """Scalar values Arrow refused, coerced as the ``numpy_nullable`` backend coerces them (numbers as text,
    ``"5"`` as a count...); None when that fails too (or the column is a list or object)."""
    if isinstance(declared, str) and declared == TIME:
        return _times(values, column)
    if isinstance(declared, (ListOf, Record, Json)):
        return None
    try:
        series = pd.Series(values, dtype=object).astype(numpy_dtype(declared))
        return pa.array(series, from_pandas=True, memory_pool=_POOL).cast(arrow_type(declared), memory_pool=_POOL)
    except _REFUSALS:
        return None


def _values(values: Sequence, declared: object, column: str) -> pa.Array:
    """Python values (as JSON decodes them) as the declared Arrow type; raises what Arrow refuses."""
    if isinstance(declared, Json):
        return _json_array(values)
    try:
        return _finished(pa.array(values, type=_wire_type(declared), memory_pool=_POOL), declared, column)
    except _REFUSALS:
        if not _holds_json(declared):
            raise
    # a list or record holding free-form values that are not string maps: built from its parts
    mask = pa.array([value is None for value in values], type=pa.bool_())
    if isinstance(declared, ListOf):
        if not all(value is None or type(value) is list for value in values):
            raise TypeError(f"{column}: not every value is a list")
        lengths = np.fromiter((0 if value is None else len(value) for value in values), np.int32, len(values))
        items = _part(list(chain.from_iterable(filter(None, values))), declared.item, column)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths, dtype=np.int32)]))
        return pa.ListArray.from_arrays(offsets, items, type=arrow_type(declared), mask=mask)
    if not all(value is None or type(value) is dict for value in values):
        raise TypeError(f"{column}: not every value is an object")
    children = [
        _part([None if value is None else value.get(name) for value in values], item, f"{column}.{name}")
        for name, item in declared.fields
    ]
    return pa.StructArray.from_arrays(children, fields=list(arrow_type(declared)), mask=mask)


def _part(values: Sequence, declared: object, column: str) -> pa.Array:
    """The values of one field of a list or record column, coerced like a column's when Arrow refuses them."""
    try:
        return _values(values, declared, column)
    except _REFUSALS:
        coerced = _coerced(values, declared, column)
        if coerced is None:
            raise
        return coerced


def arrow_column(values: Sequence, declared: object, column: str) -> pa.Array:
    """Python values as the declared column's Arrow type, coerced like the ``numpy_nullable`` backend when Arrow
    refuses them; JSON text with a warning when even that fails (type drift: the data is kept)."""
    try:
        return _values(values, declared, column)
    except _REFUSALS:
        pass
    coerced = _coerced(values, declared, column)
    if coerced is not None:
        return coerced
    logger.warning("column %r kept as JSON text: its values do not fit %s", column, arrow_type(declared))
    return _json_array(values)


def _finished(array: pa.Array, declared: object, column: str) -> pa.Array:
    """An array ``pyarrow.array`` converted at the wire type as the declared type: free-form values in lists and
    records (string maps) as JSON text, then timestamps parsed wherever they are, by one cast."""
    target = arrow_type(declared)
    if array.type != target and _holds_json(declared):
        array = _jsonified(array, declared)
    if array.type == target:
        return array
    try:
        return array.cast(target, memory_pool=_POOL)
    except _REFUSALS:  # a timestamp Arrow's ISO 8601 cast refuses somewhere: parsed part by part
        return _parsed(array, declared, column)


def _jsonified(array: pa.Array, declared: object) -> pa.Array:
    """``array`` with its string maps (free-form values) as JSON text: ``{}`` when every one is empty (no visit
    from Python), else each map's entries as an object."""
    if isinstance(declared, Json):
        offsets = array.offsets
        if offsets[-1].as_py() == offsets[0].as_py():
            return pc.if_else(array.is_valid(), _EMPTY_OBJECT, pa.scalar(None, JSON_TYPE), memory_pool=_POOL)
        return pa.array([None if v is None else _json_text(dict(v)) for v in array.to_pylist()], JSON_TYPE)
    mask = array.is_null() if array.null_count else None
    if isinstance(declared, ListOf):
        return pa.ListArray.from_arrays(array.offsets, _jsonified(array.values, declared.item), mask=mask)
    children = [
        _jsonified(array.field(index), item) if _holds_json(item) else array.field(index)
        for index, (_, item) in enumerate(declared.fields)
    ]
    return pa.StructArray.from_arrays(children, names=[name for name, _ in declared.fields], mask=mask)


def _parsed(array: pa.Array, declared: object, column: str) -> pa.Array:
    """:func:`_finished` part by part, timestamps Arrow refuses parsed by :func:`_times`."""
    target = arrow_type(declared)
    if array.type == target:
        return array
    mask = array.is_null() if array.null_count else None
    if isinstance(declared, ListOf):
        values = _parsed(array.values, declared.item, column)
        return pa.ListArray.from_arrays(array.offsets, values, type=target, mask=mask)
    if isinstance(declared, Record):
        children = [
            _parsed(array.field(index), item, f"{column}.{name}") for index, (name, item) in enumerate(declared.fields)
        ]
        return pa.StructArray.from_arrays(children, fields=list(target), mask=mask)
    try:
        return pc.cast(array, TIMESTAMP, memory_pool=_POOL)
    except _REFUSALS:
        return _times(array.to_pylist(), column)


# -- one batch of records -----------------------------------------------------------------------------------------
def _pluck(records: Sequence, path: tuple[str, ...]) -> list:
    """The value at ``path`` of each record (None where a key is missing or a value on the way is not a dict)."""
    values = list(records) if not path else records
    for key in path:
        try:
            values = list(map(itemgetter(key), values))
        except (KeyError, TypeError):
            values = [value.get(key) if type(value) is dict else None for value in values]
    return values


def _ordered_new(dicts: Iterable[dict], known: Iterable[str]) -> list[str]:
    """The keys of ``dicts`` not in ``known``, in order of first appearance."""
    known = set(known)
    return [key for key in dict.fromkeys(chain.from_iterable(dicts)) if key not in known]


def _dicts_at(records: Sequence[dict], path: tuple[str, ...]) -> list[dict]:
    """The objects at ``path`` of each record (``{}`` where there is none)."""
    values = _pluck(records, path) if path else records
    return values if set(map(type, values)) <= {dict} else [value if type(value) is dict else {} for value in values]


#: Types ``pyarrow.array`` converts exactly (it refuses any other value): an undeclared field one batch inferred
#: as one of them is converted with the next batch's struct instead of being pulled out in Python.
_EXACT = (pa.string(), pa.bool_())


@dataclass
class _Batch:
    """Records gathered page by page into one Arrow table (see the module's notes on speed)."""

    layout: _Layout
    infer: bool  #: undeclared fields typed by inference (frames) or JSON text (tables for files)
    #: undeclared fields earlier batches met, by parent path: key -> the type the struct converts it at (see
    #: :data:`_EXACT`), or None: its values are pulled out of each page in Python
    carried: dict[tuple[str, ...], dict[str, pa.DataType | None]] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    pulled: dict[str, list] = field(default_factory=dict)
    #: undeclared fields: parent path -> key -> values (None: converted in the struct, at its learned type)
    extra: dict[tuple[str, ...], dict[str, list | None]] = field(default_factory=dict)
    #: how many keys the records have in all (and their flattened objects), by parent path
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pulled = {name: [] for name in self.layout.pulled}
        paths = [(), *self.layout.parents]
        self.extra = {
            path: {key: None if kind is not None else [] for key, kind in self.carried.get(path, {}).items()}
            for path in paths
        }
        self.keys = dict.fromkeys(paths, 0)

    def add(self, page: list[dict]) -> None:
        """Take one page of records: count their keys, pull out what Arrow does not convert."""
        self.records.extend(page)
        self._take((), page)
        for path in self.layout.parents:
            self._take(path, _pluck(page, path))
        for name, path in self.layout.pulled.items():
            self.pulled[name].extend(_pluck(page, path))

    def _take(self, path: tuple[str, ...], objects: list) -> None:
        """Count the keys of ``objects`` (the values at ``path`` of one page's records: objects, or null where a
        record has none) and pull out the values of the undeclared fields pulled so far (None where there is
        none). Each a ``map`` over the page, while it is in the CPU cache."""
        try:
            self.keys[path] += sum(map(len, objects))
        except TypeError:  # a null (or a number) where an object was expected: no keys
            objects = [value if type(value) is dict else {} for value in objects]
            self.keys[path] += sum(map(len, objects))
        for key, values in self.extra[path].items():
            if values is not None:
                try:
                    values.extend(map(itemgetter(key), objects))
                except (KeyError, TypeError):  # not in every object: None where it is not
                    del values[len(self.records) - len(objects) :]
                    values.extend(_pluck(objects, (key,)))

    def _unsure(self, path: tuple[str, ...], wired: pa.StructArray | None, here: Mapping[str, pa.Array]) -> list[int]:
        """The rows whose object at ``path`` may hold a key the batch does not know. An object has at least as
        many keys as fields holding a value (Arrow's not null, Python's not None): when the objects with every
        field holding one have as many keys in all as they have fields, none of them holds another key, and only
        the others (a field null or missing) are unsure; otherwise the rows with more keys than such fields. Every
        row when some known key is neither in the wire struct nor pulled out (or Arrow refused the batch)."""
        rows = len(self.records)
        if wired is None:
            return list(range(rows))
        for key in path:  # each level's nulls passed on to its fields
            index = wired.type.get_field_index(key)
            if index < 0:
                return list(range(rows))
            wired = wired.flatten(memory_pool=_POOL)[index] if wired.null_count else wired.field(index)
        lists = {where[-1]: self.pulled[name] for name, where in self.layout.pulled.items() if where[:-1] == path}
        outside = [array for key, array in here.items() if self.extra[path][key] is not None]  # pulled out
        known = self.layout.parents[path] if path else self.layout.top
        if set(wired.type.names).union(lists, self.extra[path]) != known | here.keys():
            return list(range(rows))
        fields = wired.type.num_fields + len(outside) + len(lists)
        absent = [  # per field holding no value (null or missing), whether each row's object lacks it
            *(
                array.is_null().to_numpy(zero_copy_only=False)
                for array in [*wired.flatten(memory_pool=_POOL), *outside]
                if array.null_count
            ),
            *(np.fromiter(map(is_, values, repeat(None)), np.bool_, rows) for values in lists.values()),
        ]
        short = np.flatnonzero(reduce(np.logical_or, absent)).tolist() if absent else []
        in_short = sum(map(len, _dicts_at(list(map(self.records.__getitem__, short)), path)))
        if self.keys[path] - in_short == (rows - len(short)) * fields:
            return short
        sizes = np.fromiter(map(len, _dicts_at(self.records, path)), np.int64, rows)
        return np.flatnonzero(sizes > fields - np.sum(absent, axis=0, dtype=np.int64)).tolist()

    def _undeclared_arrays(
        self, wired: pa.StructArray | None, leaves: Mapping[tuple[str, ...], pa.Array]
    ) -> dict[tuple[tuple[str, ...], str], pa.Array]:
        """The undeclared fields of the batch as arrays, by parent path and key: the carried ones its records
        have, then the keys they hold that nothing declared or carried covers, in order of first appearance
        (their values pulled out now). Only the objects :meth:`_unsure` names have their keys looked at in
        Python, not every object of every page (``set().union(*page)``): taking the pages and checking their keys
        cost 42 -> 26 ms of CPU per 100,000 contacts (benchmarks/fetch.py's)."""
        arrays = {}
        for path, found in self.extra.items():
            here = {
                key: leaves[(*path, key)] if values is None else self._typed(values) for key, values in found.items()
            }
            objects = _dicts_at(list(map(self.records.__getitem__, self._unsure(path, wired, here))), path)
            seen = set().union(*objects)
            for key, array in list(here.items()):
                if array.null_count == len(array) and key not in seen:  # carried, but in no record of this batch
                    del found[key], here[key]
            known = self.layout.parents[path] if path else self.layout.top
            if not seen <= known | found.keys():
                everywhere = _dicts_at(self.records, path)
                for key in _ordered_new(objects, known | found.keys()):
                    found[key] = _pluck(everywhere, (key,))
                    here[key] = self._typed(found[key])
            arrays.update(((path, key), array) for key, array in here.items())
        return arrays

    def _typed(self, values: list) -> pa.Array:
        """An undeclared field's values pulled out in Python, typed as the batch types them."""
        return _inferred(values) if self.infer else _json_array(values)

    def _wire(self) -> pa.StructType:
        """The layout's struct, with the undeclared fields of learned types carried from earlier batches."""
        learned = tuple(
            (path, kinds)
            for path, found in self.extra.items()
            if (kinds := tuple((key, self.carried[path][key]) for key, values in found.items() if values is None))
        )
        return _grafted_wire(self.layout.schema, learned) if learned else self.layout.wire

    def _pull_learned(self) -> None:
        """Pull the fields of learned types out in Python after all (a batch where one did not fit)."""
        for path, found in self.extra.items():
            for key, values in found.items():
                if values is None:
                    found[key] = _pluck(_dicts_at(self.records, path), (key,))

    def table(self) -> pa.Table:
        """The batch as one Arrow table: the index, declared columns, then undeclared fields."""
        layout = self.layout
        wire, wired = self._wire(), None
        for attempt in (wire, layout.wire) if wire is not layout.wire else (wire,):
            try:
                wired = pa.array(self.records, type=attempt, memory_pool=_POOL)
                break
            except _REFUSALS:
                self._pull_learned()
        leaves = {} if wired is None else dict(_leaves(wired, (), set(layout.parents)))
        undeclared = self._undeclared_arrays(wired, leaves)
        sent = {key for key in self.extra[()] if key in layout.derived}  # derived columns the API sent itself
        columns = self._column_wise() if wired is None else self._from_wire(leaves, sent)
        names = [*layout.arrow.names]
        arrays = [columns[name] for name in names]
        for (path, key), array in undeclared.items():
            if path or key not in layout.derived:
                names.append(".".join((*path, key)))
                arrays.append(array)
        return pa.Table.from_arrays(arrays, names=names)

    def next_carried(self, table: pa.Table) -> dict[tuple[str, ...], dict[str, pa.DataType | None]]:
        """What the next batch carries: this batch's undeclared fields, those of an exact type to be converted
        in its struct (when typed by inference), the others to be pulled out."""
        carried: dict[tuple[str, ...], dict[str, pa.DataType | None]] = {}
        for path, found in self.extra.items():
            prefix = ".".join(path) + "." if path else ""
            for key in found:
                kind = None
                if self.infer and (path or key not in self.layout.derived):
                    kind = table.schema.field(prefix + key).type
                carried.setdefault(path, {})[key] = kind if kind is not None and kind in _EXACT else None
        return carried

    def _from_wire(self, leaves: dict[tuple[str, ...], pa.Array], sent: set[str]) -> dict[str, pa.Array]:
        layout, schema = self.layout, self.layout.schema
        columns: dict[str, pa.Array] = {}
        for name, declared in layout.declared():
            if name in layout.derived:
                continue
            if name in layout.pulled:
                columns[name] = arrow_column(self.pulled[name], declared, name)
            else:
                columns[name] = _finished(leaves[layout.paths[name]], declared, name)
        if layout.derived:
            spec = schema.derive
            source = columns.get(spec.source)
            if source is not None and pa.types.is_list(source.type):
                columns.update(_first_of(spec, source, len(self.records)))
            else:
                values = {spec.source: source.to_pylist() if source is not None else None}
                for name, column in derived_values(spec, values, len(self.records)).items():
                    columns[name] = arrow_column(column, schema.columns[name], name)
            for name in sent:
                columns[name] = arrow_column(self.extra[()][name], schema.columns[name], name)
        return columns

    def _column_wise(self) -> dict[str, pa.Array]:
        """Every declared column converted on its own, from the records transposed as the ``numpy_nullable``
        backend does (for a batch Arrow refused as a whole)."""
        schema, rows = self.layout.schema, len(self.records)
        values = record_columns(self.records, schema.flatten)
        if schema.derive is not None and rows:
            for name, column in derived_values(schema.derive, values, rows).items():
                values.setdefault(name, column)
        missing = [None] * rows
        return {
            name: arrow_column(values.get(name, missing), declared, name) for name, declared in self.layout.declared()
        }


# A group's wire struct with the same few learned fields is asked for batch after batch: built once, not 50
# times per 100,000 contacts (2.6 -> 1.0 ms of CPU; benchmarks/fetch.py's pages, timed in the flow).
@lru_cache(maxsize=64)
def _grafted_wire(
    schema: FrameSchema, learned: tuple[tuple[tuple[str, ...], tuple[tuple[str, pa.DataType], ...]], ...]
) -> pa.StructType:
    """A group's wire struct with the undeclared fields of learned types (key and type, by parent path) added."""
    tree = _layout(schema).tree
    for path, kinds in learned:
        tree = _grafted(tree, path, dict(kinds))
    return _struct(tree)


def _grafted(tree: Mapping, path: tuple[str, ...], kinds: Mapping[str, pa.DataType]) -> dict:
    """A copy of a struct tree with ``kinds`` added to the node at ``path``."""
    tree = dict(tree)
    if path:
        tree[path[0]] = _grafted(tree[path[0]], path[1:], kinds)
    else:
        tree.update(kinds)
    return tree


def _leaves(array: pa.StructArray, path: tuple[str, ...], parents: set) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    """The wire array's columns by key path, flattened objects opened (a null object nulls its columns)."""
    for item, child in zip(array.type, array.flatten(), strict=True):
        here = (*path, item.name)
        if here in parents:
            yield from _leaves(child, here, parents)
        else:
            yield here, child


@cache
def _kinds(spec: FirstOf) -> pa.Array:
    return pa.array(spec.kinds, pa.string())


def _first_of(spec: FirstOf, lists: pa.ListArray, rows: int) -> dict[str, pa.Array]:
    """The columns of ``spec`` from a list<struct> column: for each kind, the first record of that kind per row
    (the records in order with the row each belongs to, which ascends, so a row's first record of a kind is
    where the row changes), their fields taken in one ``take``. The records of the lists that are not null and
    their rows come from ``list_flatten`` and ``list_parent_indices``, the kinds are coded in one ``index_in``
    pass and every kind's fields taken at once from a record batch of the struct's flattened children: 34 -> 26 ms
    of CPU per 100,000 contacts (0.45 -> 0.30 ms per batch of 2,000 on its own)."""
    items = lists.flatten()
    owners = pc.list_parent_indices(lists, memory_pool=_POOL).to_numpy()
    children = dict(zip(items.type.names, items.flatten(memory_pool=_POOL), strict=True))
    codes = pc.index_in(children[spec.key], value_set=_kinds(spec), memory_pool=_POOL).fill_null(-1).to_numpy()
    picked = np.full((len(spec.kinds), rows), -1, dtype=np.int64)
    for code, row in enumerate(picked):
        hits = np.flatnonzero(codes == code)
        mine = owners[hits]
        first = np.ones(len(hits), dtype=bool)
        first[1:] = mine[1:] != mine[:-1]
        row[mine[first]] = hits[first]
    picked = picked.ravel()
    sources = (spec.value, *spec.fields)
    fields = pa.RecordBatch.from_arrays([children[name] for name in sources], names=list(sources))
    # indices made here into this batch's items, so in bounds: not checked again (the take of a batch of 2,000
    # contacts: 106 -> 80 us on its own)
    indices = pa.array(picked, mask=picked < 0, memory_pool=_POOL)
    chosen = pc.take(fields, indices, boundscheck=False, memory_pool=_POOL)
    derived = {}
    for code, kind in enumerate(spec.kinds):
        derived.update(zip(spec.outputs(kind), chosen.slice(code * rows, rows).columns, strict=True))
    return derived


def to_table(records: list[dict], schema: FrameSchema, *, infer: bool = False) -> pa.Table:
    """API records as one Arrow table of the group's schema (index first; undeclared fields after, JSON text
    unless ``infer``)."""
    batch = _Batch(_layout(schema), infer)
    if records:
        batch.add(records)
    return batch.table() if records else _empty(schema)


def _empty(schema: FrameSchema) -> pa.Table:
    arrow = _layout(schema).arrow
    return pa.Table.from_arrays([pa.nulls(0, field.type) for field in arrow], schema=arrow)


def table_batches(
    pages: Iterable[list[dict]], schema: FrameSchema, rows: int = BATCH_ROWS, *, infer: bool = False
) -> Iterator[pa.Table]:
    """Arrow tables of about ``rows`` records each, converted as pages arrive (one batch of records held as
    Python dicts at a time); none when there are no records."""
    layout = _layout(schema)
    batch = _Batch(layout, infer)
    for page in pages:
        if not page:
            continue
        batch.add(page)
        if len(batch.records) >= rows:
            table = batch.table()
            batch = _Batch(layout, infer, batch.next_carried(table))
            yield table
    if batch.records:
        yield batch.table()


# -- batches read from page bodies --------------------------------------------------------------------------------
class _Unreadable(Exception):
    """A batch Arrow's JSON reader cannot give the values the dict path gives (its records go that way instead)."""


def _reader_type(declared: object) -> pa.DataType | None:
    """The type Arrow's JSON reader is told a declared field has: the frame's own (timestamps parsed as it reads);
    None for free-form values, left to its inference (see :func:`_settled`)."""
    if isinstance(declared, Json):
        return None
    if isinstance(declared, ListOf):
        item = _reader_type(declared.item)
        return None if item is None else pa.list_(item)
    if isinstance(declared, Record):
        return pa.struct([(name, kind) for name, item in declared.fields if (kind := _reader_type(item)) is not None])
    return arrow_type(declared)


@cache
def _reader_options(schema: FrameSchema) -> pajson.ParseOptions:
    """How a group's page bodies are read: each body (a JSON array) as the list ``r`` of its records, the declared
    fields at their types, the others inferred (undeclared fields, free-form values)."""
    record = _struct(_tree(_layout(schema).paths, schema.columns, _reader_type))
    return pajson.ParseOptions(explicit_schema=pa.schema([("r", pa.list_(record))]), unexpected_field_behavior="infer")


def _settled(array: pa.Array, declared: object) -> pa.Array:
    """A declared field as the JSON reader gave it, as the dict path gives it: fields nobody declared inside lists
    and records dropped (``pyarrow.array`` ignores them), free-form values ``{}`` where they are empty objects;
    _Unreadable when one holds anything else (its JSON text needs the dict path)."""
    target = arrow_type(declared)
    if array.type == target:
        return array
    mask = array.is_null() if array.null_count else None
    if isinstance(declared, Json):
        if pa.types.is_null(array.type):
            return pa.nulls(len(array), JSON_TYPE)
        if pa.types.is_struct(array.type) and array.type.num_fields == 0:
            return pc.if_else(array.is_valid(), _EMPTY_OBJECT, pa.scalar(None, JSON_TYPE), memory_pool=_POOL)
        raise _Unreadable(f"a free-form value read as {array.type}, not an empty object")
    elif isinstance(declared, ListOf) and pa.types.is_list(array.type):
        values = _settled(array.values, declared.item)
        return pa.ListArray.from_arrays(array.offsets, values, type=target, mask=mask)
    elif isinstance(declared, Record) and pa.types.is_struct(array.type):
        children = [
            _settled(array.field(name), item)
            if array.type.get_field_index(name) >= 0
            else pa.nulls(len(array), arrow_type(item))
            for name, item in declared.fields
        ]
        return pa.StructArray.from_arrays(children, fields=list(target), mask=mask)
    raise _Unreadable(f"{array.type} read where {target} is declared")


#: The types of undeclared fields the JSON reader infers as the dict path does (integers past int64 are numbers to
#: both: orjson decodes them as floats); others differ: text that looks like a time it reads as a timestamp (the dict
#: path: text), lists and objects as lists and structs (the dict path: JSON text).
_INFERRED_ALIKE = (pa.string(), pa.bool_(), pa.int64(), pa.float64(), pa.null())


def _alike(array: pa.Array) -> pa.Array:
    """An undeclared field as the JSON reader inferred it, when the dict path infers the same; else _Unreadable."""
    if array.type in _INFERRED_ALIKE:
        return array
    raise _Unreadable(f"an undeclared field inferred as {array.type}")


def _read(contents: Sequence[bytes], layout: _Layout) -> pa.Table:
    """Page bodies (JSON arrays on one line) as one table by Arrow's JSON reader; _Unreadable when its values
    would differ from the dict path's."""
    data = b"".join(chain.from_iterable((b'{"r":', content, b"}\n") for content in contents))
    try:
        read = pajson.read_json(
            pa.py_buffer(data),
            read_options=pajson.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=_reader_options(layout.schema),
            memory_pool=_POOL,
        )
    except _REFUSALS as refused:
        raise _Unreadable(f"Arrow's JSON reader: {refused}") from refused
    if read.num_columns != 1 or read.num_rows != len(contents):  # a body that was not one JSON array
        raise _Unreadable("a body that is not one JSON array")
    lists = read.column(0)  # one chunk (one block): taken as it is, as combining copies even one chunk
    records = (lists.chunk(0) if lists.num_chunks == 1 else lists.combine_chunks()).flatten()
    declared = {path: name for name, path in layout.paths.items()}
    columns = {}
    extra: dict[tuple[str, ...], dict[str, pa.Array]] = {(): {}, **{path: {} for path in layout.parents}}
    for path, child in _leaves(records, (), set(layout.parents)):
        name = declared.get(path)
        if name is not None:
            columns[name] = _settled(child, layout.schema.columns[name])
        elif len(path) == 1 and path[0] in layout.derived:
            raise _Unreadable(f"the API sent the derived column {path[0]!r}")
        else:  # undeclared: the top level's first, then each flattened object's, as the dict path orders them
            extra[path[:-1]][".".join(path)] = _alike(child)
    undeclared = {name: array for found in extra.values() for name, array in found.items()}
    rows = len(records)
    for name, declared_type in layout.declared():
        if name not in columns and name not in layout.derived:
            columns[name] = pa.nulls(rows, arrow_type(declared_type))
    if layout.derived:
        columns.update(_first_of(layout.schema.derive, columns[layout.schema.derive.source], rows))
    names = [*layout.arrow.names, *undeclared]
    return pa.Table.from_arrays([*(columns[name] for name in layout.arrow.names), *undeclared.values()], names=names)


def body_batches(
    contents: Iterable[bytes], schema: FrameSchema, rows: int = BATCH_ROWS, page_rows: int = PAGE_SIZE
) -> Iterator[pa.Table]:
    """Page bodies (each a JSON array of records) as Arrow tables of about ``rows`` records each, undeclared
    fields typed by inference, equal to :func:`table_batches` of their decoded records with ``infer`` (``page_rows``:
    the records a page holds at most). Read by Arrow's JSON reader, no Python dict made, where it gives the same
    values; the rest decoded by orjson and converted as dicts."""
    layout, pages = _layout(schema), max(1, math.ceil(rows / page_rows))
    contents = iter(contents)
    while batch := list(islice(contents, pages)):
        table = _body_table(batch, layout)
        if table.num_rows:
            yield table


def _body_table(contents: list[bytes], layout: _Layout) -> pa.Table:
    """Page bodies as one table: read by Arrow's JSON reader, else (a body on several lines, values the reader
    reads otherwise than the dict path) decoded and converted as dicts."""
    if not layout.pulled and not any(b"\n" in content or b"\r" in content for content in contents):
        try:
            return _read(contents, layout)
        except _Unreadable as unreadable:
            logger.debug("%d page bodies decoded as dicts: %s", len(contents), unreadable)
    return to_table(list(chain.from_iterable(map(orjson.loads, contents))), layout.schema, infer=True)


# -- joining batches and pandas -------------------------------------------------------------------------------------
def _unified(types: list[pa.DataType]) -> pa.DataType | None:
    """The one type chunks of these types can be cast to (null chunks take any; integers widen to floats); None
    when there is none."""
    kinds = {kind for kind in types if not pa.types.is_null(kind)}
    if len(kinds) <= 1:
        return kinds.pop() if kinds else pa.null()
    if kinds == {pa.int64(), pa.float64()}:
        return pa.float64()
    return None


def concat_tables(tables: Sequence[pa.Table], schema: FrameSchema) -> pa.Table:
    """Batches as one table: undeclared fields in order of first appearance (null where a batch lacks one), each
    of one type (JSON text for all when batches inferred different ones)."""
    if not tables:
        return _empty(schema)
    if all(table.schema == tables[0].schema for table in tables):
        return pa.concat_tables(tables)
    names = list(dict.fromkeys(name for table in tables for name in table.column_names))
    columns = []
    for name in names:
        chunks = [table.column(name) if name in table.column_names else None for table in tables]
        target = _unified([chunk.type for chunk in chunks if chunk is not None])
        if target is None:
            target = JSON_TYPE
            chunks = [None if chunk is None else pa.chunked_array([_json_array(chunk.to_pylist())]) for chunk in chunks]
        parts = [
            [pa.nulls(len(table), target)] if chunk is None else chunk.cast(target).chunks
            for table, chunk in zip(tables, chunks, strict=True)
        ]
        columns.append(pa.chunked_array(list(chain.from_iterable(parts)), type=target))
    return pa.Table.from_arrays(columns, names=names)


def arrow_frame(table: pa.Table, schema: FrameSchema) -> pd.DataFrame:
    """A table as a DataFrame whose every column is an ``ArrowDtype`` (no copy), indexed as the schema says."""
    return table.to_pandas(types_mapper=pd.ArrowDtype).set_index(schema.index)


def _table(frame: pd.DataFrame) -> pa.Table:
    """An Arrow frame back as its table (no copy)."""
    frame = frame.reset_index()
    return pa.Table.from_arrays([pa.array(frame[name].array) for name in frame], names=list(frame.columns))


def concat_arrow_frames(frames: Sequence[pd.DataFrame], schema: FrameSchema) -> pd.DataFrame:
    """Arrow frames of batches as one frame (see :func:`concat_tables`)."""
    if len(frames) == 1:
        return frames[0]
    return arrow_frame(concat_tables([_table(frame) for frame in frames], schema), schema)


def from_numpy_frame(frame: pd.DataFrame, schema: FrameSchema) -> pd.DataFrame:
    """A ``numpy_nullable`` frame of ``schema`` with the values the ``pyarrow`` backend gives the same records."""
    frame = frame.reset_index()
    arrays = []
    for name in frame.columns:
        column = frame[name]
        declared = schema.columns.get(name)
        if declared is None:
            arrays.append(_inferred(column.tolist()))
        elif column.dtype == object:
            arrays.append(arrow_column(column.tolist(), declared, name))
        else:
            arrays.append(pa.array(column, from_pandas=True).cast(arrow_type(declared)))
    return arrow_frame(pa.Table.from_arrays(arrays, names=list(frame.columns)), schema)
