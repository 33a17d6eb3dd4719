"""Reports against a slow, obvious reference written here (loops over the API's raw records) on 3 seeds and 2
sizes, their invariants, and the same answers from pyarrow-backed frames and a Parquet export."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import nitrosend_nb as nb
from nitrosend_nb import reports
from nitrosend_nb.sandbox import Sandbox

WORLDS = [(seed, size) for seed in (0, 1, 2) for size in (120, 400)]
SMALL_WORLDS = [world for world in WORLDS if world[1] == 120]  # one size is enough for a check of the plumbing
WINDOW = timedelta(days=5)
CATEGORIES = ("content_review", "account", "internal", "recipient", "provider", "delivery")


def world_id(world: tuple[int, int]) -> str:
    return f"seed{world[0]}-{world[1]}"


@pytest.fixture(scope="module", params=WORLDS, ids=world_id)
def world(request):
    """A seeded sandbox, a client, the frames the reports read and the raw records the reference reads."""
    seed, size = request.param
    with Sandbox(seed=seed, contacts=size) as sb:
        ns = nb.connect(sandbox=sb, progress=False)
        raw = {
            "campaigns": list(ns.campaigns.iter()),
            "flows": list(ns.flows.iter()),
            "messages": list(ns.messages.iter(source_type="all")),
            "events": list(ns.events.iter()),
            "contacts": list(ns.contacts.iter()),
            "suppressions": [s for active in (None, False) for s in ns.suppressions.iter(active=active)],
        }
        yield ns, ns.reports.frames(), raw


# -- the reference: plain loops over raw records ---------------------------------------------------------------------
def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def slug(name: str | None) -> str | None:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or None if name else None


def first_channel(contact: dict, kind: str) -> dict:
    return next((c for c in contact.get("channels") or [] if c["kind"] == kind), {})


class Reference:
    """The reports' definitions, one record at a time."""

    def __init__(self, raw: dict, model: str = "last_touch") -> None:
        self.raw = raw
        owner = {}
        for contact in raw["contacts"]:
            for kind in ("email", "phone"):
                address = (first_channel(contact, kind).get("value") or "").lower()
                if address and address not in owner:
                    owner[address] = contact["id"]
        campaign_of = {c["trigger"]["flow_id"]: c["id"] for c in raw["campaigns"] if c["trigger"].get("flow_id")}
        flow_ids = {f["id"] for f in raw["flows"]}
        self.messages = []
        for m in raw["messages"]:
            if m["source_type"] == "test":
                continue
            kind = m["source_type"] or "transactional"
            source = None
            if kind == "campaign":
                source = campaign_of.get(m["flow_id"])
            elif kind == "flow" and m["flow_id"] in flow_ids:
                source = m["flow_id"]
            self.messages.append(
                {
                    **m,
                    "kind": kind,
                    "source": source,
                    "contact": owner.get((m["to"] or "").lower()),
                    "t": when(m["created_at"]),
                }
            )
        self.credits = {}  # (outcome, id) -> (kind, source, message or None)
        orders = [e for e in raw["events"] if e["event"] == "order_placed" and not e["test"]]
        self.orders = orders
        for order in orders:
            self.credits["order", order["id"]] = (
                self.last_touch(order["contact_id"], when(order["created_at"]), marketing=True, email=False)
                if model == "last_touch"
                else self.by_utm(order)
            )
        self.complaints = [s for s in raw["suppressions"] if s["reason"] == "complaint"]
        for complaint in self.complaints:
            contact = complaint["contact_id"] or owner.get(complaint["email"].lower())
            moment = when(complaint["event_occurred_at"]) or when(complaint["created_at"])
            kind, source, message = self.last_touch(contact, moment, marketing=False, email=True)
            self.credits["complaint", complaint["id"]] = (kind, source, message) if source else (None, None, None)
        self.unsubscribed = [c for c in raw["contacts"] if first_channel(c, "email").get("opt_out_at")]
        for contact in self.unsubscribed:
            moment = when(first_channel(contact, "email")["opt_out_at"])
            self.credits["unsubscribe", contact["id"]] = self.last_touch(
                contact["id"], moment, marketing=True, email=True
            )

    def last_touch(self, contact, moment, *, marketing: bool, email: bool, kind=None, source=None, window=WINDOW):
        best = None
        for m in self.messages:
            if m["contact"] != contact or contact is None or m["status"] != "sent" or m["t"] > moment:
                continue
            if (marketing and m["source"] is None) or (email and m["channel"] != "email"):
                continue
            if window is not None and moment - m["t"] > window:
                continue
            if kind is not None and (m["kind"], m["source"]) != (kind, source):
                continue
            if best is None or (m["t"], m["id"]) > (best["t"], best["id"]):
                best = m
        return (best["kind"], best["source"], best["id"]) if best else (None, None, None)

    def by_utm(self, order):
        wanted = slug(order.get("utm_campaign"))
        moment = when(order["created_at"])
        best = None
        for kind, records in (("campaign", self.raw["campaigns"]), ("flow", self.raw["flows"])):
            for record in records:
                sends = [m["t"] for m in self.messages if (m["kind"], m["source"]) == (kind, record["id"])]
                if wanted and sends and slug(record["name"]) == wanted and min(sends) <= moment:
                    key = (min(sends), kind == "flow", record["id"])
                    if best is None or key > best[0]:
                        best = (key, kind, record["id"])
        if best is None:
            return None, None, None
        _, kind, source = best
        reached = self.last_touch(
            order["contact_id"], moment, marketing=True, email=False, kind=kind, source=source, window=None
        )
        return kind, source, reached[2]

    def rows(self, kind: str) -> dict[int, dict]:
        """The report of every campaign (or flow) that sent, by id."""
        table = {}
        records = self.raw["campaigns" if kind == "campaign" else "flows"]
        amount = {o["id"]: o["amount"] or 0.0 for o in self.orders}
        for record in records:
            mine = [m for m in self.messages if (m["kind"], m["source"]) == (kind, record["id"])]
            if not mine:
                continue
            row = {"name": record["name"], "recipients": len(mine)}
            row["delivered"] = sum(m["status"] == "sent" for m in mine)
            row["queued"] = sum(m["status"] == "queued" for m in mine)
            row["failed"] = sum(m["status"] == "failed" for m in mine)
            for category in CATEGORIES:
                row[f"failed_{category}"] = sum(
                    m["status"] == "failed" and m["failure_category"] == category for m in mine
                )
            row["bounced"] = sum(
                m["status"] == "failed" and m["failure_code"] in ("hard_bounce", "mailbox_full") for m in mine
            )
            credited = {key: value for key, value in self.credits.items() if value[:2] == (kind, record["id"])}
            row["complaints"] = sum(outcome == "complaint" for outcome, _ in credited)
            row["unsubscribes"] = sum(outcome == "unsubscribe" for outcome, _ in credited)
            orders = [(key[1], value[2]) for key, value in credited.items() if key[0] == "order"]
            row["conversions"] = len(orders)
            row["converted"] = len({message for _, message in orders if message is not None})
            row["revenue"] = sum(amount[order] for order, _ in orders)
            row["first_send"] = min(m["t"] for m in mine)
            row["last_send"] = max(m["t"] for m in mine)
            table[record["id"]] = row
        return table

    def cohorts(self) -> dict[tuple[str, int], dict]:
        """(cohort month, months since) -> contacts, buyers, conversions, revenue."""
        month = lambda moment: moment.year * 12 + moment.month - 1  # noqa: E731
        signed = {c["id"]: month(when(c["created_at"])) for c in self.raw["contacts"]}
        cells = defaultdict(lambda: {"buyers": set(), "conversions": 0, "revenue": 0.0})
        for order in self.orders:
            cohort = signed.get(order["contact_id"])
            since = None if cohort is None else month(when(order["created_at"])) - cohort
            if since is not None and since >= 0:
                cell = cells[cohort, since]
                cell["buyers"].add(order["contact_id"])
                cell["conversions"] += 1
                cell["revenue"] += order["amount"] or 0.0
        last = max([*signed.values(), *(month(when(o["created_at"])) for o in self.orders)])
        sizes = defaultdict(int)
        for cohort in signed.values():
            sizes[cohort] += 1
        table = {}
        for cohort, size in sizes.items():
            for since in range(last - cohort + 1):
                cell = cells.get((cohort, since), {"buyers": set(), "conversions": 0, "revenue": 0.0})
                label = f"{cohort // 12}-{cohort % 12 + 1:02d}"
                table[label, since] = {
                    "contacts": size,
                    "buyers": len(cell["buyers"]),
                    "conversions": cell["conversions"],
                    "revenue": cell["revenue"],
                }
        return table


