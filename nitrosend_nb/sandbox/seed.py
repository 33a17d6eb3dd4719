"""Deterministic seed data: an account with billing and one brand, contacts, lists, segments, templates,
campaigns, flows and messages, dated over the year before the fixed clock's start.

Everything comes from ``random.Random(seed)`` and is bulk-inserted, so 100,000 contacts seed in seconds and the
same seed always yields byte-identical data.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta
from itertools import accumulate
from urllib.parse import quote

from .flow_steps import step_templates
from .store import CLOCK_START, Store, iso

FIRST_NAMES = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim", "Radia",
               "Guido", "Hedy", "Donald", "Karen", "John", "Sophie", "Mateo", "Aisha", "Yuki", "Lars", "Amara",
               "Chen", "Priya", "Olivia", "Noah", "Emma", "Liam", "Mia", "Lucas", "Zara", "Omar", "Ines", "Kofi",
               "Freya", "Hugo", "Leila", "Ravi", "Elena", "Jonas")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen",
              "Berners-Lee", "Perlman", "van Rossum", "Lamarr", "Knuth", "Jones", "McCarthy", "Martin", "Garcia",
              "Khan", "Tanaka", "Nielsen", "Okafor", "Wei", "Patel", "Smith", "Brown", "Dubois", "Rossi", "Silva",
              "Mensah", "Schmidt", "Novak", "Haddad", "Kowalski", "Murphy", "Andersson")
COUNTRIES = (("GB", 22), ("US", 28), ("DE", 10), ("FR", 8), ("ES", 5), ("NL", 5), ("IE", 4), ("AU", 6), ("CA", 6),
             ("JP", 3), ("IN", 3))
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "example.org", "fastmail.com")
SOURCES = (("signup_form", 40), ("import", 25), ("checkout", 20), ("api", 10), ("landing_page", 5))
TAGS = ("vip", "newsletter", "customer", "trial", "beta", "churn-risk", "wholesale", "event-2026")
DIAL = {"GB": "+447700", "US": "+1555", "DE": "+49151", "FR": "+33612", "ES": "+34612", "NL": "+31612",
        "IE": "+35385", "AU": "+61412", "CA": "+1604", "JP": "+8190", "IN": "+91981"}
ACCOUNT_ID, BRAND_ID = 1, 1
YEAR = 365 * 24 * 3600


def _weighted(rng: random.Random, pairs: tuple) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _picture(label: str, width: int, height: int, background: str) -> str:
    """An inline SVG picture as a ``data:`` URI, so seeded logos and images show offline."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
           f'<rect width="100%" height="100%" rx="6" fill="{background}"/><text x="50%" y="50%" fill="#ffffff" '
           f'font-family="Georgia, serif" font-size="{height // 3}" text-anchor="middle" dominant-baseline="central">'
           f'{label}</text></svg>')
    return "data:image/svg+xml," + quote(svg)


def _moment(seconds_before_start: float) -> str:
    return iso(CLOCK_START - timedelta(seconds=int(seconds_before_start)))


