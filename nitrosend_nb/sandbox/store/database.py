"""SQLite storage for the sandbox: one table of JSON documents per resource, plus a fixed clock.

Every resource row is ``(id INTEGER PRIMARY KEY, doc TEXT)``; the columns the API filters and sorts on are
plain columns the store copies from the document on every write (computed from the Python dict, so building an
index never parses JSON; the tables are :mod:`.schema`'s), a table may keep a served form of each document beside
it (text computed by a function its service hands the store: see :class:`Store`), and one set of generic methods
serves every resource.
A single connection guarded by a re-entrant lock makes every request's read-modify-write atomic (no lost
writes under concurrent clients). In memory by default; a file path keeps everything across restarts.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import orjson

from . import migrations, schema
from .schema import DOC_TABLES, FILL_LIST_IDS, SERVED_COLUMNS

Params = Sequence[Any] | Mapping[str, Any]
T = TypeVar("T")

CLOCK_START = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 with a ``Z`` suffix and whole seconds, the API's timestamp format."""
    # isoformat, not strftime: strftime's %Y writes the year 776 as "776", not "0776"
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or offset; a bare date means midnight UTC) to an aware UTC datetime;
    ValueError for anything else, including instants outside the representable years."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    try:
        return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    except OverflowError as exc:
        raise ValueError(f"timestamp out of range: {text!r}") from exc


def _encode(doc: Any) -> str:
    """A document as compact JSON text (orjson: several times faster than json.dumps)."""
    return orjson.dumps(doc).decode()


def _frozen(params: Params) -> tuple:
    """Query parameters as a hashable key."""
    return tuple(sorted(params.items())) if isinstance(params, Mapping) else tuple(params)


def _without_id(doc: Mapping[str, Any]) -> dict:
    """A copy of ``doc`` without its ``id`` key, if any (the row id holds it)."""
    body = dict(doc)
    body.pop("id", None)
    return body


ServedForm = Callable[[int, Mapping[str, Any]], tuple[str, int]]


def _set_served(table: str) -> str:
    """The UPDATE writing one row's served columns (parameters: their values, then the id)."""
    return f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in SERVED_COLUMNS)} WHERE id = ?"


_INT64 = range(-(2**63), 2**63)


