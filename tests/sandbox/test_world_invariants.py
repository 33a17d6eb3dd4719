"""The seeded world's invariants: every table agrees with the others, on several seeds and sizes.

Most checks read a store seeded directly (no HTTP needed); the last few go through the shared sandbox's API, as
an analyst would.
"""

from __future__ import annotations

import re
import statistics
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from sandbox_helpers import every

from nitrosend_nb.sandbox.engine.webhook_delivery import EVENTS
from nitrosend_nb.sandbox.store import CLOCK_START, DOC_TABLES, Store, iso, parse_iso
from nitrosend_nb.sandbox.world.seed import ACCOUNT_AGE_DAYS, BRANDS, ROASTERY, seed_store
from nitrosend_nb.sandbox.world.simulation import (
    ATTRIBUTION_DAYS,
    DIAL,
    DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    SOURCES,
    People,
    billing_period_start,
    slug,
    uuid4_text,
)

NOW = iso(CLOCK_START)
BOUNCED = ("hard_bounce", "mailbox_full")  # failure codes of emails the recipient's server bounced
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WENT_OUT = ("live", "completed", "archived")
WORLDS = [(0, 250), (1, 250), (7, 250), (3, 5000)]


class World:
    """A seeded store read back as documents, grouped the ways the checks need."""

    def __init__(self, seed: int, contacts: int):
        self.store = Store()
        seed_store(self.store, seed=seed, contacts=contacts)
        self.docs = {table: self.store.query(table, order="id ASC") for table in DOC_TABLES}
        self.contacts = {c["id"]: c for c in self.docs["contacts"]}
        self.campaigns = {c["id"]: c for c in self.docs["campaigns"]}
        self.messages = self.docs["messages"]
        self.events = self.docs["events"]
        self.members: dict[int, set[int]] = defaultdict(set)
        for list_id, contact_id in self.store.execute("SELECT list_id, contact_id FROM list_members"):
            self.members[list_id].add(contact_id)
        self.lists = {doc["id"]: doc for doc in self.docs["lists"]}

    def by_campaign(self) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = defaultdict(list)
        for message in self.messages:
            if message.get("campaign_id"):
                found[message["campaign_id"]].append(message)
        return found

    def orders(self) -> list[dict]:
        return [e for e in self.events if e["event"] == "order_placed" and not e["test"]]


@pytest.fixture(scope="module", params=WORLDS, ids=[f"seed{s}-{n}" for s, n in WORLDS])
def world(request) -> World:
    seeded = World(*request.param)
    yield seeded
    seeded.store.close()


def test_campaign_messages_are_its_eligible_recipients_at_send_time(world):
    by_campaign = world.by_campaign()
    for campaign in world.campaigns.values():
        mine = by_campaign.get(campaign["id"], [])
        if campaign["status"] not in WENT_OUT:  # drafts, scheduled, paused and cancelled ones never sent
            assert mine == [] and campaign["sent_at"] is None, campaign["name"]
            continue
        audience = set().union(*(world.members[i] for i in campaign["trigger"]["contact_list_ids"]))
        recipients = [m["contact_id"] for m in mine]
        assert len(recipients) == len(set(recipients)), campaign["name"]  # one message per recipient
        assert set(recipients) <= audience
        for message in mine:
            contact = world.contacts[message["contact_id"]]
            assert message["created_at"] == campaign["sent_at"] >= contact["created_at"]
            assert message["to"] == contact["email"] and message["source_name"] == campaign["name"]
            assert "{{" not in message["subject"]  # merge tags filled per recipient
            opted_out = contact["channels"][0]["opt_out_at"]
            assert opted_out is None or opted_out > campaign["sent_at"]  # unsubscribed contacts are skipped
    roastery_sent = [c for c in world.campaigns.values() if c["brand_id"] == 1 and c["status"] in WENT_OUT]
    assert roastery_sent and all(by_campaign.get(c["id"]) for c in roastery_sent)