def account_doc(rng: random.Random) -> dict:
    """The account (tier, billing with per-resource usage, one brand)."""
    def resource(used: int, allowance: int, rate: float) -> dict:
        return {"used": used, "allowance": allowance, "remaining": max(0, allowance - used), "overage_rate": rate}

    created = _moment(YEAR + 30 * 86400)
    brand = {
        "id": BRAND_ID, "sid": "brd_" + rng.getrandbits(64).to_bytes(8, "big").hex(), "account_id": ACCOUNT_ID,
        "brand_color": "#4f46e5", "text_color": "#1f2937", "bg_color": "#f4f4f7",
        "font_heading": "Georgia, serif", "font_body": "Helvetica, Arial, sans-serif",
        "style_notes": "Friendly, plain language, one call to action per email.", "tone": "warm",
        "company_description": "Acme Coffee roasts small-batch coffee and ships it fresh every week.",
        "industry": "Food & Beverage", "example_copy": ["Fresh beans, roasted this week.", "Your cup, your way."],
        "default_header": {"type": "header", "props": {"title": "Acme Coffee"}},
        "default_footer": {"type": "footer", "props": {"text": "Acme Coffee Ltd", "address": "1 Roast Lane, Bristol"}},
        "default_theme": {"brand_color": "#4f46e5", "bg_color": "#f4f4f7"},
        "physical_address": "1 Roast Lane, Bristol BS1 4DJ, United Kingdom", "company_name": "Acme Coffee",
        "source_url": "https://acme.test", "last_scraped_at": _moment(200 * 86400),
        "links": [{"url": "https://instagram.com/acmecoffee", "icon": "instagram", "title": "Instagram"},
                  {"url": "https://acme.test", "icon": "globe", "title": "Website"}],
        "logo": _picture("Acme Coffee", 180, 48, "#6f4e37"), "complete": True,
        "email_from_name": "Acme Coffee", "email_from_email": "hello@acme.test", "email_reply_to": "support@acme.test",
        "test_email_recipients": ["qa@acme.test", "marketing@acme.test"],
        "onboarding_state": {"brand": {"completed_at": created}, "domain": {"completed_at": created}},
        "onboarding": {"steps": {"brand": "complete", "domain": "complete", "first_campaign": "complete"},
                       "progress": {"completed": 3, "total": 3}},
        "domain_verified": True, "can_send": True, "using_sandbox": False, "sandbox_email": None,
        "sandbox_monthly_cap": 100, "sandbox_sends_remaining": 100,
        "capabilities": {"email": True, "sms": True, "ai": True},
        "created_at": created, "updated_at": _moment(200 * 86400),
    }
    return {
        "id": ACCOUNT_ID, "name": "Acme Coffee", "avatar": None, "banner": None, "account_tier": "paid",
        "billing": {
            "plan_name": "Growth", "wallet_balance_cents": 4250, "auto_topup": False,
            "resources": {"email": resource(18342, 50000, 0.0008), "sms": resource(412, 1000, 0.04),
                          "ai": resource(37, 200, 0.02)},
            "lifetime": {"email_sent": 214870, "sms_sent": 5120, "ai_used": 512},
        },
        "brands": [brand], "created_at": created, "updated_at": _moment(200 * 86400),
    }


def contact_docs(rng: random.Random, count: int, channel_ids: list[int]):
    """Yield ``count`` contact documents (ids 1..count, oldest first).

    The hot path of seeding a million contacts: the same random draws in the same order as ever (so a seed
    always yields the same data), with the per-contact work hoisted out (bound methods, cumulative weights,
    timestamps formatted from epoch seconds).
    """
    choice, choices, rand, randrange, sample, bits = (rng.choice, rng.choices, rng.random, rng.randrange,
                                                      rng.sample, rng.getrandbits)
    countries, country_weights = [c for c, _ in COUNTRIES], list(accumulate(w for _, w in COUNTRIES))
    sources, source_weights = [c for c, _ in SOURCES], list(accumulate(w for _, w in SOURCES))
    start = int(CLOCK_START.timestamp())

    def moment(seconds_before_start: float) -> str:  # == _moment, without datetime objects
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start - int(seconds_before_start)))

    step = YEAR / max(count, 1)
    for cid in range(1, count + 1):
        first, last = choice(FIRST_NAMES), choice(LAST_NAMES)
        country = choices(countries, cum_weights=country_weights)[0]
        created = moment(YEAR - cid * step + rand() * step * 0.5)
        email = f"{first}.{last}.{cid}@{choice(DOMAINS)}".lower().replace(" ", "")
        has_phone = rand() < 0.4
        phone = f"{DIAL[country]}{randrange(100000, 999999)}" if has_phone else None
        subscribed_email = rand() < 0.86
        subscribed_phone = has_phone and rand() < 0.7
        tags = sorted(sample(TAGS, k=choice((0, 1, 1, 2, 2, 3))))
        interacted = moment(rand() * 90 * 86400) if rand() < 0.7 else None
        channels = []
        for kind, value, subscribed in (("email", email, subscribed_email), ("phone", phone, subscribed_phone)):
            if value:
                channel_ids[0] += 1
                channels.append({
                    "id": channel_ids[0], "kind": kind, "value": value, "subscribed": subscribed,
                    "verified": kind == "email" and rand() < 0.9,
                    "opt_in_at": created if subscribed else None, "opt_out_at": None if subscribed else interacted or created,
                    "sent_count": randrange(0, 40), "fail_count": choice((0, 0, 0, 1)), "data": {},
                    "created_at": created, "updated_at": created,
                })
        yield {
            "id": cid, "brand_id": BRAND_ID, "uuid": _uuid_text(bits(128)), "first_name": first, "last_name": last,
            "source": choices(sources, cum_weights=source_weights)[0], "country_code": country,
            "data": {"tags": tags, "plan": choice(("free", "basic", "pro")),
                     "lifetime_value": round(rand() * 400, 2)},
            "subscribed_phone": subscribed_phone, "subscribed_email": subscribed_email,
            "verification_status": choice(("verified", "verified", "verified", "unverified", "suppressed")),
            "enrichment_status": choice(("enriched", "not_enriched")), "last_interacted_at": interacted,
            "created_at": created, "updated_at": created, "email": email, "phone": phone, "channels": channels,
        }


