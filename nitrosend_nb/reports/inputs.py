"""What the reports read (:class:`Frames`) and its normalisation into plain numpy-backed tables.

The frames may come from ``df()`` (numpy or pyarrow dtypes), from a Parquet export or from a DuckDB copy: ``id``
may be the index or a column, enums may be categories or text, ``data`` a dict or JSON text, timestamps of any
resolution. Everything is read once into int64 nanoseconds (``NaT`` as :data:`NO_TIME`), int64 ids (missing as
:data:`NO_ID`) and Python strings, so the rest of the package computes on one representation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nitrosend_nb.client.frames import MESSAGES

NO_ID = -1  #: a missing id (no contact, no campaign...)
NO_TIME = np.iinfo(np.int64).min  #: a missing time (NaT as int64)
KINDS = ("campaign", "flow", "transactional")  #: what sent a message; a kind's code is its position
CAMPAIGN, FLOW, TRANSACTIONAL = range(len(KINDS))
#: Failure codes of a bounce: the provider accepted the email and the recipient's server refused it (hard: the
#: address does not exist; mailbox_full: a soft bounce).
BOUNCE_CODES = ("hard_bounce", "mailbox_full")
FAILURE_CATEGORIES = tuple(MESSAGES.columns["failure_category"].categories)


@dataclass(frozen=True)
class Frames:
    """The six frames every report reads, as ``ns.reports.frames()`` fetches them:

    - ``campaigns``: ``ns.campaigns.df()`` (its ``trigger.flow_id`` names the campaign's messages);
    - ``flows``: ``ns.flows.df()``;
    - ``messages``: ``ns.messages.df(source_type="all")`` (campaign, flow and transactional messages);
    - ``events``: ``ns.events.df()`` or just the conversion events (``ns.events.df(event="order_placed")``);
    - ``contacts``: ``ns.contacts.df()`` (addresses, sign-up times, ``email_opt_out_at``);
    - ``suppressions``: the complaints, active and expired (``ns.suppressions.df(reason="complaint")`` and the same
      with ``active=False``); other reasons are ignored.
    """

    campaigns: pd.DataFrame
    flows: pd.DataFrame
    messages: pd.DataFrame
    events: pd.DataFrame
    contacts: pd.DataFrame
    suppressions: pd.DataFrame


#: Where each frame comes from, for error messages.
SOURCES = {
    "campaigns": "ns.campaigns.df()",
    "flows": "ns.flows.df()",
    "messages": 'ns.messages.df(source_type="all")',
    "events": "ns.events.df()",
    "contacts": "ns.contacts.df()",
    "suppressions": 'ns.suppressions.df(reason="complaint")',
}


def column(frame: pd.DataFrame, name: str, of: str) -> pd.Series:
    """Column ``name`` of the ``of`` frame (``id`` may be its index); KeyError saying which frame reports read."""
    if name in frame.columns:
        return frame[name]
    if name == "id" and frame.index.name == "id":
        return frame.index.to_series(index=frame.index)
    raise KeyError(f"the {of} frame has no {name!r} column: reports read the frame {SOURCES[of]} returns")


def ids(values: pd.Series | pd.Index) -> np.ndarray:
    """Integer ids as int64, a missing one as :data:`NO_ID`."""
    return pd.array(values, dtype="Int64").to_numpy(dtype="int64", na_value=NO_ID)


def times(values: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch (UTC; naive ones read as UTC), a missing one as
    :data:`NO_TIME`."""
    stamps = pd.to_datetime(pd.Series(values), utc=True)
    return stamps.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view("int64")


def texts(values: pd.Series) -> np.ndarray:
    """Text as an object array of Python strings, a missing value as None."""
    series = pd.Series(values).astype(object)
    return series.where(series.notna(), None).to_numpy()


def lowered(values: pd.Series) -> np.ndarray:
    """Text lower-cased and stripped (addresses, slugs), a missing value as None."""
    series = pd.Series(values).astype("string").str.strip().str.lower()
    return series.astype(object).where(series.notna(), None).to_numpy()


def slugs(values: pd.Series) -> np.ndarray:
    """Names as ``utm_campaign`` slugs (``"Spring sale"`` -> ``"spring-sale"``; the seed and shops tag orders so),
    so a utm value and a name compare however each is written."""
    series = pd.Series(values).astype("string").str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True)
    series = series.str.strip("-")
    return series.astype(object).where(series.notna() & (series != ""), None).to_numpy()


def stamp(ns: np.ndarray) -> pd.DatetimeIndex:
    """int64 nanoseconds as UTC timestamps (:data:`NO_TIME` as NaT)."""
    return pd.DatetimeIndex(np.asarray(ns, dtype="int64").view("datetime64[ns]")).tz_localize("UTC")


@dataclass(frozen=True)
class AddressBook:
    """Contact ids by address (e-mail addresses lower-cased, phone numbers as written): how a message's ``to``
    names a contact, since messages carry no contact id."""

    addresses: pd.Index
    owners: np.ndarray

    @classmethod
    def of(cls, contacts: pd.DataFrame) -> AddressBook:
        """The address book of ``contacts`` (an address held twice names its first contact)."""
        everyone = ids(column(contacts, "id", "contacts"))
        addresses = [lowered(column(contacts, "email", "contacts"))]
        if "phone" in contacts.columns:
            addresses.append(lowered(contacts["phone"]))
        found = pd.Series(np.concatenate(addresses))
        first = (found.notna() & ~found.duplicated()).to_numpy()
        return cls(pd.Index(found[first]), np.tile(everyone, len(addresses))[first])

    def contacts(self, addresses: np.ndarray) -> np.ndarray:
        """The contact id each (lower-cased) address names, or :data:`NO_ID`."""
        at = self.addresses.get_indexer(addresses) if len(self.addresses) else np.full(len(addresses), -1)
        return np.where(at >= 0, self.owners[at], NO_ID)