def _compare(report: pd.DataFrame, expected: dict[int, dict]) -> None:
    assert list(report.index) == sorted(expected, key=lambda i: (expected[i]["first_send"], i))
    for ident, row in expected.items():
        got = report.loc[ident]
        for name, value in row.items():
            if name in ("first_send", "last_send"):
                assert got[name] == pd.Timestamp(value), (ident, name)
            elif name == "revenue":
                assert got[name] == pytest.approx(value), (ident, name)
            else:
                assert got[name] == value, (ident, name)
        assert got["bounce_rate"] == pytest.approx(row["bounced"] / row["recipients"])
        if row["delivered"]:
            assert got["conversion_rate"] == pytest.approx(row["converted"] / row["delivered"])
            assert got["complaint_rate"] == pytest.approx(row["complaints"] / row["delivered"])
            assert got["unsubscribe_rate"] == pytest.approx(row["unsubscribes"] / row["delivered"])
        assert got["revenue_per_recipient"] == pytest.approx(row["revenue"] / row["recipients"])


@pytest.mark.parametrize("model", ["last_touch", "utm"])
def test_campaign_and_flow_reports_equal_the_reference_row_by_row(world, model):
    _, frames, raw = world
    reference = Reference(raw, model)
    _compare(reports.campaigns(frames, model=model), reference.rows("campaign"))
    _compare(reports.flows(frames, model=model), reference.rows("flow"))


