"""Who gets the credit: every conversion event, complaint and unsubscribe credited to at most one campaign or flow
message, by a stated model.

- **Touches.** A touch is a message a contact *received* (``status == "sent"``) from a campaign or a flow found in
  the frames; its contact is the one whose e-mail address (or, for an SMS, phone number) is the message's ``to``.
- **Orders** (conversion events: ``event`` named by the report, ``test`` ones left out), under
  ``model="last_touch"``: credited to the contact's most recent touch at or before the order and at most
  ``window`` before it (ties: the higher message id). Under ``model="utm"``: credited to the campaign or flow whose
  name, as a slug, is the order's ``utm_campaign`` and that first sent at or before the order (the latest such when
  several share the slug), whatever the time since; the message credited is that source's latest touch of the
  contact at or before the order, if it reached the contact at all.
- **Complaints** (``reason == "complaint"`` suppressions, at ``event_occurred_at``): the latest e-mail the contact
  received (a complaint is about one e-mail, transactional ones included) at or before it and within ``window``;
  credited when that e-mail was a campaign's or a flow's.
- **Unsubscribes** (a contact's ``email_opt_out_at``): the contact's most recent e-mail touch at or before it,
  within ``window``.

What is not credited is kept, uncredited, so credited + uncredited = total, for revenue and for every count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from nitrosend_nb.reports.inputs import (
    BOUNCE_CODES,
    CAMPAIGN,
    FLOW,
    NO_ID,
    NO_TIME,
    TRANSACTIONAL,
    AddressBook,
    Frames,
    column,
    ids,
    lowered,
    slugs,
    texts,
    times,
)

MODELS = ("last_touch", "utm")  #: the attribution models
DEFAULT_WINDOW = "5 days"  #: how long before an outcome a touch may earn it (last touch)
DEFAULT_EVENT = "order_placed"  #: the conversion event
OUTCOMES = ("order", "complaint", "unsubscribe")  #: what is credited


def duration(span: pd.Timedelta) -> str:
    """A window in words: "5 days", "1 day", "36 hours", else pandas' spelling."""
    for unit, size in (("day", pd.Timedelta(days=1)), ("hour", pd.Timedelta(hours=1))):
        if span % size == pd.Timedelta(0):
            count = span // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return str(span)


def described(attrs: Mapping[str, object]) -> str:
    """The attribution a report's ``attrs`` state, in words ("" when they state none)."""
    if attrs.get("model") not in MODELS:
        return ""
    return str(Settings(str(attrs["model"]), pd.Timedelta(attrs.get("window") or DEFAULT_WINDOW), "", None))


@dataclass(frozen=True)
class Settings:
    """A report's method: the model, the window, the conversion event and the currency of its amounts."""

    model: str
    window: pd.Timedelta
    event: str
    currency: str | None

    @classmethod
    def of(cls, model: str, window: object, event: str, currency: str | None) -> Settings:
        """Checked settings: ValueError/TypeError naming the argument otherwise."""
        if model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
        if not isinstance(window, (str, timedelta, pd.Timedelta)):
            raise TypeError(f"window is a duration such as '5 days', '36h' or pd.Timedelta(days=5), not {window!r}")
        span = pd.Timedelta(window)
        if pd.isna(span) or span <= pd.Timedelta(0):
            raise ValueError(f"window must be a positive duration, not {window!r}")
        if not isinstance(event, str) or not event:
            raise ValueError(f"event must be the conversion event's name (e.g. 'order_placed'), not {event!r}")
        return cls(model, span, event, currency)

    def __str__(self) -> str:
        """The method in words: "last touch within 5 days" or "by utm_campaign"."""
        return "by utm_campaign" if self.model == "utm" else f"last touch within {duration(self.window)}"

    def as_attrs(self) -> dict:
        """The settings as a report's ``attrs`` (what the plots and a reader of the frame see)."""
        return {"model": self.model, "window": self.window, "event": self.event, "currency": self.currency}


@dataclass(frozen=True)
class Analysis:
    """The sends of every campaign and flow in the frames and the credit ledger: what every report aggregates."""

    sends: pd.DataFrame  # one row per campaign/flow message: id, kind, source, contact, t, status, channel...
    ledger: pd.DataFrame  # one row per outcome: outcome, id, contact, t, amount, kind, source, message, message_t
    settings: Settings


