"""Deterministic seed data: an account with billing and two brands, each with its own contacts, lists, segments,
templates, campaigns, flows and messages, dated over the year before the fixed clock's start.

The default brand, the "Acme Coffee" roastery, gets ``contacts`` contacts; the second brand, "Acme Cafe", gets a
fifth as many (ids after the roastery's) and smaller collections of everything else. Each brand's records come
from its own ``random.Random`` and are bulk-inserted, so 100,000 contacts seed in seconds and the same seed always
yields byte-identical data.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate
from urllib.parse import quote

from ..rendering import merge
from .flow_steps import step_templates
from .outcomes import RATE_LIMITED, SEEDED_FAILURES, status_fields
from .seed_activity import seed_activity
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
ACCOUNT_ID, ROASTERY_ID, CAFE_ID = 1, 1, 2
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


def brand_doc(rng: random.Random, brand_id: int, spec: "BrandSeed") -> dict:
    """One brand of the account (its sid drawn from ``rng``), with the spec's identity."""
    created = _moment(spec.age_days * 86400)
    return {
        "id": brand_id, "sid": "brd_" + rng.getrandbits(64).to_bytes(8, "big").hex(), "account_id": ACCOUNT_ID,
        "brand_color": spec.colour, "text_color": "#1f2937", "bg_color": "#f4f4f7",
        "font_heading": "Georgia, serif", "font_body": "Helvetica, Arial, sans-serif",
        "style_notes": "Friendly, plain language, one call to action per email.", "tone": "warm",
        "company_description": spec.description, "industry": "Food & Beverage", "example_copy": list(spec.copy),
        "default_header": {"type": "header", "props": {"title": spec.name}},
        "default_footer": {"type": "footer", "props": {"text": f"{spec.name} Ltd", "address": spec.street}},
        "default_theme": {"brand_color": spec.colour, "bg_color": "#f4f4f7"},
        "physical_address": spec.address, "company_name": spec.name,
        "source_url": f"https://{spec.domain}", "last_scraped_at": _moment(200 * 86400),
        "links": [{"url": f"https://instagram.com/{spec.handle}", "icon": "instagram", "title": "Instagram"},
                  {"url": f"https://{spec.domain}", "icon": "globe", "title": "Website"}],
        "logo": _picture(spec.name, 180, 48, spec.logo_colour),
        "email_from_name": spec.name, "email_from_email": f"hello@{spec.domain}",
        "email_reply_to": f"support@{spec.domain}", "email_track_opens": True, "email_track_clicks": True,
        "test_email_recipients": [f"qa@{spec.domain}", f"marketing@{spec.domain}"],
        "onboarding_state": {"brand": {"completed_at": created}, "domain": {"completed_at": created}},
        "domain_verified": True, "can_send": True, "using_sandbox": False, "sandbox_email": None,
        "sandbox_monthly_cap": 100, "sandbox_sends_remaining": 100,
        "capabilities": {"email": True, "sms": True, "ai": True},
        "created_at": created, "updated_at": _moment(200 * 86400),
    }


def account_doc() -> dict:
    """The account: Pro plan, billing with per-resource usage, team and access (brands live in their table)."""
    def resource(used: int, allowance: int | None, rate: float, mode: str = "monthly",
                 budget: int | None = None, budget_used: int = 0) -> dict:
        return {"used": used, "allowance": allowance, "remaining": None if allowance is None else max(0, allowance - used),
                "overage_rate": rate, "mode": mode, "budget": budget, "budget_used": budget_used}

    created = _moment(YEAR + 30 * 86400)
    return {
        "id": ACCOUNT_ID, "name": "Acme Coffee", "avatar": None, "banner": None, "commercial_tier": "pro",
        "safe_mode_enabled": False,
        "access": {"source": "api_key", "delegated": False, "role": "owner"},
        "team": {"seat_limit": 5, "seat_count": 2, "member_count": 2, "invite_count": 0, "current_role": "owner",
                 "can_manage_team": True},
        "billing": {
            "access_policy": "paid_required", "plan": "pro", "plan_name": "Pro", "spend_cap_monthly_cents": 20000,
            "comped": False, "overage": {"enabled": True, "accrued_cents": 0},
            "funding": {"source": "card", "wallet_balance_cents": 4250, "auto_topup": False},
            "provider_route": {"email": "ses", "sms": "twilio"},
            "wallet_balance_cents": 4250, "auto_topup": False,
            "resources": {"email": resource(18342, 50000, 0.0008), "sms": resource(412, 1000, 0.04),
                          "ai": resource(37, None, 0.02, mode="budget", budget=2000, budget_used=74)},
            "entitlements": {"brands": 3, "seats": 5, "custom_domains": True, "ai": True, "sms": True},
            "lifetime": {"email_sent": 214870, "sms_sent": 5120, "ai_used": 512},
        },
        "created_at": created, "updated_at": _moment(200 * 86400),
    }


