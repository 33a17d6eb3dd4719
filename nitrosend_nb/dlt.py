"""A `dlt <https://dlthub.com>`_ source for the Nitrosend API, for loading into warehouses (BigQuery, Snowflake,
Postgres, DuckDB, ...): ``pip install -e ".[dlt]"``.

    import dlt
    from nitrosend_nb.dlt import source

    pipeline = dlt.pipeline("nitrosend", destination="duckdb", dataset_name="nitrosend")
    pipeline.run(source(api_key="nskey_live_..."))

Every list group of the client is one dlt resource, read through the nitrosend client itself (not dlt's REST
client), so loads get its concurrent paging, retries, shared 429 limiter and key redaction. Groups that declare
a time filter (events: ``created_after`` on ``created_at``) are incremental: dlt keeps the cursor's last value
in the pipeline state, the next run asks only for later records (minus a lookback window) and merges them by
``id``. Every other group replaces its table on each run, so deleted records disappear. Lists and objects stay
JSON columns (``max_table_nesting=0``) instead of becoming child tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import dlt
import pandas as pd
from dlt.sources import DltResource

from nitrosend_nb.client import defaults
from nitrosend_nb.client.client import Nitrosend
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.sync import LOOKBACK

__all__ = ["source", "client_source"]


def _resource(group: Resource, name: str) -> DltResource:
    """One dlt resource over ``group``: merged on a cursor when the group has a time filter, else replaced."""
    cursor = group.incremental
    if cursor is None:

        def records() -> Iterator[list[dict]]:
            yield from group.pages()

        return dlt.resource(records, name=name, primary_key="id", write_disposition="replace")

    def new_records(
        since: dlt.sources.incremental[Any] = dlt.sources.incremental(cursor.cursor),  # noqa: B008 (dlt's idiom)
    ) -> Iterator[list[dict]]:
        filters = {}
        if since.last_value is not None:  # an ISO string or a datetime, as the records carried it
            filters[cursor.filter] = pd.Timestamp(since.last_value).to_pydatetime() - LOOKBACK
        yield from group.pages(**filters)

    return dlt.resource(new_records, name=name, primary_key="id", write_disposition="merge")


def _resources(client: Nitrosend, groups: Iterable[str] | None) -> list[DltResource]:
    available = client.groups()
    wanted = list(available) if groups is None else list(groups)
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ValueError(f"unknown groups {unknown}; the API has {sorted(available)}")
    return [_resource(available[name], name) for name in wanted]


@dlt.source(name="nitrosend", max_table_nesting=0)
def source(
    api_key: str = dlt.secrets.value,
    base_url: str = defaults.BASE_URL,
    brand_sid: str | None = None,
    groups: Iterable[str] | None = None,
) -> list[DltResource]:
    """The Nitrosend groups (default: all; or the names in ``groups``) as dlt resources.

    ``api_key`` comes from the argument or dlt's secrets (``SOURCES__NITROSEND__API_KEY``,
    ``.dlt/secrets.toml``).
    """
    return _resources(Nitrosend(api_key, base_url, brand_sid=brand_sid, progress=False), groups)


@dlt.source(name="nitrosend", max_table_nesting=0)
def client_source(client: Nitrosend, groups: Iterable[str] | None = None) -> list[DltResource]:
    """:func:`source` over a ready :class:`~nitrosend_nb.Nitrosend` client (a sandbox's, say)."""
    return _resources(client, groups)