def test_no_message_before_its_contact_or_after_the_clock(world):
    for message in world.messages:
        assert message["created_at"] < NOW
        if message.get("contact_id"):
            assert message["created_at"] >= world.contacts[message["contact_id"]]["created_at"]
            assert world.contacts[message["contact_id"]]["brand_id"] == message["brand_id"]
    created = [m["created_at"] for m in world.messages if m["brand_id"] == 1]
    assert created == sorted(created)  # ids follow time


def test_statuses_follow_the_timeline_and_names_their_dates(world):
    for campaign in world.campaigns.values():
        status, moment = campaign["status"], campaign["sent_at"] or campaign["scheduled_at"]
        if status in WENT_OUT:
            assert campaign["sent_at"] < NOW and campaign["locked"]
        if status in ("scheduled", "paused"):
            assert campaign["scheduled_at"] > NOW
        if status in ("draft", "cancelled"):
            assert campaign["scheduled_at"] is None
        named = [i for i, month in enumerate(MONTHS, start=1) if month in campaign["name"].lower()]
        if named and moment:
            assert parse_iso(moment).month == named[0], campaign["name"]
        year = re.search(r"\b(20\d\d)\b", campaign["name"])
        if year and moment:
            assert parse_iso(moment).year == int(year.group(1)), campaign["name"]
    assert {c["status"] for c in world.campaigns.values()} >= {"draft", "scheduled", "live", "completed", "archived"}


def test_lists_follow_from_the_contacts(world):
    by_name = {doc["name"]: doc["id"] for doc in world.lists.values()}
    contacts = world.contacts.values()
    customers = {c["id"] for c in contacts if c["brand_id"] == 1 and c["data"]["orders_count"] > 0}
    assert world.members[by_name["Customers"]] == customers
    vip = {c["id"] for c in contacts if c["brand_id"] == 1 and "vip" in c["data"]["tags"]}
    assert world.members[by_name["VIP"]] == vip
    assert all(world.contacts[i]["data"]["lifetime_value"] >= 150 for i in vip)
    for name, tag in (("Newsletter", "newsletter"), ("Beta testers", "beta"), ("Event attendees", "event-2026")):
        assert world.members[by_name[name]] == {c["id"] for c in contacts if tag in c["data"]["tags"]}
    for list_id, members in world.members.items():
        assert all(world.contacts[i]["brand_id"] == world.lists[list_id]["brand_id"] for i in members)


def test_contact_data_adds_up_to_their_orders_and_messages(world):
    value, count = defaultdict(float), Counter()
    for order in world.orders():
        value[order["contact_id"]] += order["amount"]
        count[order["contact_id"]] += 1
    sent, failed = Counter(), Counter()
    for message in world.messages:
        if message.get("contact_id") and message["status"] != "queued":
            (sent if message["status"] == "sent" else failed)[(message["contact_id"], message["channel"])] += 1
    for contact in world.contacts.values():
        assert contact["data"]["lifetime_value"] == pytest.approx(value[contact["id"]])
        assert contact["data"]["orders_count"] == count[contact["id"]]
        for channel in contact["channels"]:
            kind = "email" if channel["kind"] == "email" else "sms"
            assert (channel["sent_count"], channel["fail_count"]) == (
                sent[(contact["id"], kind)],
                failed[(contact["id"], kind)],
            )