def _sql_value(value: Any) -> Any:
    """A document field as the SQL value ``json_extract`` gives for it: integers (1/0 for booleans), reals and
    text as they are, NULL for null (and for non-finite numbers, which JSON writes as null), JSON text for
    objects and arrays, a real for an integer beyond 64 bits."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if value in _INT64 else float(value)
    if kind is float:
        return value if math.isfinite(value) else None
    return _encode(value)


_BOUND_AS_IS = frozenset({str, int, bool, type(None)})


def _row_values(columns: tuple[str, ...], doc: Mapping[str, Any]) -> tuple:
    """The values of a document's table ``columns``, as stored beside its JSON text (see :data:`DOC_TABLES`).
    Strings, integers, booleans and nulls are left as they are (the common case, checked in one C-level pass);
    an integer beyond 64 bits then fails to bind and :meth:`Store._write` stores it as :func:`_sql_value` does."""
    values = tuple(map(doc.get, columns))
    return values if _BOUND_AS_IS.issuperset(map(type, values)) else tuple(map(_sql_value, values))


_ID_ORDERS = {"id desc": "DESC", "id asc": "ASC", "id": "ASC"}
REMEMBERED_LISTINGS = 64  # filtered listings whose count and page boundaries are remembered until the next write
ROWS_PER_INSERT = 256  # rows per multi-row INSERT when bulk loading: one statement each, not one per row
_MAX_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999  # SQLite's default bound-variable limit


def _where(*conditions: str) -> str:
    """A ``WHERE`` clause joining the non-empty SQL ``conditions`` (each parenthesised), or "" for none."""
    present = [f"({condition})" for condition in conditions if condition]
    return " WHERE " + " AND ".join(present) if present else ""


def _chunks(ids: Sequence[int]) -> Iterator[tuple[Sequence[int], str]]:
    """``ids`` in slices short enough for one ``IN (...)`` list (900: within SQLite's smallest bound-variable
    limit), each with its ``?,?,...`` placeholders."""
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        yield chunk, ",".join("?" * len(chunk))


def _from_id(direction: str, ident: int, inclusive: bool = True) -> str:
    """The condition keeping the rows at (unless not ``inclusive``) and after ``ident`` in id order ``direction``
    (``ASC``/``DESC``)."""
    return f"id {'<' if direction == 'DESC' else '>'}{'=' if inclusive else ''} {int(ident)}"


@dataclass
class _Listing:
    """What is known about one filtered listing since the last write: its count, and the ids found at some
    offsets in each id order (sorted ``(offset, id)`` pairs)."""

    count: int | None = None
    boundaries: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: {"ASC": [], "DESC": []})


class Store:
    """The sandbox database: JSON document tables, list membership, idempotency records, meta and clock.

    ``served_forms`` maps a document table to the function giving a document's served form ``(text, cut)`` from
    its id and document (the contacts service's: the JSON the API returns for a contact, see
    ``services/contact_shape.py``). The store keeps it in the table's ``served`` and ``served_cut`` columns on
    every write, so pages are spliced from stored text (see :meth:`contact_page`); it knows nothing of what the
    text says. Opening a file fills the columns a table lacks (and drops those of a table given no form, which
    no write would keep up to date)."""

    def __init__(self, path: str | None = None, served_forms: Mapping[str, ServedForm] | None = None) -> None:
        self.path = path
        self._served_forms = dict(served_forms or {})
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._depth = 0
        self._bulk = False
        self._listings: dict[tuple, _Listing] = {}
        self._listings_at: tuple[int, int, int] | None = None
        self._drops = 0
        with self.atomic():
            migrations.migrate(self._conn)
            self.create_schema()
            for table in DOC_TABLES:
                self._match_served_columns(table)

    # -- plumbing -------------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create every table, index and trigger that does not exist yet."""
        with self.atomic():
            schema.create(self._conn, served=self._served_forms)

    def _served_columns(self, table: str) -> tuple[str, ...]:
        """The served-form columns of ``table`` (none for a table without a served form)."""
        return SERVED_COLUMNS if table in self._served_forms else ()

    def _match_served_columns(self, table: str) -> None:
        """Give ``table`` the served columns its form needs, filled for the rows it holds (a ``--db`` file written
        without them), or drop those it has without a form."""
        present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
        if table not in self._served_forms:
            for column in present.intersection(SERVED_COLUMNS):
                self._conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            return
        missing = [column for column in SERVED_COLUMNS if column not in present]
        for column in missing:
            self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        if missing:
            rows = self._conn.execute(f"SELECT id, doc FROM {table}").fetchall()
            form = self._served_forms[table]
            self._conn.executemany(
                _set_served(table), [(*form(ident, orjson.loads(doc)), ident) for ident, doc in rows]
            )

    def drop_all(self) -> None:
        """Remove every table (used by reset before reseeding)."""
        with self.atomic():
            tables = self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for (table,) in tables:
                self._conn.execute(f"DROP TABLE {table}")
            self._conn.execute("DELETE FROM sqlite_sequence")
            self._drops += 1  # dropping is no row change: the version counts it itself
        self.create_schema()

    def load(self, source: Store) -> None:
        """Make this store's data a copy of ``source``'s (a freshly seeded store), in one step no reader sees half
        done: SQLite's backup API copies every page under this store's lock, which is held for the copy only."""
        with self._lock:
            source._conn.backup(self._conn)
            self._drops += 1  # a copy is no row change: the version counts it itself

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """Hold the store lock and run the block in one transaction; a nested block is a SAVEPOINT of it, so when
        the nested block fails only its own writes are undone (the exception still reaches the outer block)."""
        with self._lock:
            depth = self._depth
            savepoint = f"atomic_{depth}"
            self._conn.execute(f"SAVEPOINT {savepoint}" if depth else "BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                if depth:
                    self._conn.execute(f"ROLLBACK TO {savepoint}")
                self._conn.execute(f"RELEASE {savepoint}" if depth else "ROLLBACK")
                raise
            finally:
                self._depth = depth
            self._conn.execute(f"RELEASE {savepoint}" if depth else "COMMIT")

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        """Run one statement under the lock and return all rows (positional or named parameters)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def insert_members(self, rows: Iterable[tuple[int, int]]) -> None:
        """Bulk-insert ``(list_id, contact_id)`` memberships (seeding; see :meth:`bulk_load`)."""
        with self.bulk_load():
            self._conn.executemany("INSERT INTO list_members (list_id, contact_id) VALUES (?, ?)", rows)

    def close(self) -> None:
        """Close the connection (and forget what was remembered about its data)."""
        with self._lock:
            self._conn.close()
            self._listings.clear()

    # -- meta and clock -------------------------------------------------------------------------------
    def meta(self, key: str, default: Any = None) -> Any:
        """Read a JSON value from the meta table."""
        rows = self.execute("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: Any) -> None:
        """Write a JSON value to the meta table."""
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def _increment(self, key: str, default: int) -> int:
        """Add one to the integer meta value ``key`` (``default`` when unset) atomically; return the new value."""
        with self.atomic():
            value = self.meta(key, default) + 1
            self.set_meta(key, value)
        return value

    def tick(self) -> str:
        """Advance the fixed clock by one second (one per write) and return the new instant as ISO text."""
        return iso(CLOCK_START + timedelta(seconds=self._increment("clock", 0)))

    def next_seq(self, name: str, start: int = 1) -> int:
        """Next value of a named integer sequence (ids of embedded objects such as contact channels)."""
        return self._increment(f"seq:{name}", start - 1)

    # -- documents ------------------------------------------------------------------------------------
    @staticmethod
    def _row(row: tuple) -> dict:
        doc = orjson.loads(row[1])
        doc["id"] = row[0]
        return doc

    @staticmethod
    def _docs(rows: list[tuple]) -> list[dict]:
        """The documents of ``(id, doc)`` rows, decoded by one orjson call (a page costs one parse, not one per
        row)."""
        docs = orjson.loads("[" + ",".join([row[1] for row in rows]) + "]")
        for doc, row in zip(docs, rows, strict=True):
            doc["id"] = row[0]
        return docs

    def _served(self, table: str, ident: int, doc: Mapping[str, Any]) -> tuple:
        """The served-form column values of document ``ident`` of ``table`` (none for a table without one)."""
        form = self._served_forms.get(table)
        return form(ident, doc) if form else ()

    def _insert_sql(self, table: str, with_id: bool, rows: int = 1) -> str:
        """The INSERT of ``rows`` rows of a document table: id, doc, the table's columns, its served columns (or,
        without ``with_id``, only doc and the columns)."""
        names = (
            ("id", "doc", *DOC_TABLES[table][0], *self._served_columns(table))
            if with_id
            else ("doc", *DOC_TABLES[table][0])
        )
        values = f"({', '.join('?' * len(names))})"
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES " + ", ".join([values] * rows)

    def _write(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        """Execute a write of document rows (their values from :func:`_row_values`). An integer beyond 64 bits,
        which sqlite3 refuses to bind, is retried as :func:`_sql_value` stores it (a real, as JSON reads it)."""
        try:
            return self._conn.execute(sql, params)
        except OverflowError:
            return self._conn.execute(sql, [_sql_value(value) for value in params])

    def insert(self, table: str, doc: dict) -> dict:
        """Insert a document (its ``id`` key, if any, is ignored) and return it with the new id."""
        body = _without_id(doc)
        row = (_encode(body), *_row_values(DOC_TABLES[table][0], body))
        with self.atomic():
            body["id"] = self._write(self._insert_sql(table, with_id=False), row).lastrowid
            served = self._served(table, body["id"], body)
            if served:
                self._conn.execute(_set_served(table), (*served, body["id"]))
        return body

    def insert_many(self, table: str, docs: Iterable[dict], first_id: int | None = None) -> None:
        """Bulk-insert documents: ones that carry explicit ids, or (``first_id`` given) ones without an ``id`` key
        that take consecutive ids from ``first_id``. Encoded by orjson and written :data:`ROWS_PER_INSERT` rows per
        statement; the table's indexes are built once after the load (see :meth:`bulk_load`) rather than maintained
        row by row."""
        columns = DOC_TABLES[table][0]
        served = self._served
        if first_id is None:
            rows = (
                (doc["id"], _encode(_without_id(doc)), *_row_values(columns, doc), *served(table, doc["id"], doc))
                for doc in docs
            )
        else:
            rows = (
                (ident, _encode(doc), *_row_values(columns, doc), *served(table, ident, doc))
                for ident, doc in enumerate(docs, first_id)
            )
        size = min(ROWS_PER_INSERT, _MAX_PARAMETERS // (2 + len(columns) + len(self._served_columns(table))))
        full = self._insert_sql(table, with_id=True, rows=size)
        with self.bulk_load():
            while batch := list(itertools.islice(rows, size)):
                sql = full if len(batch) == size else self._insert_sql(table, True, len(batch))
                self._write(sql, list(itertools.chain.from_iterable(batch)))

    @contextmanager
    def bulk_load(self) -> Iterator[Store]:
        """Run a block of bulk inserts (seeding) in one transaction with every secondary index and trigger dropped,
        and build the indexes and each contact's list ids once at its end: one sorted pass per index instead of one
        B-tree update per row. Nested blocks join the outermost one."""
        with self.atomic():
            if self._bulk:
                yield self
                return
            self._bulk = True
            try:
                for kind, name in self._conn.execute(
                    "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL"
                ).fetchall():
                    self._conn.execute(f"DROP {kind.upper()} {name}")
                yield self
                self.create_schema()
                self._conn.execute("DELETE FROM contact_list_ids")
                self._conn.execute(FILL_LIST_IDS)
            finally:
                self._bulk = False

    @contextmanager
    def fresh_load(self) -> Iterator[Store]:
        """Run a block that fills a new store (seeding) under SQLite's rollback journal rather than WAL: one
        transaction of millions of rows makes the write-ahead log as long as the data and slow to search (seeding
        a file 15% slower at 300,000 contacts, more as it grows), while a rollback journal only keeps the few pages
        that existed before. WAL again afterwards (an in-memory store has no journal to change)."""
        if self.path is None:
            yield self
            return
        self._conn.execute("PRAGMA journal_mode=DELETE")
        try:
            yield self
        finally:
            self._conn.execute("PRAGMA journal_mode=WAL")

    def get(self, table: str, ident: int) -> dict | None:
        """The document with ``ident``, or None."""
        rows = self.execute(f"SELECT id, doc FROM {table} WHERE id = ?", (ident,))
        return self._row(rows[0]) if rows else None

    def by_ids(self, table: str, ids: Iterable[int]) -> dict[int, dict]:
        """The documents of ``table`` with the given ids, by id (ids not found are left out)."""
        found = {}
        for chunk, marks in _chunks(sorted(set(ids))):
            found.update(
                (doc["id"], doc)
                for doc in self._docs(self.execute(f"SELECT id, doc FROM {table} WHERE id IN ({marks})", chunk))
            )
        return found

    def replace(self, table: str, doc: dict) -> dict:
        """Overwrite the stored document with ``doc`` (matched by its id)."""
        body = _without_id(doc)
        columns = (*DOC_TABLES[table][0], *self._served_columns(table))
        with self._lock:
            self._write(
                f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in ('doc', *columns))} WHERE id = ?",
                (
                    _encode(body),
                    *_row_values(DOC_TABLES[table][0], body),
                    *self._served(table, doc["id"], body),
                    doc["id"],
                ),
            )
        return doc

    def delete(self, table: str, ident: int) -> None:
        """Delete one document."""
        self.execute(f"DELETE FROM {table} WHERE id = ?", (ident,))

    def query(
        self,
        table: str,
        where: str = "",
        params: Params = (),
        order: str = "id DESC",
        limit: int | None = None,
        offset: int = 0,
        pages: int = 1,
    ) -> list[dict]:
        """Documents matching an SQL ``where`` clause, ordered, optionally one page of them (or ``pages``
        consecutive pages of ``limit``, in one query).

        A page deep into a list ordered by id is found without an OFFSET scan over the documents: its first id
        comes from :meth:`_boundary` and the page is read by seeking to it (``id <= ?``).
        """
        return self._docs(self._select("id, doc", table, where, params, order, limit, offset, pages))

    def contact_page(
        self, where: str, params: Params, order: str, limit: int | None, offset: int, pages: int = 1
    ) -> list[tuple[int, str, int, str | None]]:
        """Like :meth:`query` on contacts, their ``(id, served text, cut, list ids)`` rows (see
        :class:`Store`; the list ids as a JSON array, None for none): a page (or ``pages`` of them) to splice,
        with nothing decoded, in one query."""
        what = "id, served, served_cut, (SELECT list_ids FROM contact_list_ids WHERE contact_id = contacts.id)"
        return self._select(what, "contacts", where, params, order, limit, offset, pages)

    def _select(
        self,
        what: str,
        table: str,
        where: str,
        params: Params,
        order: str,
        limit: int | None,
        offset: int,
        pages: int = 1,
    ) -> list[tuple]:
        """The ``what`` columns (``id`` first) of the rows :meth:`query` returns, ``pages`` pages of ``limit``
        rows from ``offset`` on. Pages in id order also tell where each one's last row is, so a next page seeks
        straight past it."""
        direction = _ID_ORDERS.get(order.strip().lower())
        with self._lock:
            seek, skip = "", offset
            known = self._listing(table, where, params).boundaries[direction] if direction is not None else []
            if limit is not None and offset > 0 and direction is not None:
                at = bisect.bisect_left(known, (offset - 1,))
                if at < len(known) and known[at][0] == offset - 1:  # the previous page's last row: start after it
                    seek = _from_id(direction, known[at][1], inclusive=False)
                else:
                    boundary = self._boundary(table, where, params, direction, offset)
                    if boundary is None:
                        return []
                    seek = _from_id(direction, boundary)
                skip = 0
            sql = f"SELECT {what} FROM {table}" + _where(where, seek) + f" ORDER BY {order}"
            if limit is not None:
                sql += f" LIMIT {int(limit) * pages} OFFSET {int(skip)}"
            rows = self.execute(sql, params)
            if rows and limit is not None and direction is not None:
                for end in [*range(limit, len(rows), limit), len(rows)]:  # each page's last row
                    last = (offset + end - 1, rows[end - 1][0])
                    at = bisect.bisect_left(known, last)
                    if known[at : at + 1] != [last]:
                        known.insert(at, last)
            return rows

    def count(self, table: str, where: str = "", params: Params = ()) -> int:
        """Number of documents matching ``where`` (remembered until the next write)."""
        listing = self._listing(table, where, params)
        if listing.count is None:
            listing.count = self.execute(f"SELECT COUNT(*) FROM {table}" + _where(where), params)[0][0]
        return listing.count

    def version(self, wait: bool = True) -> tuple[int, int, int] | None:
        """The stored data's version: it changes with every write, this store's (SQLite's ``total_changes``, and
        :meth:`drop_all`) or, in a ``--db`` file, another connection's (``PRAGMA data_version``); what is
        remembered about the data is keyed on it. ``wait=False`` never waits for the lock (the event loop asks
        so): None when a file store's lock is busy. An in-memory database has no other connection, so its version
        is read without the lock (two counters, no SQL)."""
        if self.path is None:
            return (self._drops, self._conn.total_changes, 0)
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            return (self._drops, self._conn.total_changes, self._conn.execute("PRAGMA data_version").fetchone()[0])
        finally:
            self._lock.release()

    def consistent(self, read: Callable[[], T]) -> tuple[T, tuple[int, int, int] | None]:
        """``read()`` under the lock, with the :meth:`version` of the data it read (None when it wrote: what it
        returns then is not to be remembered)."""
        with self._lock:
            before = self.version()
            result = read()
            return result, before if self.version() == before else None

    def _forget_if_written(self) -> None:
        """Drop the remembered listings if anything was written since they were made."""
        version = self.version()
        if version != self._listings_at:
            self._listings.clear()
            self._listings_at = version

    def _listing(self, table: str, where: str, params: Params) -> _Listing:
        """The cached facts about one filtered listing, reset whenever anything was written since."""
        with self._lock:
            self._forget_if_written()
            key = (table, where, _frozen(params))
            listing = self._listings.pop(key, None) or _Listing()
            self._listings[key] = listing  # most recently used last
            while len(self._listings) > REMEMBERED_LISTINGS:
                self._listings.pop(next(iter(self._listings)))
            return listing

    def _boundary(self, table: str, where: str, params: Params, direction: str, offset: int) -> int | None:
        """The id of the ``offset``-th document (0-based) of the listing in id order ``direction``, or None.

        Found by an index-only walk from the nearest boundary already known (pages are usually asked for in
        order or close to each other), not from the first row.
        """
        with self._lock:
            known = self._listing(table, where, params).boundaries[direction]
            index = bisect.bisect_right(known, (offset, math.inf)) - 1
            start_offset, start_id = known[index] if index >= 0 else (0, None)
            sql = (
                f"SELECT id FROM {table}"
                + _where(where, "" if start_id is None else _from_id(direction, start_id))
                + f" ORDER BY id {direction} LIMIT 1 OFFSET {int(offset - start_offset)}"
            )
            rows = self.execute(sql, params)
            if not rows:
                return None
            bisect.insort(known, (offset, rows[0][0]))
            return rows[0][0]

    # -- list membership ------------------------------------------------------------------------------
    def list_ids_by_contact(self, contact_ids: Sequence[int]) -> dict[int, list[int]]:
        """Map each contact id to the sorted ids of the lists it belongs to."""
        result: dict[int, list[int]] = {cid: [] for cid in contact_ids}
        for chunk, marks in _chunks(contact_ids):
            for contact_id, list_id in self.execute(
                f"SELECT contact_id, list_id FROM list_members WHERE contact_id IN ({marks}) "
                "ORDER BY contact_id, list_id",
                chunk,
            ):
                result[contact_id].append(list_id)
        return result

    def member_counts(self, list_ids: Sequence[int]) -> dict[int, int]:
        """Map each list id to its number of member contacts."""
        if not list_ids:
            return {}
        marks = ",".join("?" * len(list_ids))
        counts = dict(
            self.execute(
                f"SELECT list_id, COUNT(*) FROM list_members WHERE list_id IN ({marks}) GROUP BY list_id", list_ids
            )
        )
        return {lid: counts.get(lid, 0) for lid in list_ids}

    def set_contact_lists(self, contact_id: int, list_ids: Iterable[int]) -> None:
        """Make the contact a member of exactly ``list_ids``."""
        self._replace_members("contact_id", contact_id, [(lid, contact_id) for lid in set(list_ids)])

    def set_list_members(self, list_id: int, contact_ids: Iterable[int]) -> None:
        """Make ``contact_ids`` exactly the members of the list."""
        self._replace_members("list_id", list_id, [(list_id, cid) for cid in set(contact_ids)])

    def _replace_members(self, column: str, ident: int, pairs: list[tuple[int, int]]) -> None:
        """Replace every membership whose ``column`` is ``ident`` by the ``(list_id, contact_id)`` ``pairs``."""
        with self.atomic():
            self._conn.execute(f"DELETE FROM list_members WHERE {column} = ?", (ident,))
            self._conn.executemany("INSERT INTO list_members (list_id, contact_id) VALUES (?, ?)", pairs)

    def list_member_ids(self, list_id: int) -> set[int]:
        """Ids of the list's member contacts."""
        return {row[0] for row in self.execute("SELECT contact_id FROM list_members WHERE list_id = ?", (list_id,))}

    def change_list_members(self, list_id: int, add: Iterable[int] = (), remove: Iterable[int] = ()) -> None:
        """Add and/or remove members of one list (adding a member twice is harmless)."""
        with self.atomic():
            self._conn.executemany(
                "INSERT OR IGNORE INTO list_members (list_id, contact_id) VALUES (?, ?)",
                [(list_id, cid) for cid in add],
            )
            self._conn.executemany(
                "DELETE FROM list_members WHERE list_id = ? AND contact_id = ?", [(list_id, cid) for cid in remove]
            )

    def existing_ids(self, table: str, ids: Iterable[int], where: str = "") -> set[int]:
        """The subset of ``ids`` present in ``table`` (and matching ``where``, when given)."""
        found = set()
        for chunk, marks in _chunks(sorted(set(ids))):
            found.update(
                row[0] for row in self.execute(f"SELECT id FROM {table}" + _where(f"id IN ({marks})", where), chunk)
            )
        return found

    # -- idempotency ----------------------------------------------------------------------------------
    def idempotent_result(self, scope: str, key: str) -> tuple[str, Any] | None:
        """The (fingerprint, stored body) recorded for ``key`` in ``scope``, or None."""
        rows = self.execute("SELECT fingerprint, body FROM idempotency WHERE scope = ? AND key = ?", (scope, key))
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def remember(self, scope: str, key: str, fingerprint: str, body: Any) -> None:
        """Record the outcome of an idempotent request."""
        self.execute(
            "INSERT INTO idempotency (scope, key, fingerprint, body) VALUES (?, ?, ?, ?)",
            (scope, key, fingerprint, json.dumps(body)),
        )