def test_cohorts_equal_the_reference_cell_by_cell(world):
    _, frames, raw = world
    table = reports.cohorts(frames.contacts, frames.events)
    expected = Reference(raw).cohorts()
    assert len(table) == len(expected)
    for (cohort, since), row in table.iterrows():
        cell = expected[str(cohort), since]
        assert (row["contacts"], row["buyers"], row["conversions"]) == (
            cell["contacts"],
            cell["buyers"],
            cell["conversions"],
        )
        assert row["revenue"] == pytest.approx(cell["revenue"])
        assert row["conversion_share"] == pytest.approx(cell["buyers"] / cell["contacts"])


def test_invariants(world):
    ns, frames, _ = world
    for model in reports.MODELS:
        campaigns = reports.campaigns(frames, model=model)
        sent = frames.campaigns.loc[campaigns.index, "sent_count"]
        assert list(campaigns["recipients"]) == list(sent)
        for ident in campaigns.index[:3]:
            assert len(ns.messages.df(campaign_id=int(ident))) == campaigns.loc[ident, "recipients"]
        flows = reports.flows(frames, model=model)
        assert list(flows["recipients"]) == list(frames.flows.loc[flows.index, "sent_count"])
        summary = reports.summary(frames, model=model)
        orders = frames.events[(frames.events["event"] == "order_placed") & ~frames.events["test"]]
        assert summary.loc["total", "revenue"] == pytest.approx(orders["amount"].sum())
        assert summary.loc["total", "conversions"] == len(orders)
        parts = summary.drop(index="total")
        assert (parts.sum() - summary.loc["total"]).abs().max() < 1e-6  # credited + uncredited = total
        assert summary.loc["campaigns", "revenue"] == pytest.approx(campaigns["revenue"].sum())
        assert summary.loc["flows", "revenue"] == pytest.approx(flows["revenue"].sum())
        assert summary.loc["total", "complaints"] == (frames.suppressions["reason"] == "complaint").sum()
        assert summary.loc["total", "unsubscribes"] == frames.contacts["email_opt_out_at"].notna().sum()
        ledger = reports.credit(frames, model=model)
        assert not ledger.duplicated(["outcome", "outcome_id"]).any()  # nothing credited twice
        for table in (campaigns, flows, reports.series(frames, model=model, period="W")):
            rates = table[[c for c in table.columns if c in reports.RATES]]
            assert ((rates >= 0) & (rates <= 1) | rates.isna()).all().all()
        monthly = reports.series(frames, model=model)
        for name in ("recipients", "delivered", "conversions", "complaints", "unsubscribes"):
            assert monthly[name].sum() == campaigns[name].sum() + flows[name].sum()
        assert monthly["revenue"].sum() == pytest.approx(campaigns["revenue"].sum() + flows["revenue"].sum())


def _arrow_backed(frames: reports.Frames) -> reports.Frames:
    """The frames with every column pyarrow-backed, enums as dictionary arrays, ids as a column."""
    converted = {}
    for name in ("campaigns", "flows", "messages", "events", "contacts", "suppressions"):
        frame = getattr(frames, name).convert_dtypes(dtype_backend="pyarrow").reset_index()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())))
        converted[name] = frame
    return reports.Frames(**converted)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_index_type=False)


@pytest.mark.parametrize("world", SMALL_WORLDS, ids=world_id, indirect=True)
def test_pyarrow_backed_frames_give_the_same_reports(world):
    _, frames, _ = world
    arrow = _arrow_backed(frames)
    assert isinstance(arrow.messages["created_at"].dtype, pd.ArrowDtype)
    for model in reports.MODELS:
        _same(reports.campaigns(arrow, model=model), reports.campaigns(frames, model=model))
        _same(reports.flows(arrow, model=model), reports.flows(frames, model=model))
        _same(reports.series(arrow, model=model), reports.series(frames, model=model))
    _same(reports.cohorts(arrow.contacts, arrow.events), reports.cohorts(frames.contacts, frames.events))