def _uuid_text(number: int) -> str:
    """``str(uuid.UUID(int=number, version=4))``, formatted directly."""
    number = (number & ~(0xC000 << 48) | (0x8000 << 48)) & ~(0xF000 << 64) | (4 << 76)
    text = f"{number:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


LISTS = (("Newsletter", 0.55), ("Customers", 0.35), ("VIP", 0.08), ("Beta testers", 0.12), ("Event attendees", 0.2))
SEGMENTS = (
    ("UK subscribers", [{"name": "contact_country", "predicate": "eq", "value": "GB"},
                        {"name": "contact_subscribed_email", "predicate": "true", "value": True}]),
    ("Gmail users", [{"name": "contact_email", "predicate": "end", "value": "@gmail.com"}]),
    ("VIP customers", [{"name": "contact_tag", "predicate": "eq", "value": "vip"}]),
    ("Joined in the last 90 days", [{"name": "contact_created_at", "predicate": "gteq",
                                     "value": iso(CLOCK_START - timedelta(days=90))}]),
)


def _section(kind: str, **props) -> dict:
    return {"type": kind, "props": props}


def template_docs() -> list[dict]:
    """Six templates with designs and merge tags."""
    footer = _section("footer", text="Acme Coffee Ltd", address="1 Roast Lane, Bristol")
    header = _section("header", title="Acme Coffee")
    specs = [
        ("Welcome", "Welcome to Acme, {{ contact.first_name | default: \"friend\" }}!", "Your first bag ships soon.",
         [header, _section("hero", heading="Welcome, {{ contact.first_name | default: \"friend\" }}",
                           subheading="Fresh coffee, roasted this week.", button_text="Pick your roast",
                           button_url="https://acme.test/shop"),
          _section("text", text="Thanks for joining. Here is 10% off your first order: WELCOME10."), footer]),
        ("Order confirmation", "Order {{ data.order_id }} confirmed", "Thanks for your order.",
         [header, _section("text", heading="Thanks, {{ contact.first_name }}!",
                           text="We received order {{ data.order_id }} for {{ data.total }}."),
          _section("button", text="Track your order", url="https://acme.test/orders"), footer]),
        ("Password reset", "Reset your password", "Link valid for one hour.",
         [header, _section("text", text="Hi {{ contact.first_name }}, use the button below to reset your password."),
          _section("button", text="Reset password", url="https://acme.test/reset"), footer]),
        ("Monthly newsletter", "What's brewing in {{ data.month | default: \"November\" }}", "New origins and a recipe.",
         [header, _section("image", src=_picture("Fresh beans", 560, 200, "#8b5a2b"), alt="Coffee beans"),
          _section("text", heading="New this month", text="Two new single origins from Ethiopia and Colombia."),
          _section("columns", columns=[{"heading": "Yirgacheffe", "text": "Floral and bright."},
                                       {"heading": "Huila", "text": "Chocolate and caramel."}]),
          _section("divider"), _section("social", links=[{"url": "https://instagram.com/acmecoffee",
                                                          "title": "Instagram"}]), footer]),
        ("Product launch", "Meet the Acme Grinder", "Burr grinding, made simple.",
         [header, _section("hero", heading="The Acme Grinder", subheading="40 settings. One button.",
                           image_url=_picture("Acme Grinder", 560, 200, "#374151")),
          _section("product", name="Acme Grinder", price="£89", description="Conical burrs, quiet motor.",
                   url="https://acme.test/grinder"), _section("spacer", height=24), footer]),
        ("Win-back", "We miss you, {{ contact.first_name | default: \"there\" }}", "A little something to come back.",
         [header, _section("text", text="It has been a while. Here is free shipping on your next order."),
          _section("button", text="Come back", url="https://acme.test/shop"), footer]),
    ]
    docs = []
    for index, (name, subject, preheader, sections) in enumerate(specs, start=1):
        stamp = _moment((300 - index * 40) * 86400)
        docs.append({
            "id": index, "name": name, "flow_id": None, "action_id": None, "subject": subject, "body": None,
            "preheader": preheader, "from_name": "Acme Coffee", "from_email": "hello@acme.test",
            "reply_to": "support@acme.test", "design": {"sections": sections, "theme": {}},
            "created_at": stamp, "updated_at": stamp,
        })
    return docs