def test_suppressions_are_exactly_the_bounces_and_complaints(world):
    suppressions = world.docs["suppressions"]
    hard = {(m["to"], m["created_at"]) for m in world.messages if m.get("failure_code") == "hard_bounce"}
    soft = {(m["to"], m["created_at"]) for m in world.messages if m.get("failure_code") == "mailbox_full"}
    assert {(s["email"], s["event_occurred_at"]) for s in suppressions if s["reason"] == "hard_bounce"} == hard
    assert {(s["email"], s["event_occurred_at"]) for s in suppressions if s["reason"] == "soft_bounce"} == soft
    assert hard
    delivered = defaultdict(list)
    for message in world.messages:
        if message["status"] == "sent" and message["channel"] == "email":
            delivered[message["to"]].append(message["created_at"])
    for complaint in (s for s in suppressions if s["reason"] == "complaint"):
        assert any(moment <= complaint["event_occurred_at"] for moment in delivered[complaint["email"]])
        contact = world.contacts[complaint["contact_id"]]
        assert not contact["subscribed_email"]
    for suppression in suppressions:
        if suppression["reason"] == "hard_bounce":  # nothing is delivered to the address afterwards
            assert all(moment <= suppression["event_occurred_at"] for moment in delivered[suppression["email"]])
        if suppression["reason"] == "manual":
            assert suppression["contact_id"] is None
        assert suppression["active"] == (suppression["expires_at"] is None or suppression["expires_at"] > NOW)
    for _, spec in BRANDS:
        protected = {f"qa@{spec.domain}", f"marketing@{spec.domain}", "owner@acme.test"}
        assert not protected & {s["email"] for s in suppressions}


def test_usage_counters_equal_the_messages(world):
    billing = world.store.meta("account")["billing"]
    period = iso(billing_period_start(CLOCK_START - timedelta(days=ACCOUNT_AGE_DAYS)))
    assert NOW > period > iso(CLOCK_START - timedelta(days=32))
    for channel, lifetime in (("email", "email_sent"), ("sms", "sms_sent")):
        sent = [m for m in world.messages if m["channel"] == channel and m["status"] == "sent"]
        assert billing["lifetime"][lifetime] == len(sent) > 0
        used = billing["resources"][channel]["used"]
        assert used == sum(m["created_at"] >= period for m in sent) > 0
        allowance = billing["resources"][channel]["allowance"]
        assert billing["resources"][channel]["remaining"] == max(0, allowance - used)


def test_orders_name_real_campaigns_and_revenue_differs(world):
    campaigns = {(c["brand_id"], slug(c["name"])): c for c in world.campaigns.values()}
    recipients = {(m["campaign_id"], m["contact_id"]) for m in world.messages if m.get("campaign_id")}
    revenue = Counter()
    for order in world.orders():
        if order.get("utm_campaign"):
            campaign = campaigns[(order["brand_id"], order["utm_campaign"])]
            assert (campaign["id"], order["contact_id"]) in recipients  # the contact got that campaign
            sent = parse_iso(campaign["sent_at"])
            assert sent < parse_iso(order["created_at"]) <= sent + timedelta(days=ATTRIBUTION_DAYS, hours=1)
            revenue[campaign["id"]] += order["amount"]
    values = [round(v, 2) for v in revenue.values()]  # campaigns earn different amounts
    assert len(set(values)) >= 3 and max(values) > 2 * min(values)
    assert all(e.get("utm_campaign") is None for e in world.events if e["event"] != "order_placed")