@pytest.mark.parametrize("world", SMALL_WORLDS, ids=world_id, indirect=True)
def test_a_parquet_export_gives_the_same_reports(world, tmp_path):
    ns, frames, _ = world
    read = {}
    for name, resource, filters in (
        ("campaigns", ns.campaigns, {}),
        ("flows", ns.flows, {}),
        ("messages", ns.messages, {"source_type": "all"}),
        ("events", ns.events, {"event": "order_placed"}),
        ("contacts", ns.contacts, {}),
    ):
        read[name] = pd.read_parquet(resource.to_parquet(tmp_path / f"{name}.parquet", **filters))
    read["suppressions"] = frames.suppressions.reset_index()
    exported = reports.Frames(**read)
    assert "id" in exported.messages.columns and exported.events["data"].map(type).eq(str).all()
    _same(reports.campaigns(exported), reports.campaigns(frames))
    assert reports.campaigns(exported).attrs["currency"] == "GBP"
    _same(reports.cohorts(exported.contacts, exported.events), reports.cohorts(frames.contacts, frames.events))


def test_settings_are_checked_and_kept_in_attrs(world):
    _, frames, _ = world
    report = reports.campaigns(frames, window="36h")
    assert report.attrs == {
        "model": "last_touch",
        "window": pd.Timedelta(hours=36),
        "event": "order_placed",
        "currency": "GBP",
    }
    with pytest.raises(ValueError, match="model must be one of last_touch, utm"):
        reports.campaigns(frames, model="first_touch")
    with pytest.raises(TypeError, match="window is a duration"):
        reports.campaigns(frames, window=5)
    with pytest.raises(ValueError, match="window must be a positive duration"):
        reports.flows(frames, window="-1D")
    with pytest.raises(ValueError, match="period must be one of W, M"):
        reports.series(frames, period="Q")
    with pytest.raises(KeyError, match=re.escape('reports read the frame ns.messages.df(source_type="all") returns')):
        reports.campaigns(reports.Frames(**{**vars(frames), "messages": frames.messages.drop(columns="to")}))
    assert np.isnan(reports.campaigns(frames, event="never_tracked")["revenue_per_recipient"]).sum() == 0


@pytest.mark.parametrize("world", SMALL_WORLDS, ids=world_id, indirect=True)
def test_the_client_conveniences_fetch_and_compute_the_same(world):
    ns, frames, _ = world
    _same(ns.reports.campaigns(model="utm", window="2D"), reports.campaigns(frames, model="utm", window="2D"))
    _same(ns.reports.summary(), reports.summary(frames))
    _same(ns.reports.cohorts(period="W"), reports.cohorts(frames.contacts, frames.events, period="W"))
    assert "model: 'str' = 'last_touch'" in str(inspect.signature(ns.reports.flows))


def test_every_report_column_is_defined_in_the_glossary(world):
    _, frames, _ = world
    tables = [
        reports.campaigns(frames).reset_index(),
        reports.flows(frames).reset_index(),
        reports.series(frames).reset_index(),
        reports.summary(frames).reset_index(),
        reports.credit(frames),
        reports.cohorts(frames.contacts, frames.events).reset_index(),
    ]
    columns = {column for table in tables for column in table.columns} - {"id"}
    assert columns <= set(reports.GLOSSARY), columns - set(reports.GLOSSARY)
    assert all(f"``{column}``: {reports.GLOSSARY[column]}" in reports.__doc__ for column in columns)


def test_readable_names_money_with_the_currency_and_rounds(world):
    _, frames, _ = world
    report = reports.campaigns(frames)
    shown = reports.readable(report, ["name", "recipients", "conversion_rate", "revenue_per_recipient"])
    assert list(shown.columns) == ["name", "recipients", "conversion_rate", "revenue_per_recipient (GBP)"]
    assert (shown["revenue_per_recipient (GBP)"] == report["revenue_per_recipient"].round(2)).all()
    assert (shown["conversion_rate"] == report["conversion_rate"].round(3)).all()


def test_the_readme_carries_the_glossary_and_the_currency_statement():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Reports\n", 1)[1].split("\n### ", 1)[0]
    for column, sentence in reports.GLOSSARY.items():
        assert f"- `{column}`: {sentence}\n" in section, column
    for what, why in reports.NOT_MEASURED.items():
        assert f"- Not measured, {what}: {why}\n" in section
    assert "`data.order.currency` (GBP)" in section