def contact_docs(rng: random.Random, count: int, channel_ids: list[int], brand_id: int = ROASTERY_ID,
                 first_id: int = 1):
    """Yield ``count`` contact documents of one brand (ids from ``first_id``, oldest first).

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
    for cid in range(first_id, first_id + count):
        first, last = choice(FIRST_NAMES), choice(LAST_NAMES)
        country = choices(countries, cum_weights=country_weights)[0]
        created = moment(YEAR - (cid - first_id + 1) * step + rand() * step * 0.5)
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
            "id": cid, "brand_id": brand_id, "uuid": _uuid_text(bits(128)), "first_name": first, "last_name": last,
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


def _section(kind: str, **props) -> dict:
    return {"type": kind, "props": props}


def _roastery_templates() -> tuple:
    footer = _section("footer", text="Acme Coffee Ltd", address="1 Roast Lane, Bristol")
    header = _section("header", title="Acme Coffee")
    return (
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
    )


def _cafe_templates() -> tuple:
    footer = _section("footer", text="Acme Cafe Ltd", address="8 Harbour Walk, Bristol")
    header = _section("header", title="Acme Cafe")
    return (
        ("Cafe welcome", "Welcome to the Cafe, {{ contact.first_name | default: \"friend\" }}", "Your first flat white is on us.",
         [header, _section("text", text="Show this email at the counter for a free flat white."), footer]),
        ("Weekly specials", "This week at Acme Cafe", "Fresh pastries every Friday.",
         [header, _section("text", heading="On the counter", text="Cardamom buns, lemon drizzle, and a new filter."),
          _section("button", text="See the menu", url="https://cafe.acme.test/menu"), footer]),
    )


@dataclass(frozen=True)
class BrandSeed:
    """What one seeded brand has: identity, lists (name, share of contacts), segments, templates, campaigns
    (name, status, approval state, index of a standalone template or None for SMS, days after the clock's start
    it is scheduled for), flows and how many past transactional, flow and test messages."""

    name: str
    domain: str
    handle: str
    street: str
    address: str
    colour: str
    logo_colour: str
    description: str
    copy: tuple
    age_days: int
    contact_share: float
    lists: tuple
    segments: tuple
    templates: tuple
    campaigns: tuple
    flows: tuple
    messages: int


UK_SEGMENT = [{"name": "contact_country", "predicate": "eq", "value": "GB"},
              {"name": "contact_subscribed_email", "predicate": "true", "value": True}]
ROASTERY = BrandSeed(
    name="Acme Coffee", domain="acme.test", handle="acmecoffee", street="1 Roast Lane, Bristol",
    address="1 Roast Lane, Bristol BS1 4DJ, United Kingdom", colour="#4f46e5", logo_colour="#6f4e37",
    description="Acme Coffee roasts small-batch coffee and ships it fresh every week.",
    copy=("Fresh beans, roasted this week.", "Your cup, your way."), age_days=395, contact_share=1.0,
    lists=(("Newsletter", 0.55), ("Customers", 0.35), ("VIP", 0.08), ("Beta testers", 0.12), ("Event attendees", 0.2)),
    segments=(
        ("UK subscribers", UK_SEGMENT),
        ("Gmail users", [{"name": "contact_email", "predicate": "end", "value": "@gmail.com"}]),
        ("VIP customers", [{"name": "contact_tag", "predicate": "eq", "value": "vip"}]),
        ("Joined in the last 90 days", [{"name": "contact_created_at", "predicate": "gteq",
                                         "value": iso(CLOCK_START - timedelta(days=90))}]),
    ),
    templates=_roastery_templates(),
    campaigns=(
        ("Spring sale", "archived", "approved", 1, None), ("Summer origins", "completed", "approved", 4, None),
        ("Back to school brew", "completed", "approved", 4, None),
        ("Autumn roast launch", "completed", "approved", 5, None), ("Grinder launch", "completed", "approved", 5, None),
        ("October newsletter", "completed", "approved", 4, None),
        ("Holiday gift guide", "scheduled", "approved", 4, 20), ("Black Friday teaser", "paused", "approved", 5, 24),
        ("Winter blend", "draft", "pending_review", 4, None), ("VIP tasting invite", "draft", "pending_review", 1, None),
        ("Win-back Q4", "draft", "rejected", 6, None), ("SMS flash sale", "cancelled", "pending_review", None, None),
    ),
    flows=(
        ("Welcome series", "live", "Turn new sign-ups into first orders", {"event": "contact_add"},
         [{"type": "email", "subject": "Welcome to Acme, {{ contact.first_name }}!"}, {"type": "wait", "duration": 172800},
          {"type": "split", "filters": [{"name": "contact_tag", "predicate": "eq", "value": "customer"}],
           "yes": [{"type": "email", "subject": "Thanks for your first order"}],
           "no": [{"type": "email", "subject": "10% off your first bag"}]}]),
        ("Abandoned cart", "live", "Recover carts", {"event": "cart_abandoned"},
         [{"type": "wait", "duration": 3600}, {"type": "email", "subject": "You left something behind"},
          {"type": "wait", "duration": 86400}, {"type": "sms", "body": "Your cart is waiting: acme.test/cart"}]),
        ("VIP birthday", "paused", None, {"event": "birthday", "contact_list_ids": [3]},
         [{"type": "email", "subject": "Happy birthday, {{ contact.first_name }}!"},
          {"type": "emit_event", "event_name": "birthday_sent", "forward_event_data": True}]),
    ),
    messages=320,
)
CAFE = BrandSeed(
    name="Acme Cafe", domain="cafe.acme.test", handle="acmecafe", street="8 Harbour Walk, Bristol",
    address="8 Harbour Walk, Bristol BS1 5LL, United Kingdom", colour="#b45309", logo_colour="#92400e",
    description="Acme Cafe serves Acme's coffee with pastries baked on site.",
    copy=("Pull up a chair.", "Baked this morning."), age_days=240, contact_share=0.2,
    lists=(("Cafe regulars", 0.5), ("Loyalty card", 0.3)),
    segments=(("Cafe UK subscribers", UK_SEGMENT),),
    templates=_cafe_templates(),
    campaigns=(("Opening week", "completed", "approved", 1, None), ("Pastry Fridays", "completed", "approved", 2, None),
               ("Winter menu", "draft", "pending_review", 2, None)),
    flows=(("Loyalty welcome", "live", "Welcome loyalty members", {"event": "loyalty_joined"},
            [{"type": "email", "subject": "Your loyalty card is ready, {{ contact.first_name }}"}]),),
    messages=60,
)
BRANDS = ((ROASTERY_ID, ROASTERY), (CAFE_ID, CAFE))


class Ids:
    """The next id of each table while seeding (each brand's records follow the previous brand's)."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def first(self, table: str) -> int:
        """The id the next record of ``table`` gets."""
        return self.last.get(table, 0) + 1

    def take(self, table: str, count: int = 1) -> int:
        """Reserve ``count`` ids of ``table``; returns the first."""
        first = self.first(table)
        self.last[table] = first + count - 1
        return first