def test_growth_has_its_spikes(world):
    weeks = Counter(
        (parse_iso(c["created_at"]).date() - datetime(2025, 11, 3).date()).days // 7
        for c in world.contacts.values()
        if c["brand_id"] == 1
    )
    median = statistics.median(weeks.get(week, 0) for week in range(52))
    black_friday = weeks[(datetime(2025, 11, 24).date() - datetime(2025, 11, 3).date()).days // 7]
    launch = weeks[(datetime(2026, 9, 14).date() - datetime(2025, 11, 3).date()).days // 7]
    assert black_friday > 2 * median and launch > 2 * median


def test_transactional_outcomes_are_recorded_for_webhooks(world):
    transactional = [m for m in world.messages if m.get("source_type") is None and m["channel"] == "email"]
    assert transactional and all(m["template_id"] for m in transactional)
    for message in transactional:
        kinds = [kind for kind, _ in message["engagement"]]
        moments = [moment for _, moment in message["engagement"]]
        assert all(message["created_at"] <= moment < NOW for moment in moments)
        if message["status"] == "sent":
            assert kinds[:1] == ["delivered"] and "bounced" not in kinds
            assert "clicked" not in kinds or "opened" in kinds
        elif message["failure_code"] in BOUNCED:  # taken by the provider, then bounced
            assert message["provider_id"] and kinds in ([], ["bounced"])
        else:  # never left
            assert message.get("provider_id") is None and kinds == []


def test_webhook_deliveries_are_the_transactional_emails_events_while_the_endpoint_was_on(world):
    hooks = world.docs["webhooks"]
    assert [(h["brand_id"], h["url"], h["events"], h["enabled"], h["status"]) for h in hooks] == [
        (1, "https://hooks.acme.test/nitrosend", list(EVENTS), False, "disabled")
    ]
    hook = hooks[0]
    since, until = hook["created_at"], hook["updated_at"]  # added, then switched off before the clock's start
    assert NOW > until > since and hook["secret"].startswith("whsec_")
    expected = {}
    for message in world.messages:
        if message["channel"] == "email" and message.get("source_type") is None and message["brand_id"] == 1:
            # a bounced email was accepted, then bounced: sent + bounced, never failed; failed: it never left
            bounced = message.get("failure_code") in BOUNCED
            first = "email.failed" if message["status"] == "failed" and not bounced else "email.sent"
            for kind, moment in [[first, message["created_at"]], *message["engagement"]]:
                event_type = kind if kind.startswith("email.") else f"email.{kind}"
                if since <= moment < until:
                    expected[(message["id"], event_type)] = moment
    deliveries = world.docs["webhook_deliveries"]
    assert len(expected) > 20
    messages = {m["id"]: m for m in world.messages}
    seen = {}
    for delivery in deliveries:
        payload, data = delivery["payload"], delivery["payload"]["data"]
        message = messages[data["message_id"]]
        assert (delivery["webhook_id"], delivery["brand_id"], message["brand_id"]) == (hook["id"], 1, 1)
        assert delivery["event_type"] == payload["type"]
        assert (
            delivery["status"],
            delivery["attempts"],
            delivery["last_response_status"],
            delivery["next_attempt_at"],
            delivery["test"],
        ) == ("delivered", 1, 200, None, False)
        assert message["created_at"] <= delivery["created_at"] == payload["timestamp"] == delivery["updated_at"]
        assert since <= delivery["created_at"] < until
        assert (data["to"], data["subject"], data["sent_at"]) == (
            message["to"],
            message["subject"],
            message["created_at"],
        )
        if payload["type"] == "email.failed":
            assert data["failure"]["code"] == message["failure_code"] is not None
        if payload["type"] == "email.bounced":
            assert data["bounce"]["type"] == ("hard" if message["failure_code"] == "hard_bounce" else "soft")
        if payload["type"] == "email.clicked":
            assert data["url"].startswith("https://acme.test/")
        seen[(message["id"], payload["type"])] = delivery["created_at"]
    assert len(seen) == len(deliveries) and seen == expected  # one delivery per event, none missing
    for message_id in {message_id for message_id, _ in seen}:
        message, types = messages[message_id], {t for i, t in seen if i == message_id}
        assert not {"email.failed", "email.bounced"} <= types  # one story per message
        assert ("email.bounced" in types) <= (message.get("failure_code") in BOUNCED and "email.sent" in types)
        never_left = message["status"] == "failed" and message.get("failure_code") not in BOUNCED
        assert ("email.failed" in types) == never_left
    if len(world.contacts) >= 5000:  # big enough for transactional bounces while the endpoint was on
        assert {"email.bounced", "email.failed"} <= {event_type for _, event_type in seen}
    assert len({d["event_id"] for d in deliveries}) == len(deliveries)
    assert [d["created_at"] for d in deliveries] == sorted(d["created_at"] for d in deliveries)  # ids follow time
    last = hook["last_delivery"]
    assert (last["event_id"], last["attempted_at"]) == (deliveries[-1]["event_id"], deliveries[-1]["updated_at"])


def test_same_seed_same_bytes_and_another_seed_differs():
    def dump(seed: int) -> list:
        store = Store()
        seed_store(store, seed=seed, contacts=60)
        rows = [store.execute(f"SELECT id, doc FROM {table} ORDER BY id") for table in DOC_TABLES]
        rows.append(store.execute("SELECT * FROM list_members ORDER BY list_id, contact_id"))
        rows.append(store.execute("SELECT key, value FROM meta ORDER BY key"))
        store.close()
        return rows

    assert dump(5) == dump(5)
    assert dump(5) != dump(6)


@pytest.mark.parametrize("bits", [0, 2**128 - 1, 0x0123456789ABCDEF0123456789ABCDEF, 2**76, 2**64 - 1])
def test_contact_uuids_are_the_standard_libraries_version_4_text(bits):
    assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))