CAMPAIGNS = (
    ("Spring sale", "completed", 1), ("Summer origins", "completed", 4), ("Back to school brew", "completed", 4),
    ("Autumn roast launch", "completed", 5), ("Grinder launch", "completed", 5), ("October newsletter", "completed", 4),
    ("Holiday gift guide", "active", 4), ("Black Friday teaser", "paused", 5), ("Winter blend", "draft", 4),
    ("VIP tasting invite", "draft", 1), ("Win-back Q4", "draft", 6), ("SMS flash sale", "paused", None),
)


def campaign_docs(rng: random.Random, next_id, attached: list[dict], reach: dict[int, int]) -> list[dict]:
    """About a dozen campaigns across statuses; sent ones went out over past months to their list's subscribed
    members (``reach``: list id -> that count). Each campaign's template is appended to ``attached`` (ids
    continuing after the standalone templates)."""
    templates = {t["id"]: t for t in template_docs()}
    docs = []
    for index, (name, status, template_id) in enumerate(CAMPAIGNS, start=1):
        created = _moment((330 - index * 26) * 86400)
        sent = status in ("completed", "active", "paused") and template_id is not None
        channel = "email" if template_id else "sms"
        list_ids = [rng.randrange(1, len(LISTS) + 1)]
        flow_id = next_id("campaign_flow", 1001)
        source = templates.get(template_id, {"subject": "Flash sale: 20% off today only", "body": "Reply STOP to opt out",
                                             "preheader": None, "design": None})
        template = {
            "id": len(templates) + len(attached) + 1, "name": name, "flow_id": flow_id, "action_id": None,
            "subject": source["subject"], "body": source.get("body"), "preheader": source.get("preheader"),
            "from_name": "Acme Coffee", "from_email": "hello@acme.test", "reply_to": "support@acme.test",
            "design": source.get("design"), "created_at": created, "updated_at": created,
        }
        sent_at = _moment((320 - index * 26) * 86400) if sent else None
        docs.append({
            "id": index, "account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "status": status,
            "approval_state": "approved" if sent else "pending", "channel": channel, "name": name,
            "data": {}, "scheduled_at": sent_at, "sent_count": reach.get(list_ids[0], 0) if sent else 0,
            "created_at": created, "updated_at": sent_at or created, "sent_at": sent_at, "locked": sent,
            "trigger": {"id": next_id("campaign_trigger", 1001), "flow_id": flow_id, "event": "campaign",
                        "segment_id": None, "contact_list_id": list_ids[0], "contact_list_ids": list_ids,
                        "data": None, "triggered_count": 1 if sent else 0, "last_triggered_at": sent_at,
                        "created_at": created, "updated_at": sent_at or created},
            "template_id": template["id"],
        })
        attached.append(template)
    return docs


def flow_docs(attached: list[dict]) -> list[dict]:
    """Three standalone automation flows; the templates of their email steps are appended to ``attached``."""
    specs = [
        ("Welcome series", "active", "Turn new sign-ups into first orders", {"event": "contact_add"},
         [{"type": "email", "subject": "Welcome to Acme, {{ contact.first_name }}!"}, {"type": "wait", "duration": 172800},
          {"type": "split", "filters": [{"name": "contact_tag", "predicate": "eq", "value": "customer"}],
           "yes": [{"type": "email", "subject": "Thanks for your first order"}],
           "no": [{"type": "email", "subject": "10% off your first bag"}]}]),
        ("Abandoned cart", "active", "Recover carts", {"event": "cart_abandoned"},
         [{"type": "wait", "duration": 3600}, {"type": "email", "subject": "You left something behind"},
          {"type": "wait", "duration": 86400}, {"type": "sms", "body": "Your cart is waiting: acme.test/cart"}]),
        ("VIP birthday", "paused", None, {"event": "birthday", "contact_list_ids": [3]},
         [{"type": "email", "subject": "Happy birthday, {{ contact.first_name }}!"},
          {"type": "emit_event", "event_name": "birthday_sent", "forward_event_data": True}]),
    ]
    docs = []
    for index, (name, status, goal, trigger, steps) in enumerate(specs, start=1):
        stamp = _moment((250 - index * 50) * 86400)
        templates = step_templates(steps, index, stamp)
        for template in templates:
            template["id"] = len(template_docs()) + len(attached) + 1
            attached.append(template)
        docs.append({
            "id": index, "account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "status": status,
            "approval_state": "approved" if status == "active" else "pending", "name": name, "goal": goal,
            "trigger": {"event": trigger["event"], "segment_id": None,
                        "contact_list_ids": trigger.get("contact_list_ids", []), "data": None},
            "steps": steps, "sent_count": 0, "created_at": stamp, "updated_at": stamp,
            "template_ids": [t["id"] for t in templates],
        })
    return docs