def template_docs(spec: BrandSeed, brand_id: int, first_id: int) -> list[dict]:
    """The brand's standalone templates (ids from ``first_id``) with designs and merge tags."""
    docs = []
    for index, (name, subject, preheader, sections) in enumerate(spec.templates, start=1):
        stamp = _moment((300 - index * 40) * 86400)
        docs.append({
            "id": first_id + index - 1, "brand_id": brand_id, "name": name, "flow_id": None, "action_id": None,
            "subject": subject, "body": None, "preheader": preheader, "from_name": spec.name,
            "from_email": f"hello@{spec.domain}", "reply_to": f"support@{spec.domain}",
            "design": {"sections": sections, "theme": {}}, "created_at": stamp, "updated_at": stamp,
        })
    return docs


SENT_STATUSES = ("completed", "archived")


def campaign_docs(rng: random.Random, next_id, spec: BrandSeed, brand_id: int, ids: Ids, standalone: list[dict],
                  attached: list[dict], first_list: int) -> list[dict]:
    """The brand's campaigns across statuses (sent ones went out over past months; see :func:`campaign_messages`).
    Each campaign's template is appended to ``attached``."""
    docs = []
    for index, (name, status, approval, template_index, scheduled_in) in enumerate(spec.campaigns, start=1):
        created = _moment((330 - index * 26) * 86400)
        sent = status in SENT_STATUSES
        channel = "email" if template_index else "sms"
        list_ids = [first_list + rng.randrange(len(spec.lists))]
        flow_id = next_id("campaign_flow", 1001)
        source = (standalone[template_index - 1] if template_index else
                  {"subject": "Flash sale: 20% off today only", "body": "Reply STOP to opt out", "preheader": None,
                   "design": None})
        template = {
            "id": ids.take("templates"), "brand_id": brand_id, "name": name, "flow_id": flow_id, "action_id": None,
            "subject": source["subject"], "body": source.get("body"), "preheader": source.get("preheader"),
            "from_name": spec.name, "from_email": f"hello@{spec.domain}", "reply_to": f"support@{spec.domain}",
            "design": source.get("design"), "created_at": created, "updated_at": created,
        }
        sent_at = _moment((320 - index * 26) * 86400) if sent else None
        scheduled_at = iso(CLOCK_START + timedelta(days=scheduled_in)) if scheduled_in else sent_at
        docs.append({
            "id": ids.take("campaigns"), "account_id": ACCOUNT_ID, "brand_id": brand_id, "status": status,
            "approval_state": approval, "channel": channel, "name": name, "data": {}, "scheduled_at": scheduled_at,
            "created_at": created, "updated_at": sent_at or created, "sent_at": sent_at, "locked": sent,
            "trigger": {"id": next_id("campaign_trigger", 1001), "flow_id": flow_id, "audience_type": "lists",
                        "event": "campaign", "segment_id": None, "contact_list_id": list_ids[0],
                        "contact_list_ids": list_ids, "data": None, "triggered_count": 1 if sent else 0,
                        "last_triggered_at": sent_at, "created_at": created, "updated_at": sent_at or created},
            "template_id": template["id"],
        })
        attached.append(template)
    return docs