def messages_table(frames: Frames, book: AddressBook) -> pd.DataFrame:
    """Every message but tests: id, t, kind (code of :data:`KINDS`), source (campaign or flow id, NO_ID when not in
    the frames), contact, email (an e-mail, not an SMS), status, failure category and whether it bounced."""
    messages = frames.messages
    source_type = texts(column(messages, "source_type", "messages"))
    keep = source_type != "test"
    source_type = source_type[keep]
    kind = np.full(len(source_type), TRANSACTIONAL, dtype="int8")
    kind[source_type == "campaign"] = CAMPAIGN
    kind[source_type == "flow"] = FLOW
    flow_id = ids(column(messages, "flow_id", "messages"))[keep]
    campaign_of = pd.Series(
        ids(column(frames.campaigns, "id", "campaigns")),
        index=ids(column(frames.campaigns, "trigger.flow_id", "campaigns")),
    )
    campaign_of = campaign_of[campaign_of.index != NO_ID]
    campaign_of = campaign_of[~campaign_of.index.duplicated()]
    flows = pd.Index(ids(column(frames.flows, "id", "flows")))
    source = np.full(len(kind), NO_ID, dtype="int64")
    at = campaign_of.index.get_indexer(flow_id)
    is_campaign = (kind == CAMPAIGN) & (at >= 0)
    source[is_campaign] = campaign_of.to_numpy()[at[is_campaign]]
    is_flow = (kind == FLOW) & (flows.get_indexer(flow_id) >= 0)
    source[is_flow] = flow_id[is_flow]
    channel = texts(column(messages, "channel", "messages"))[keep]
    status = texts(column(messages, "status", "messages"))[keep]
    code = texts(column(messages, "failure_code", "messages"))[keep]
    return pd.DataFrame(
        {
            "id": ids(column(messages, "id", "messages"))[keep],
            "t": times(column(messages, "created_at", "messages"))[keep],
            "kind": kind,
            "source": source,
            "contact": book.contacts(lowered(column(messages, "to", "messages"))[keep]),
            "email": channel == "email",
            "status": status,
            "category": texts(column(messages, "failure_category", "messages"))[keep],
            "bounced": (status == "failed") & np.isin(code, BOUNCE_CODES),
        }
    )


def orders_table(events: pd.DataFrame, event: str) -> pd.DataFrame:
    """The conversion events (named ``event``, ``test`` ones left out): id, contact, t, amount (a missing amount
    counts 0) and the slug of their ``utm_campaign``."""
    name = texts(column(events, "event", "events"))
    test = pd.array(column(events, "test", "events"), dtype="boolean").fillna(False).to_numpy(dtype=bool)
    keep = (name == event) & ~test
    amount = pd.to_numeric(pd.Series(column(events, "amount", "events")), errors="coerce").to_numpy("float64")
    return pd.DataFrame(
        {
            "id": ids(column(events, "id", "events"))[keep],
            "contact": ids(column(events, "contact_id", "events"))[keep],
            "t": times(column(events, "created_at", "events"))[keep],
            "amount": np.nan_to_num(amount[keep], nan=0.0),
            "slug": slugs(column(events, "utm_campaign", "events"))[keep],
        }
    )


def complaints_table(suppressions: pd.DataFrame, book: AddressBook) -> pd.DataFrame:
    """The complaints (``reason == "complaint"``), each once by id: id, contact (its ``contact_id``, else the
    contact holding its address) and t (``event_occurred_at``, else ``created_at``)."""
    reason = texts(column(suppressions, "reason", "suppressions"))
    keep = reason == "complaint"
    contact = ids(column(suppressions, "contact_id", "suppressions"))[keep]
    by_address = book.contacts(lowered(column(suppressions, "email", "suppressions"))[keep])
    occurred = times(column(suppressions, "event_occurred_at", "suppressions"))[keep]
    created = times(column(suppressions, "created_at", "suppressions"))[keep]
    table = pd.DataFrame(
        {
            "id": ids(column(suppressions, "id", "suppressions"))[keep],
            "contact": np.where(contact != NO_ID, contact, by_address),
            "t": np.where(occurred != NO_TIME, occurred, created),
        }
    )
    return table.drop_duplicates("id")


def unsubscribes_table(contacts: pd.DataFrame) -> pd.DataFrame:
    """One row per contact who opted out of e-mail: id and contact (the contact's id), t (``email_opt_out_at``)."""
    everyone = ids(column(contacts, "id", "contacts"))
    opted_out = times(column(contacts, "email_opt_out_at", "contacts"))
    keep = opted_out != NO_TIME
    return pd.DataFrame({"id": everyone[keep], "contact": everyone[keep], "t": opted_out[keep]})


def uncredited(count: int) -> pd.DataFrame:
    """``count`` outcomes credited to nothing: the columns :func:`last_touch` fills (message, message_t, kind,
    source)."""
    return pd.DataFrame(
        {
            "message": np.full(count, NO_ID, dtype="int64"),
            "message_t": np.full(count, NO_TIME, dtype="int64"),
            "kind": np.full(count, -1, dtype="int8"),
            "source": np.full(count, NO_ID, dtype="int64"),
        }
    )