def message_docs(rng: random.Random, contacts: int, campaigns: list[dict], flows: list[dict]) -> list[dict]:
    """A few hundred past messages across channels, statuses and sources over the last six months, busier
    recently and on weekdays, with ids in the order they were sent (the newest has the highest id)."""
    docs = []
    subjects = ("Your receipt", "Password reset", "Order shipped", "Your order is confirmed", "Verify your email")
    moments: list[float] = []
    while len(moments) < 320:
        seconds_before = rng.betavariate(1.0, 2.5) * 180 * 86400
        weekday = (CLOCK_START - timedelta(seconds=seconds_before)).weekday()
        if weekday < 5 or rng.random() < 0.4:  # weekends are quieter
            moments.append(seconds_before)
    for mid, created_s in enumerate(sorted(moments, reverse=True), start=1):
        source = rng.choices(("transactional", "campaign", "flow"), weights=(5, 3, 2))[0]
        channel = "sms" if rng.random() < 0.15 else "email"
        cid = rng.randrange(1, contacts + 1) if contacts else None
        to = f"customer{cid or mid}@example.org" if channel == "email" else f"+4477009{rng.randrange(10000, 99999)}"
        status = rng.choices(("sent", "failed", "queued"), weights=(90, 8, 2))[0]
        origin = {"flow_id": None, "source_type": None, "source_name": None}
        if source == "campaign":
            camp = rng.choice(campaigns)
            origin = {"flow_id": camp["trigger"]["flow_id"], "source_type": "campaign", "source_name": camp["name"]}
        elif source == "flow":
            flow = rng.choice(flows)
            origin = {"flow_id": flow["id"], "source_type": "flow", "source_name": flow["name"]}
        created = _moment(created_s)
        docs.append({
            "id": mid, "channel": channel, "to": to,
            "subject": rng.choice(subjects) if channel == "email" else None, "status": status,
            "provider_id": f"sbx-{rng.getrandbits(48):012x}" if status != "queued" else None, **origin,
            "sent_at": _moment(created_s - 2) if status == "sent" else None, "created_at": created,
        })
    return docs


def seed_store(store: Store, seed: int = 0, contacts: int = 250) -> None:
    """Fill an empty store with the deterministic demo data and reset the clock to its start."""
    rng = random.Random(seed)

    def next_id(name: str, start: int) -> int:
        return store.next_seq(name, start)

    with store.atomic():
        store.set_meta("clock", 0)
        store.set_meta("account", account_doc(rng))
        store.set_meta("owner_email", "owner@acme.test")
        channel_ids = [0]
        store.insert_many("contacts", contact_docs(rng, contacts, channel_ids))
        store.set_meta("seq:channel", channel_ids[0])
        stamp = _moment(340 * 86400)
        store.insert_many("lists", ({"id": i, "account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "name": name,
                                     "segment_id": None, "stale": False, "last_populated_at": None,
                                     "created_at": stamp, "updated_at": stamp}
                                    for i, (name, _) in enumerate(LISTS, start=1)))
        store.executemany("INSERT INTO list_members (list_id, contact_id) VALUES (?, ?)",
                          ((lid, cid) for cid in range(1, contacts + 1)
                           for lid, (_, share) in enumerate(LISTS, start=1) if rng.random() < share))
        store.insert_many("segments", ({"id": i, "account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "name": name,
                                        "filters": filters, "created_at": _moment((200 - i * 20) * 86400),
                                        "updated_at": _moment((200 - i * 20) * 86400)}
                                       for i, (name, filters) in enumerate(SEGMENTS, start=1)))
        attached: list[dict] = []
        reach = dict(store.execute(
            "SELECT m.list_id, COUNT(*) FROM list_members m JOIN contacts c ON c.id = m.contact_id"
            " WHERE json_extract(c.doc, '$.subscribed_email') GROUP BY m.list_id"))
        campaigns = campaign_docs(rng, next_id, attached, reach)
        flows = flow_docs(attached)
        store.insert_many("templates", [*template_docs(), *attached])
        store.insert_many("campaigns", campaigns)
        store.insert_many("flows", flows)
        store.insert_many("messages", message_docs(rng, contacts, campaigns, flows))
        store.set_meta("seeded", True)