def flow_docs(spec: BrandSeed, brand_id: int, ids: Ids, attached: list[dict]) -> list[dict]:
    """The brand's standalone automation flows; the templates of their email steps are appended to ``attached``."""
    docs = []
    for index, (name, status, goal, trigger, steps) in enumerate(spec.flows, start=1):
        stamp = _moment((250 - index * 50) * 86400)
        flow_id = ids.take("flows")
        templates = step_templates(steps, flow_id, stamp)
        for template in templates:
            template.update(id=ids.take("templates"), brand_id=brand_id)
            attached.append(template)
        docs.append({
            "id": flow_id, "account_id": ACCOUNT_ID, "brand_id": brand_id, "status": status,
            "approval_state": "approved", "name": name, "goal": goal,
            "trigger": {"event": trigger["event"], "segment_id": None,
                        "contact_list_ids": trigger.get("contact_list_ids", []), "data": None},
            "steps": steps, "created_at": stamp, "updated_at": stamp,
            "template_ids": [t["id"] for t in templates],
        })
    return docs


def _outcome(rng: random.Random, status: str) -> dict:
    """The status-reason and failure fields of a seeded message with ``status``."""
    if status == "failed":
        return status_fields(rng.choice(SEEDED_FAILURES))
    return status_fields(reason=RATE_LIMITED if status == "queued" and rng.random() < 0.5 else None)