def test_a_person_kept_as_numbers_reads_back_what_it_was_made_of():
    people = People(
        first_id=7, lists=["Newsletter", "VIP"], tags=["newsletter", "vip"], size=len(FIRST_NAMES) * len(LAST_NAMES)
    )
    made = []
    for n, (first, last) in enumerate((f, la) for f in FIRST_NAMES for la in LAST_NAMES):
        country, (source, _), (domain, _) = list(DIAL)[n % len(DIAL)], SOURCES[n % 5], DOMAINS[n % 7]
        index = people.add(-n, first, last, country, source, domain, n % 3 and 100000 + n)
        people.settle(index, bad=n % 2 == 0, opted_in=n % 3 == 0, sms_ok=n % 5 == 0)
        made.append((first, last, country, source, domain, n))
    assert len(people) == len(made) == len(FIRST_NAMES) * len(LAST_NAMES)
    for person, (first, last, country, source, domain, n) in zip(people, made, strict=True):
        assert person.email == f"{first}.{last}.{person.id}@{domain}".lower().replace(" ", "")
        assert person.phone == (f"{DIAL[country]}{100000 + n}" if n % 3 else None)
        assert (person.first, person.last, person.country, person.source) == (first, last, country, source)
        flags = (person.bad, person.opted_in, person.subscribed, person.sms_ok)
        assert flags == (n % 2 == 0, n % 3 == 0, n % 3 == 0, n % 5 == 0)
        assert person.created == -n
    ada = people[3]
    assert ada.opt_out is None and ada.suppressed is None and ada.plan == "none" and ada.tags == set()
    ada.opt_out, ada.suppressed, ada.plan, ada.ltv, ada.subscribed = -50, "complaint", "monthly", 12.5, False
    ada.join_list("VIP"), ada.add_tag("vip"), ada.count(2), ada.count(2)
    assert (ada.opt_out, ada.suppressed, ada.plan, ada.ltv, ada.subscribed) == (
        -50,
        "complaint",
        "monthly",
        12.5,
        False,
    )
    assert ada.in_list("VIP") and not ada.in_list("Newsletter") and ada.tags == {"vip"} and ada.counts == (0, 0, 2, 0)
    assert (ada.bad, ada.opted_in, ada.sms_ok, ada.source) == (False, True, False, made[3][3])  # beside those bits
    ada.suppressed = None
    assert ada.suppressed is None and not ada.suppressed_at(0) and ada.opted_in and not ada.subscribed
    assert not people[4].in_list("VIP") and people[4].counts == (0, 0, 0, 0)  # the others are untouched


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 64, 1000])
def test_a_lists_members_are_read_from_the_contacts_list_bits_in_order_across_chunks(size):
    people = People(first_id=1, lists=["Newsletter", "VIP", "Customers"], tags=[], size=size)
    for n in range(size):
        people.add(-n, "Ada", "Lovelace", "GB", "api", "gmail.com", 0)
        if n % 3 == 0 or n == size - 1:  # the last one, where a chunk may end
            people[n].join_list("VIP")
        if n % 4 == 0:
            people[n].join_list("Customers")

    def on(*names: str) -> list[int]:
        chunks = list(people.on_lists(names, chunk=8))
        assert all(len(chunk) <= 8 for chunk in chunks)
        return [int(index) for chunk in chunks for index in chunk]

    assert on("VIP") == [n for n in range(size) if n % 3 == 0 or n == size - 1]
    assert on("VIP", "Customers") == [n for n in range(size) if n % 3 == 0 or n % 4 == 0 or n == size - 1]
    assert on("Newsletter") == []