def last_touch(outcomes: pd.DataFrame, touches: pd.DataFrame, window: pd.Timedelta | None) -> pd.DataFrame:
    """For each outcome (contact, t; with kind and source too, only touches of that source count), the contact's
    latest touch at or before t, and at most ``window`` before when given (ties: the higher message id): the
    columns of :func:`uncredited`, aligned with ``outcomes``."""
    found = uncredited(len(outcomes))
    known = (outcomes["contact"].to_numpy() != NO_ID) & (outcomes["t"].to_numpy() != NO_TIME)
    if not known.any() or touches.empty:
        return found
    by = [name for name in ("contact", "kind", "source") if name in outcomes.columns]
    left = outcomes.loc[known, ["t", *by]].assign(row=np.flatnonzero(known)).sort_values("t", kind="stable")
    right = touches[["t", *by, "id"] + [c for c in ("kind", "source") if c not in by]].rename(
        columns={"t": "message_t", "id": "message"}
    )
    right = right.sort_values(["message_t", "message"], kind="stable")
    matched = pd.merge_asof(
        left,
        right,
        left_on="t",
        right_on="message_t",
        by=by,
        direction="backward",
        allow_exact_matches=True,
        tolerance=None if window is None else int(window.value),
    )
    hit = matched["message"].notna().to_numpy()
    rows = matched["row"].to_numpy()[hit]
    for name in found.columns:
        found.loc[rows, name] = matched[name].to_numpy()[hit].astype(found[name].dtype)
    return found


def sources_table(frames: Frames, sends: pd.DataFrame) -> pd.DataFrame:
    """Every campaign and flow that sent: kind, source (its id), slug (of its name) and first_t (its first send)."""
    first = sends.groupby(["kind", "source"])["t"].min().rename("first_t").reset_index()
    names = {}
    for kind, frame, of in ((CAMPAIGN, frames.campaigns, "campaigns"), (FLOW, frames.flows, "flows")):
        names[kind] = pd.Series(slugs(column(frame, "name", of)), index=ids(column(frame, "id", of)))
    first["slug"] = [names[kind].get(source) for kind, source in zip(first["kind"], first["source"], strict=True)]
    return first


def credit_by_utm(orders: pd.DataFrame, sources: pd.DataFrame, touches: pd.DataFrame) -> pd.DataFrame:
    """The utm model (see the module docstring): the same columns as :func:`last_touch`, aligned with ``orders``."""
    found = uncredited(len(orders))
    named = pd.DataFrame({"slug": orders["slug"].to_numpy(), "t": orders["t"].to_numpy(), "row": range(len(orders))})
    pairs = named.dropna(subset=["slug"]).merge(sources, on="slug")
    pairs = pairs[pairs["first_t"] <= pairs["t"]]
    pairs = pairs.sort_values(["row", "first_t", "kind", "source"]).drop_duplicates("row", keep="last")
    rows = pairs["row"].to_numpy()
    found.loc[rows, "kind"] = pairs["kind"].to_numpy()
    found.loc[rows, "source"] = pairs["source"].to_numpy()
    credited = pd.DataFrame(
        {
            "contact": orders["contact"].to_numpy()[rows],
            "t": orders["t"].to_numpy()[rows],
            "kind": pairs["kind"].to_numpy().astype("int8"),
            "source": pairs["source"].to_numpy(),
        }
    )
    reached = last_touch(credited, touches, None)
    found.loc[rows, ["message", "message_t"]] = reached[["message", "message_t"]].to_numpy()
    return found


def uncredit(found: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``found`` with the rows not in ``keep`` made uncredited."""
    found.loc[~keep, ["message", "message_t", "source"]] = [NO_ID, NO_TIME, NO_ID]
    found.loc[~keep, "kind"] = -1
    return found


def analyse(frames: Frames, settings: Settings) -> Analysis:
    """The sends and the credit ledger of ``frames`` under ``settings``."""
    book = AddressBook.of(frames.contacts)
    messages = messages_table(frames, book)
    known = messages["source"].to_numpy() != NO_ID
    sends = messages[known].reset_index(drop=True)
    received = messages[(messages["status"].to_numpy() == "sent") & (messages["contact"].to_numpy() != NO_ID)]
    marketing = received[received["source"].to_numpy() != NO_ID]
    window = settings.window
    orders = orders_table(frames.events, settings.event)
    if settings.model == "last_touch":
        credited = last_touch(orders, marketing, window)
    else:
        credited = credit_by_utm(orders, sources_table(frames, sends), marketing)
    complaints = complaints_table(frames.suppressions, book)
    about = last_touch(complaints, received[received["email"].to_numpy()], window)
    about = uncredit(about, about["source"].to_numpy() != NO_ID)
    unsubscribes = unsubscribes_table(frames.contacts)
    left = last_touch(unsubscribes, marketing[marketing["email"].to_numpy()], window)
    parts = []
    for outcome, table, found in (
        ("order", orders, credited),
        ("complaint", complaints, about),
        ("unsubscribe", unsubscribes, left),
    ):
        amount = table["amount"].to_numpy() if "amount" in table else np.zeros(len(table))
        parts.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "id": table["id"].to_numpy(),
                    "contact": table["contact"].to_numpy(),
                    "t": table["t"].to_numpy(),
                    "amount": amount,
                    **{c: found[c].to_numpy() for c in found.columns},
                }
            )
        )
    return Analysis(sends, pd.concat(parts, ignore_index=True), settings)