def campaign_messages(store: Store, rng: random.Random, brand_id: int, campaigns: list[dict],
                      templates: dict[int, dict]):
    """One message per recipient of each sent campaign: the subscribed members of its list who had joined by the
    time it went out, so each campaign's messages are exactly its ``sent_count``. (Null fields are left out of
    these many documents: they read back as null.)"""
    for campaign in campaigns:
        if not campaign["sent_at"]:
            continue
        subject, subjects = templates[campaign["template_id"]]["subject"], {}
        common = {"brand_id": brand_id, "channel": "email", "flow_id": campaign["trigger"]["flow_id"],
                  "source_type": "campaign", "source_name": campaign["name"], "created_at": campaign["sent_at"],
                  "campaign_id": campaign["id"]}
        rows = store.execute(
            "SELECT c.id, c.email, c.first_name FROM list_members m JOIN contacts c ON c.id = m.contact_id "
            "WHERE m.list_id = ? AND json_extract(c.doc, '$.subscribed_email') AND c.created_at <= ? "
            "ORDER BY c.id", (campaign["trigger"]["contact_list_ids"][0], campaign["sent_at"]))
        for contact_id, email, first_name in rows:
            if first_name not in subjects:
                subjects[first_name] = merge.render(subject, {"contact": {"first_name": first_name}})
            outcome = ({"status": "failed", **status_fields(rng.choice(SEEDED_FAILURES))} if rng.random() < 0.02 else
                       {"status": "sent", "provider_id": f"sbx-c{campaign['id']}-{contact_id}",
                        "sent_at": campaign["sent_at"]})
            yield {**common, "to": email, "subject": subjects[first_name], **outcome, "contact_id": contact_id}


def message_docs(rng: random.Random, spec: BrandSeed, brand_id: int, contact_ids: range, flows: list[dict],
                 standalone: list[dict]):
    """The brand's past transactional, flow and test messages across channels and statuses over the last six
    months, busier recently and on weekdays."""
    subjects = ("Your receipt", "Password reset", "Order shipped", "Your order is confirmed", "Verify your email")
    test_recipients = (f"qa@{spec.domain}", f"marketing@{spec.domain}")
    moments: list[float] = []
    while len(moments) < spec.messages:
        seconds_before = rng.betavariate(1.0, 2.5) * 180 * 86400
        weekday = (CLOCK_START - timedelta(seconds=seconds_before)).weekday()
        if weekday < 5 or rng.random() < 0.4:  # weekends are quieter
            moments.append(seconds_before)
    for created_s in sorted(moments, reverse=True):
        source = rng.choices(("transactional", "flow", "test"), weights=(6, 3, 1))[0]
        channel = "sms" if source != "test" and rng.random() < 0.15 else "email"
        cid = contact_ids[rng.randrange(len(contact_ids))] if contact_ids else None
        to = f"customer{cid or 0}@example.org" if channel == "email" else f"+4477009{rng.randrange(10000, 99999)}"
        status = rng.choices(("sent", "failed", "queued"), weights=(90, 8, 2))[0]
        subject = rng.choice(subjects) if channel == "email" else None
        origin = {"flow_id": None, "source_type": None, "source_name": None}
        if source == "flow":
            flow = rng.choice(flows)
            origin = {"flow_id": flow["id"], "source_type": "flow", "source_name": flow["name"]}
        elif source == "test":
            template = rng.choice(standalone)
            to, subject = rng.choice(test_recipients), "[Test] " + merge.render(template["subject"], {})
            origin = {"flow_id": None, "source_type": "test", "source_name": template["name"],
                      "template_id": template["id"]}
        yield {
            "brand_id": brand_id, "channel": channel, "to": to, "subject": subject, "status": status,
            "provider_id": f"sbx-{rng.getrandbits(48):012x}" if status == "sent" else None,
            **origin, **_outcome(rng, status), "sent_at": _moment(created_s - 2) if status == "sent" else None,
            "created_at": _moment(created_s),
        }