def test_a_world_seeded_into_a_file_is_the_world_seeded_in_memory(tmp_path):
    memory, disk = Store(), Store(str(tmp_path / "seeded.db"))
    for store in (memory, disk):
        seed_store(store, seed=4, contacts=300)
    tables = [row[0] for row in memory.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
    for table in tables:
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert disk.execute(query) == memory.execute(query), table
    assert disk.execute("PRAGMA journal_mode") == [("wal",)]  # the rollback journal was for the load only
    memory.close(), disk.close()


# -- over HTTP, as an analyst joins the tables ----------------------------------------------------------------
def test_lists_campaigns_and_usage_reconcile_over_http(api):
    for item in every(api, "/lists"):
        assert item["contacts_count"] == len(every(api, "/contacts", list_id=item["id"]))
    campaigns = every(api, "/campaigns")
    assert sum(c["sent_count"] for c in campaigns) == len(every(api, "/messages", source_type="campaign"))
    assert len(campaigns) == len(ROASTERY.campaigns)
    account = api.get("/account").json()
    sent = every(api, "/messages", source_type="all", status="sent", channel="email")
    cafe = api.get("/brands").json()[1]["sid"]
    sent += every(api, "/messages", {"X-Brand-SID": cafe}, source_type="all", status="sent", channel="email")
    assert account["billing"]["lifetime"]["email_sent"] == len(sent)


def test_revenue_per_campaign_from_events_over_http(api):
    orders = every(api, "/events", event="order_placed", test="false")
    revenue = Counter()
    for order in orders:
        if order["utm_campaign"]:
            revenue[order["utm_campaign"]] += order["amount"]
    names = {slug(c["name"]) for c in every(api, "/campaigns")}
    values = [round(v, 2) for v in revenue.values()]
    assert set(revenue) <= names and len(set(values)) >= 3 and max(values) > 2 * min(values)


def test_live_sends_never_reach_the_seeded_webhook_endpoint(fresh_api):
    hook = every(fresh_api, "/webhooks")[0]
    assert (hook["url"], hook["enabled"], hook["status"]) == ("https://hooks.acme.test/nitrosend", False, "disabled")
    before = every(fresh_api, f"/webhooks/{hook['id']}/deliveries")
    assert before and {d["status"] for d in before} == {"delivered"}
    for key, to in (("k-live-1", "someone@example.com"), ("k-live-2", "bounce@example.com")):
        sent = fresh_api.send(key, channel="email", to=to, subject="Hi", html="<p>Hi</p>")
        assert sent.status_code == 201, sent.text
    assert every(fresh_api, f"/webhooks/{hook['id']}/deliveries") == before  # nothing queued, nothing retried
    assert fresh_api.get(f"/webhooks/{hook['id']}").json() == hook


@pytest.mark.parametrize(("lists", "code"), [(0, "B"), (8, "B"), (9, "H"), (16, "H"), (17, "I"), (64, "Q")])
def test_a_contacts_list_bits_take_the_narrowest_column_that_holds_them(lists, code):
    names = [f"List {n}" for n in range(lists)]
    people = People(first_id=1, lists=names, tags=[], size=3)
    for n in range(3):
        people.add(-n, "Ada", "Lovelace", "GB", "api", "gmail.com", 0)
    assert people.lists.typecode == code
    if names:
        people[1].join_list(names[-1])
        assert people[1].in_list(names[-1]) and not people[0].in_list(names[-1])
        assert [chunk.tolist() for chunk in people.on_lists([names[-1]])] == [[1]]


def test_more_lists_than_a_contacts_bits_hold_are_refused():
    with pytest.raises(ValueError, match="at most 64"):
        People(first_id=1, lists=[f"List {n}" for n in range(65)], tags=[], size=1)