def _seed_brand(store: Store, rng: random.Random, brand_id: int, spec: BrandSeed, contacts: int, ids: Ids,
                channel_ids: list[int]) -> None:
    """Insert one brand and everything it owns."""
    def next_id(name: str, start: int) -> int:
        return store.next_seq(name, start)

    store.insert_many("brands", [brand_doc(rng, brand_id, spec)])
    first_contact = ids.take("contacts", contacts)
    contact_ids = range(first_contact, first_contact + contacts)
    store.insert_many("contacts", contact_docs(rng, contacts, channel_ids, brand_id, first_contact))
    stamp = _moment(340 * 86400)
    first_list = ids.take("lists", len(spec.lists))
    store.insert_many("lists", ({"id": i, "account_id": ACCOUNT_ID, "brand_id": brand_id, "name": name,
                                 "segment_id": None, "stale": False, "last_populated_at": None,
                                 "created_at": stamp, "updated_at": stamp}
                                for i, (name, _) in enumerate(spec.lists, start=first_list)))
    store.executemany("INSERT INTO list_members (list_id, contact_id) VALUES (?, ?)",
                      ((lid, cid) for cid in contact_ids
                       for lid, (_, share) in enumerate(spec.lists, start=first_list) if rng.random() < share))
    first_segment = ids.take("segments", len(spec.segments))
    store.insert_many("segments", ({"id": i, "account_id": ACCOUNT_ID, "brand_id": brand_id, "name": name,
                                    "filters": filters, "created_at": _moment((200 - n * 20) * 86400),
                                    "updated_at": _moment((200 - n * 20) * 86400)}
                                   for n, (i, (name, filters)) in enumerate(
                                       enumerate(spec.segments, start=first_segment), start=1)))
    standalone = template_docs(spec, brand_id, ids.take("templates", len(spec.templates)))
    attached: list[dict] = []
    campaigns = campaign_docs(rng, next_id, spec, brand_id, ids, standalone, attached, first_list)
    flows = flow_docs(spec, brand_id, ids, attached)
    store.insert_many("templates", [*standalone, *attached])
    store.insert_many("campaigns", campaigns)
    store.insert_many("flows", flows)
    history = [*campaign_messages(store, rng, brand_id, campaigns, {t["id"]: t for t in attached}),
               *message_docs(rng, spec, brand_id, contact_ids, flows, standalone)]
    history.sort(key=lambda message: message["created_at"])  # ids in the order messages were created
    first = ids.take("messages", len(history))
    store.insert_many("messages", ({**message, "id": mid} for mid, message in enumerate(history, start=first)))


def seed_store(store: Store, seed: int = 0, contacts: int = 250) -> None:
    """Fill an empty store with the deterministic demo data and reset the clock to its start: ``contacts`` contacts
    for the default brand (the roastery) and a fifth as many for the cafe."""
    with store.atomic():
        store.set_meta("clock", 0)
        store.set_meta("account", account_doc())
        store.set_meta("default_brand_id", ROASTERY_ID)
        store.set_meta("owner_email", "owner@acme.test")
        ids, channel_ids = Ids(), [0]
        for brand_id, spec in BRANDS:
            rng = random.Random(seed if brand_id == ROASTERY_ID else f"{spec.name}:{seed}")
            _seed_brand(store, rng, brand_id, spec, int(contacts * spec.contact_share), ids, channel_ids)
        seed_activity(store, seed, {"account_id": ACCOUNT_ID, "brand_id": ROASTERY_ID})
        store.set_meta("seq:channel", channel_ids[0])
        store.set_meta("seeded", True)
