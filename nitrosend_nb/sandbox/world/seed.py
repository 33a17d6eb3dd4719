"""Deterministic seed data: an account with billing and two brands, each with one simulated year of business.

The default brand, the "Acme Coffee" roastery, gets ``contacts`` contacts; the second brand, "Acme Cafe", opened
later and gets a fifth as many (ids after the roastery's). This module holds what is fixed about them (identity,
templates, lists, segments, the campaign calendar, flows); :mod:`.simulation` simulates the year that fills contacts,
memberships, events, messages and suppressions from it (and :mod:`.webhook_history` the roastery's webhook
deliveries from its transactional emails), so every table agrees with the others (see
``tests/sandbox/test_world_invariants.py``). Each brand's year comes from its own ``random.Random`` and is
streamed into the store as it runs (:class:`Outflow`: batches written as documents become final, indexes built
once at the end), so memory stays flat as the world grows and the same seed always yields byte-identical data.
"""

from __future__ import annotations

import gc
import itertools
import random
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from ..engine.pictures import picture_url
from ..engine.suppression_rules import suppression_doc
from ..services.dns import checked, dns_records
from ..services.flow_steps import step_templates
from ..services.plans import BY_SLUG
from ..store import CLOCK_START, Store, iso
from . import webhook_history
from .simulation import DAY, BrandSeed, CampaignPlan, ListPlan, World, at, billing_period_start, opened_at, stamp

ACCOUNT_ID, ROASTERY_ID, CAFE_ID = 1, 1, 2
ACCOUNT_AGE_DAYS = 395
MANUAL_BLOCKS = ("abuse@example.net", "old-shop@example.net")  # blocked by hand; no seeded contact has them


def _moment(seconds_before_start: float) -> str:
    return iso(CLOCK_START - timedelta(seconds=int(seconds_before_start)))


def brand_document(spec: BrandSeed) -> str:
    """The brand's document: who it is and how it writes, in Markdown (what the brand's copy follows)."""
    examples = "".join(f"\n- {line}" for line in spec.copy)
    return (
        f"# {spec.name}\n\n{spec.description}\n\n## Voice\n\nWarm and friendly, in plain language, with one call "
        f"to action per email.\n\n## Examples{examples}\n"
    )


def brand_doc(rng: random.Random, brand_id: int, spec: BrandSeed) -> dict:
    """One brand of the account (its sid drawn from ``rng``), with the spec's identity."""
    created = _moment(spec.age_days * 86400)
    return {
        "id": brand_id,
        "sid": "brd_" + rng.getrandbits(64).to_bytes(8, "big").hex(),
        "account_id": ACCOUNT_ID,
        "brand_color": spec.colour,
        "text_color": "#1f2937",
        "bg_color": "#f4f4f7",
        "font_heading": "Georgia, serif",
        "font_body": "Helvetica, Arial, sans-serif",
        "heading_size": 28,
        "body_size": 16,
        "radius": 6,
        "spacing_density": "normal",
        "company_description": spec.description,
        "brand_document": brand_document(spec),
        "default_header": {"type": "header", "props": {"title": spec.name}},
        "default_footer": {"type": "footer", "props": {"text": f"{spec.name} Ltd", "address": spec.street}},
        "default_theme": {"brand_color": spec.colour, "bg_color": "#f4f4f7"},
        "physical_address": spec.address,
        "company_name": spec.name,
        "source_url": f"https://{spec.domain}",
        "last_scraped_at": _moment(200 * 86400),
        "links": [
            {"url": f"https://instagram.com/{spec.handle}", "icon": "instagram", "title": "Instagram"},
            {"url": f"https://{spec.domain}", "icon": "globe", "title": "Website"},
        ],
        "logo": picture_url(spec.logo),
        "email_from_name": spec.name,
        "email_from_email": f"hello@{spec.domain}",
        "email_reply_to": f"support@{spec.domain}",
        "email_view_online": True,
        "email_track_opens": True,
        "email_track_clicks": True,
        "test_email_recipients": [f"qa@{spec.domain}", f"marketing@{spec.domain}"],
        "onboarding_state": {"brand": {"completed_at": created}, "domain": {"completed_at": created}},
        "can_send": True,
        "capabilities": {"email": True, "sms": True, "ai": True},
        "created_at": created,
        "updated_at": _moment(200 * 86400),
    }


def account_doc(usage: dict | None = None) -> dict:
    """The account: the Pro plan (its ``commercial_tier``; ``billing.plan`` is presented from it), billing with
    per-resource usage, team and access (brands live in their table).
    ``usage`` gives the email and SMS counters ``{"email": (this period, lifetime), "sms": (...)}`` (the
    messages the seeded world sent; zero without it)."""
    usage = usage or {}
    (email_used, email_sent), (sms_used, sms_sent) = usage.get("email", (0, 0)), usage.get("sms", (0, 0))

    def resource(
        used: int,
        allowance: int | None,
        rate: float,
        mode: str = "monthly",
        budget: int | None = None,
        budget_used: int = 0,
    ) -> dict:
        return {
            "used": used,
            "allowance": allowance,
            "remaining": None if allowance is None else max(0, allowance - used),
            "overage_rate": rate,
            "mode": mode,
            "budget": budget,
            "budget_used": budget_used,
        }

    created = _moment(ACCOUNT_AGE_DAYS * DAY)
    return {
        "id": ACCOUNT_ID,
        "name": "Acme Coffee",
        "avatar": None,
        "banner": None,
        "commercial_tier": "pro",
        "safe_mode_enabled": False,
        "access": {"source": "api_key", "delegated": False, "role": "owner"},
        "team": {
            "seat_limit": 5,
            "seat_count": 2,
            "member_count": 2,
            "invite_count": 0,
            "current_role": "owner",
            "can_manage_team": True,
        },
        "billing": {
            "access_policy": "paid_required",
            "spend_cap_monthly_cents": 20000,
            "comped": False,
            "overage": {"enabled": True, "accrued_cents": 0},
            "funding": {"source": "card", "wallet_balance_cents": 4250, "auto_topup": False},
            "provider_route": {"email": "ses", "sms": "twilio"},
            "resources": {
                "email": resource(email_used, BY_SLUG["pro"].emails_per_month, 0.0008),
                "sms": resource(sms_used, 1000, 0.04),
                "ai": resource(37, None, 0.02, mode="budget", budget=2000, budget_used=74),
            },
            "entitlements": {"brands": 3, "seats": 5, "custom_domains": True, "ai": True, "sms": True},
            "lifetime": {"email_sent": email_sent, "sms_sent": sms_sent, "ai_used": 512},
        },
        "created_at": created,
        "updated_at": _moment(200 * 86400),
    }


def _section(kind: str, **props: Any) -> dict:
    return {"type": kind, "props": props}


def _roastery_templates() -> tuple:
    footer = _section("footer", text="Acme Coffee Ltd", address="1 Roast Lane, Bristol")
    header = _section("header", title="Acme Coffee")
    return (
        (
            "Welcome",
            'Welcome to Acme, {{ contact.first_name | default: "friend" }}!',
            "Your first bag ships soon.",
            [
                header,
                _section(
                    "hero",
                    heading='Welcome, {{ contact.first_name | default: "friend" }}',
                    subheading="Fresh coffee, roasted this week.",
                    button_text="Pick your roast",
                    button_url="https://acme.test/shop",
                ),
                _section("text", text="Thanks for joining. Here is 10% off your first order: WELCOME10."),
                footer,
            ],
        ),
        (
            "Order confirmation",
            "Order {{ data.order_id }} confirmed",
            "Thanks for your order.",
            [
                header,
                _section(
                    "text",
                    heading="Thanks, {{ contact.first_name }}!",
                    text="We received order {{ data.order_id }} for {{ data.total }}.",
                ),
                _section("button", text="Track your order", url="https://acme.test/orders"),
                footer,
            ],
        ),
        (
            "Password reset",
            "Reset your password",
            "Link valid for one hour.",
            [
                header,
                _section("text", text="Hi {{ contact.first_name }}, use the button below to reset your password."),
                _section("button", text="Reset password", url="https://acme.test/reset"),
                footer,
            ],
        ),
        (
            "Monthly newsletter",
            'What\'s brewing in {{ data.month | default: "November" }}',
            "New origins and a recipe.",
            [
                header,
                _section("image", src=picture_url("fresh-beans"), alt="Coffee beans"),
                _section("text", heading="New this month", text="Two new single origins from Ethiopia and Colombia."),
                _section(
                    "columns",
                    columns=[
                        {"heading": "Yirgacheffe", "text": "Floral and bright."},
                        {"heading": "Huila", "text": "Chocolate and caramel."},
                    ],
                ),
                _section("divider"),
                _section("social", links=[{"url": "https://instagram.com/acmecoffee", "title": "Instagram"}]),
                footer,
            ],
        ),
        (
            "Product launch",
            "Meet the Acme Grinder",
            "Burr grinding, made simple.",
            [
                header,
                _section(
                    "hero",
                    heading="The Acme Grinder",
                    subheading="40 settings. One button.",
                    image_url=picture_url("acme-grinder"),
                ),
                _section(
                    "product",
                    name="Acme Grinder",
                    price="£89",
                    description="Conical burrs, quiet motor.",
                    url="https://acme.test/grinder",
                ),
                _section("spacer", height=24),
                footer,
            ],
        ),
        (
            "Win-back",
            'We miss you, {{ contact.first_name | default: "there" }}',
            "A little something to come back.",
            [
                header,
                _section("text", text="It has been a while. Here is free shipping on your next order."),
                _section("button", text="Come back", url="https://acme.test/shop"),
                footer,
            ],
        ),
    )


def _cafe_templates() -> tuple:
    footer = _section("footer", text="Acme Cafe Ltd", address="8 Harbour Walk, Bristol")
    header = _section("header", title="Acme Cafe")
    return (
        (
            "Cafe welcome",
            'Welcome to the Cafe, {{ contact.first_name | default: "friend" }}',
            "Your first flat white is on us.",
            [header, _section("text", text="Show this email at the counter for a free flat white."), footer],
        ),
        (
            "Pre-order confirmation",
            "Pre-order {{ data.order_id }} confirmed",
            "Ready for collection at the counter.",
            [
                header,
                _section(
                    "text",
                    heading='Thanks, {{ contact.first_name | default: "friend" }}!',
                    text="Your pre-order {{ data.order_id }} for {{ data.total }} will be ready at the counter.",
                ),
                footer,
            ],
        ),
        (
            "Weekly specials",
            "This week at Acme Cafe",
            "Fresh pastries every Friday.",
            [
                header,
                _section("text", heading="On the counter", text="Cardamom buns, lemon drizzle, and a new filter."),
                _section("button", text="See the menu", url="https://cafe.acme.test/menu"),
                footer,
            ],
        ),
    )


UK_SEGMENT = [
    {"name": "contact_country", "predicate": "eq", "value": "GB"},
    {"name": "contact_subscribed_email", "predicate": "true", "value": True},
]
FRIEND = '{{ contact.first_name | default: "friend" }}'
ROASTERY = BrandSeed(
    name="Acme Coffee",
    domain="acme.test",
    handle="acmecoffee",
    street="1 Roast Lane, Bristol",
    address="1 Roast Lane, Bristol BS1 4DJ, United Kingdom",
    colour="#4f46e5",
    logo="acme-coffee-logo",
    description="Acme Coffee roasts small-batch coffee and ships it fresh every week.",
    copy=("Fresh beans, roasted this week.", "Your cup, your way."),
    age_days=ACCOUNT_AGE_DAYS,
    contact_share=1.0,
    lists=(
        ListPlan("Newsletter", "signup", 0.6, "newsletter"),
        ListPlan("Customers", "first_order"),
        ListPlan("VIP", "lifetime_value", 150.0, "vip"),
        ListPlan("Beta testers", "gathering", (((2026, 7, 15, 10), 0.06, "beta_signup", "Acme Grinder beta"),), "beta"),
        ListPlan(
            "Event attendees",
            "gathering",
            (
                ((2026, 6, 20, 14), 0.04, "event_attended", "Summer cupping"),
                ((2026, 10, 3, 11), 0.05, "event_attended", "Roastery open day"),
            ),
            "event-2026",
        ),
    ),
    segments=(
        ("UK subscribers", UK_SEGMENT),
        ("Gmail users", [{"name": "contact_email", "predicate": "end", "value": "@gmail.com"}]),
        ("VIP customers", [{"name": "contact_tag", "predicate": "eq", "value": "vip"}]),
        (
            "Joined in the last 90 days",
            [{"name": "contact_created_at", "predicate": "gteq", "value": iso(CLOCK_START - timedelta(days=90))}],
        ),
    ),
    templates=_roastery_templates(),
    roles={"receipt": 2, "reset": 3},
    campaigns=(
        CampaignPlan(
            "Black Friday weekend",
            "archived",
            "approved",
            5,
            f"Black Friday: 25% off every bag, {FRIEND}",
            ("Newsletter", "Customers"),
            (2025, 11, 27, 8),
            0.07,
            "gift-box",
        ),
        CampaignPlan(
            "Holiday gift guide",
            "completed",
            "approved",
            4,
            "Gift ideas for the coffee lovers in your life",
            ("Newsletter",),
            (2025, 12, 4, 9),
            0.05,
            "gift-box",
        ),
        CampaignPlan(
            "January newsletter",
            "completed",
            "approved",
            4,
            "What's brewing in January",
            ("Newsletter",),
            (2026, 1, 15, 9),
            0.015,
        ),
        CampaignPlan(
            "Spring sale",
            "completed",
            "approved",
            4,
            "Spring sale: 20% off single origins",
            ("Newsletter", "Customers"),
            (2026, 3, 19, 9),
            0.04,
            "yirgacheffe",
        ),
        CampaignPlan(
            "Summer origins",
            "completed",
            "approved",
            4,
            "Summer origins have landed",
            ("Newsletter",),
            (2026, 6, 11, 9),
            0.025,
            "huila",
        ),
        CampaignPlan(
            "Back to school brew",
            "completed",
            "approved",
            4,
            "Back to school: stock up on your house blend",
            ("Customers",),
            (2026, 9, 1, 7),
            0.035,
            "house-blend",
        ),
        CampaignPlan(
            "Grinder launch",
            "completed",
            "approved",
            5,
            "Meet the Acme Grinder",
            ("Newsletter", "Beta testers"),
            (2026, 9, 15, 10),
            0.03,
            "grinder",
        ),
        CampaignPlan(
            "October newsletter",
            "completed",
            "approved",
            4,
            "What's brewing in October",
            ("Newsletter",),
            (2026, 10, 8, 9),
            0.015,
        ),
        CampaignPlan("Winter blend", "draft", "pending_review", 4, "Our winter blend is here", ("Newsletter",)),
        CampaignPlan(
            "VIP tasting invite",
            "draft",
            "pending_review",
            1,
            f"You're invited to a private tasting, {FRIEND}",
            ("VIP",),
        ),
        CampaignPlan(
            "Win-back Q4",
            "draft",
            "rejected",
            6,
            'We miss you, {{ contact.first_name | default: "there" }}',
            ("Customers",),
        ),
        CampaignPlan(
            "SMS flash sale",
            "cancelled",
            "pending_review",
            None,
            "Flash sale: 20% off today only. Reply STOP to opt out",
            ("Customers",),
        ),
        CampaignPlan(
            "November newsletter",
            "live",
            "approved",
            4,
            "What's brewing in November",
            ("Newsletter",),
            (2026, 11, 1, 11, 30),
            0.015,
        ),
        CampaignPlan(
            "Black Friday 2026",
            "scheduled",
            "approved",
            5,
            f"Black Friday starts now, {FRIEND}",
            ("Newsletter", "Customers"),
            (2026, 11, 26, 8),
        ),
        CampaignPlan(
            "Black Friday teaser",
            "paused",
            "approved",
            5,
            "Something big is brewing for Black Friday",
            ("Newsletter",),
            (2026, 11, 19, 9),
        ),
    ),
    flows=(
        (
            "Welcome series",
            "live",
            "Turn new sign-ups into first orders",
            {"event": "contact_add"},
            [
                {"type": "email", "subject": "Welcome to Acme, {{ contact.first_name }}!"},
                {"type": "wait", "duration": 172800},
                {
                    "type": "split",
                    "filters": [{"name": "contact_tag", "predicate": "eq", "value": "customer"}],
                    "yes": [{"type": "email", "subject": "Thanks for your first order"}],
                    "no": [{"type": "email", "subject": "10% off your first bag"}],
                },
            ],
            200,
            0,
        ),
        (
            "Abandoned cart",
            "live",
            "Recover carts",
            {"event": "cart_abandoned"},
            [
                {"type": "wait", "duration": 3600},
                {"type": "email", "subject": "You left something behind"},
                {"type": "wait", "duration": 86400},
                {"type": "sms", "body": "Your cart is waiting: acme.test/cart"},
            ],
            150,
            0,
        ),
        (
            "VIP birthday",
            "paused",
            None,
            {"event": "birthday", "contact_list_ids": [3]},
            [
                {"type": "email", "subject": "Happy birthday, {{ contact.first_name }}!"},
                {"type": "emit_event", "event_name": "birthday_sent", "forward_event_data": True},
            ],
            100,
            30,
        ),
    ),
    spikes=(((2025, 11, 24), 7, 4.0), ((2025, 12, 15), 10, 1.6), ((2026, 9, 15), 7, 3.5)),
    products=(
        ("yirgacheffe", "Yirgacheffe 250 g", 11.5, 25),
        ("huila", "Huila 250 g", 10.5, 25),
        ("house-blend", "House blend 1 kg", 32.0, 20),
        ("gift-box", "Gift box", 35.0, 12),
        ("subscription-monthly", "Monthly subscription", 24.0, 8),
        ("subscription-fortnightly", "Fortnightly subscription", 22.0, 4),
        ("grinder", "Acme Grinder", 89.0, 3),
    ),
)
CAFE = BrandSeed(
    name="Acme Cafe",
    domain="cafe.acme.test",
    handle="acmecafe",
    street="8 Harbour Walk, Bristol",
    address="8 Harbour Walk, Bristol BS1 5LL, United Kingdom",
    colour="#b45309",
    logo="acme-cafe-logo",
    description="Acme Cafe serves Acme's coffee with pastries baked on site.",
    copy=("Pull up a chair.", "Baked this morning."),
    age_days=240,
    contact_share=0.2,
    lists=(ListPlan("Cafe regulars", "signup", 0.6, "regular"), ListPlan("Loyalty card", "loyalty", 0.35, "loyalty")),
    segments=(("Cafe UK subscribers", UK_SEGMENT),),
    templates=_cafe_templates(),
    roles={"receipt": 2},
    campaigns=(
        CampaignPlan(
            "Opening week",
            "completed",
            "approved",
            1,
            "We're open! Your first flat white is on us",
            ("Cafe regulars",),
            (2026, 3, 12, 8),
            0.06,
            "brunch-for-two",
        ),
        CampaignPlan(
            "Pastry Fridays",
            "completed",
            "approved",
            3,
            "Fresh pastries every Friday",
            ("Cafe regulars",),
            (2026, 5, 15, 7),
            0.03,
            "pastry-box",
        ),
        CampaignPlan(
            "Summer terrace",
            "completed",
            "approved",
            3,
            "The terrace is open",
            ("Cafe regulars", "Loyalty card"),
            (2026, 7, 2, 8),
            0.02,
        ),
        CampaignPlan("Winter menu", "draft", "pending_review", 3, "Our winter menu", ("Cafe regulars",)),
    ),
    flows=(
        (
            "Loyalty welcome",
            "live",
            "Welcome loyalty members",
            {"event": "loyalty_joined"},
            [{"type": "email", "subject": "Your loyalty card is ready, {{ contact.first_name }}"}],
            200,
            0,
        ),
    ),
    spikes=(((2026, 3, 6), 7, 5.0),),
    products=(
        ("pastry-box", "Pastry box", 14.0, 30),
        ("beans", "House beans 250 g", 11.5, 25),
        ("brunch-for-two", "Brunch for two", 32.0, 15),
        ("gift-card", "Gift card", 25.0, 10),
        ("subscription-monthly", "Coffee club (monthly)", 20.0, 5),
    ),
)
BRANDS = ((ROASTERY_ID, ROASTERY), (CAFE_ID, CAFE))


class Ids:
    """The next id of each table while seeding (each brand's records follow the previous brand's)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def first(self, table: str) -> int:
        """The id the next record of ``table`` gets."""
        return self.last.get(table, 0) + 1

    def take(self, table: str, count: int = 1) -> int:
        """Reserve ``count`` ids of ``table``; returns the first."""
        first = self.first(table)
        self.last[table] = first + count - 1
        return first


def _template(template_id: int, brand_id: int, spec: BrandSeed, stamp_: str, **content: Any) -> dict:
    return {
        "id": template_id,
        "brand_id": brand_id,
        "flow_id": None,
        "action_id": None,
        "body": None,
        "preheader": None,
        "design": None,
        "from_name": spec.name,
        "from_email": f"hello@{spec.domain}",
        "reply_to": f"support@{spec.domain}",
        "created_at": stamp_,
        "updated_at": stamp_,
        **content,
    }


def template_docs(spec: BrandSeed, brand_id: int, first_id: int) -> list[dict]:
    """The brand's standalone templates (ids from ``first_id``) with designs and merge tags."""
    docs = []
    for index, (name, subject, preheader, sections) in enumerate(spec.templates, start=1):
        stamp_ = _moment(min(spec.age_days, 300 - index * 40) * DAY)
        docs.append(
            _template(
                first_id + index - 1,
                brand_id,
                spec,
                stamp_,
                name=name,
                subject=subject,
                preheader=preheader,
                design={"sections": sections, "theme": {}},
            )
        )
    return docs


def campaign_docs(
    store: Store,
    spec: BrandSeed,
    brand_id: int,
    ids: Ids,
    standalone: list[dict],
    list_ids: dict[str, int],
    templates: dict,
) -> list[dict]:
    """The brand's campaigns as planned (sent ones get their send moment while the world runs); each one's
    template is added to ``templates`` under ``("campaign", id)``."""
    docs = []
    latest = -spec.age_days * DAY
    for index, plan in enumerate(spec.campaigns):
        moment = at(*plan.when) if plan.when else None
        # sent and scheduled campaigns were prepared two weeks ahead; drafts are the newest ideas
        created = moment - 14 * DAY if moment is not None and plan.sent else -(30 - index) * DAY
        created = max(created, latest)
        latest = created
        flow_id = store.next_seq("campaign_flow", 1001)
        campaign_id = ids.take("campaigns")
        source = standalone[plan.template - 1] if plan.template else {}
        content = (
            {"subject": plan.subject, "preheader": source["preheader"], "design": source["design"]}
            if plan.template
            else {"subject": None, "body": plan.subject}
        )
        template = _template(
            ids.take("templates"), brand_id, spec, stamp(created), name=plan.name, flow_id=flow_id, **content
        )
        templates[("campaign", campaign_id)] = template
        list_refs = [list_ids[name] for name in plan.lists]
        scheduled = stamp(moment) if moment is not None else None
        docs.append(
            {
                "id": campaign_id,
                "account_id": ACCOUNT_ID,
                "brand_id": brand_id,
                "status": plan.status,
                "approval_state": plan.approval,
                "channel": "email" if plan.template else "sms",
                "name": plan.name,
                "data": {},
                "scheduled_at": scheduled,
                "created_at": stamp(created),
                "updated_at": stamp(created),
                "sent_at": None,
                "locked": plan.sent,
                "trigger": {
                    "id": store.next_seq("campaign_trigger", 1001),
                    "flow_id": flow_id,
                    "audience_type": "lists",
                    "event": "campaign",
                    "segment_id": None,
                    "contact_list_id": list_refs[0],
                    "contact_list_ids": list_refs,
                    "data": None,
                    "triggered_count": 0,
                    "last_triggered_at": None,
                    "created_at": stamp(created),
                    "updated_at": stamp(created),
                },
                "template_id": template["id"],
            }
        )
    return docs


def flow_docs(spec: BrandSeed, brand_id: int, ids: Ids, templates: dict) -> list[tuple[dict, tuple[int, int]]]:
    """The brand's standalone automation flows, each with the moments it went live and stopped (the clock's start
    for a flow still live); the templates of their email steps are added to ``templates`` under
    ``("flow", flow id, subject)``."""
    docs = []
    for name, status, goal, trigger, steps, live_days, paused_days in spec.flows:
        created = -live_days * DAY
        flow_id = ids.take("flows")
        attached = step_templates(steps, flow_id, stamp(created))
        for template in attached:
            template.update(id=ids.take("templates"), brand_id=brand_id)
            templates[("flow", flow_id, template["subject"])] = template
        docs.append(
            (
                {
                    "id": flow_id,
                    "account_id": ACCOUNT_ID,
                    "brand_id": brand_id,
                    "status": status,
                    "approval_state": "approved",
                    "name": name,
                    "goal": goal,
                    "trigger": {
                        "event": trigger["event"],
                        "segment_id": None,
                        "contact_list_ids": trigger.get("contact_list_ids", []),
                        "data": None,
                    },
                    "steps": steps,
                    "created_at": stamp(created),
                    "updated_at": stamp(-paused_days * DAY or created),
                    "template_ids": [t["id"] for t in attached],
                },
                (created, -paused_days * DAY),
            )
        )
    return docs


def domain_docs(owner: dict) -> list[dict]:
    """The roastery's verified sending domain and a newer one still waiting for its DNS records."""
    verified = {
        **owner,
        "id": 1,
        "name": "acme.test",
        "provider": "ses",
        "status": "pending",
        "dns_setup_status": "unchecked",
        "dns_records": dns_records("acme.test"),
        "verified_at": None,
        "created_at": _moment(ACCOUNT_AGE_DAYS * DAY),
    }
    checked(verified, _moment((ACCOUNT_AGE_DAYS - 1) * DAY))
    pending = {
        **owner,
        "id": 2,
        "name": "news.acme-coffee.com",
        "provider": "ses",
        "status": "pending",
        "dns_setup_status": "unchecked",
        "dns_records": dns_records("news.acme-coffee.com"),
        "verified_at": None,
        "created_at": _moment(20 * DAY),
    }
    checked(pending, _moment(19 * DAY))
    return [verified, pending]


def manual_blocks(owner: dict) -> list[dict]:
    """Two addresses blocked by hand in the dashboard (no contact has them)."""
    docs = []
    for days, email in zip((41, 12), MANUAL_BLOCKS, strict=True):
        docs.append(
            suppression_doc(
                owner, email, "manual", _moment(days * DAY), contact_id=None, source_event_id=None, provider="dashboard"
            )
        )
    return docs


class Outflow:
    """Where a brand's world hands its documents as they become final (:meth:`event`, :meth:`message`,
    :meth:`suppression`): written to the store in batches of :data:`BATCH` per table, so memory stays flat however
    large the world. Messages also count toward the account's usage (:meth:`close`) and, with ``deliveries``,
    transactional emails give the webhook deliveries of their events; suppressions are merged in time order with
    ``blocks`` (stable: the world's first on a tie) and numbered from ``first_suppression``."""

    BATCH = 5_000

    def __init__(
        self,
        store: Store,
        *,
        first_suppression: int,
        blocks: Iterable[dict] = (),
        deliveries: webhook_history.Deliveries | None = None,
    ) -> None:
        self.store, self.deliveries = store, deliveries
        self.blocks = sorted(blocks, key=lambda doc: doc["event_occurred_at"])
        self.next_suppression = first_suppression
        self.batches: dict[str, list[dict]] = {}
        self.events, self.messages = self.batch("events"), self.batch("messages")
        self.period = iso(billing_period_start(CLOCK_START - timedelta(days=ACCOUNT_AGE_DAYS)))
        self.usage = {"email": [0, 0], "sms": [0, 0]}

    def batch(self, table: str) -> list[dict]:
        """The documents of ``table`` waiting to be written."""
        return self.batches.setdefault(table, [])

    def event(self, doc: dict) -> None:
        """One final event."""
        self.events.append(doc)
        if len(self.events) >= self.BATCH:
            self.flush("events")

    def message(self, doc: dict) -> None:
        """One final message (a transactional email gives the webhook deliveries its events made)."""
        if doc["status"] == "sent":
            pair = self.usage[doc["channel"]]
            pair[1] += 1
            pair[0] += doc["created_at"] >= self.period
        if self.deliveries is not None and "engagement" in doc:  # transactional emails, handed out in order
            for delivery in self.deliveries.add(doc):
                self._write("webhook_deliveries", delivery)
        self.messages.append(doc)
        if len(self.messages) >= self.BATCH:
            self.flush("messages")

    def suppression(self, doc: dict) -> None:
        """One suppression of the world, after the blocks that happened before it."""
        while self.blocks and self.blocks[0]["event_occurred_at"] < doc["event_occurred_at"]:
            self._suppression(self.blocks.pop(0))
        self._suppression(doc)

    def _suppression(self, doc: dict) -> None:
        self._write("suppressions", {**doc, "id": self.next_suppression})
        self.next_suppression += 1

    def _write(self, table: str, doc: dict) -> None:
        batch = self.batch(table)
        batch.append(doc)
        if len(batch) >= self.BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        """Write the waiting documents of ``table``."""
        batch = self.batches[table]
        self.store.insert_many(table, batch)
        batch.clear()

    def close(self) -> dict[str, tuple[int, int]]:
        """Write what is left (the blocks after the world's last suppression, the last deliveries) and return, per
        channel (email, sms), (messages sent in the account's current billing period, messages sent ever)."""
        for doc in self.blocks:
            self._suppression(doc)
        for delivery in self.deliveries.finish() if self.deliveries is not None else ():
            self._write("webhook_deliveries", delivery)
        for table in self.batches:
            self.flush(table)
        return {channel: tuple(pair) for channel, pair in self.usage.items()}


def _seed_brand(
    store: Store, rng: random.Random, brand_id: int, spec: BrandSeed, contacts: int, ids: Ids
) -> dict[str, tuple[int, int]]:
    """Insert one brand, simulate its year, and store everything it owns; returns its usage (see
    :meth:`Outflow.close`)."""
    brand = brand_doc(rng, brand_id, spec)
    store.insert_many("brands", [brand])
    owner = {"account_id": ACCOUNT_ID, "brand_id": brand_id}
    opened = stamp(opened_at(spec))
    first_list = ids.take("lists", len(spec.lists))
    list_ids = {plan.name: first_list + n for n, plan in enumerate(spec.lists)}
    store.insert_many(
        "lists",
        (
            {
                "id": list_ids[plan.name],
                "account_id": ACCOUNT_ID,
                "brand_id": brand_id,
                "name": plan.name,
                "segment_id": None,
                "stale": False,
                "last_populated_at": None,
                "created_at": opened,
                "updated_at": opened,
            }
            for plan in spec.lists
        ),
    )
    first_segment = ids.take("segments", len(spec.segments))
    store.insert_many(
        "segments",
        (
            {
                "id": i,
                "account_id": ACCOUNT_ID,
                "brand_id": brand_id,
                "name": name,
                "filters": filters,
                "created_at": _moment((200 - n * 20) * DAY),
                "updated_at": _moment((200 - n * 20) * DAY),
            }
            for n, (i, (name, filters)) in enumerate(enumerate(spec.segments, start=first_segment), start=1)
        ),
    )
    standalone = template_docs(spec, brand_id, ids.take("templates", len(spec.templates)))
    templates = {role: standalone[index - 1] for role, index in spec.roles.items()}
    campaigns = campaign_docs(store, spec, brand_id, ids, standalone, list_ids, templates)
    flows = flow_docs(spec, brand_id, ids, templates)
    hook = deliveries = None
    if brand_id == ROASTERY_ID:  # its webhook's deliveries, made as the world's emails are final
        hook = webhook_history.hook_window(ids.take("webhooks"), brand_id)
        links = webhook_history.links([templates[role] for role in spec.roles], brand["source_url"])
        deliveries = webhook_history.Deliveries(hook, links, ids.first("webhook_deliveries"))
    outflow = Outflow(
        store,
        first_suppression=ids.first("suppressions"),
        blocks=manual_blocks(owner) if hook is not None else (),
        deliveries=deliveries,
    )
    world = World(
        rng,
        spec,
        brand,
        owner,
        contacts=contacts,
        first_ids={key: ids.first(key) for key in ("contacts", "events", "messages")},
        list_ids=list_ids,
        campaigns=campaigns,
        templates=templates,
        flows=flows,
        out=outflow,
    ).run()
    counts = outflow.close()
    ids.take("contacts", contacts)
    ids.take("events", world.events)
    ids.take("messages", world.messages)
    ids.take("suppressions", outflow.next_suppression - ids.first("suppressions"))
    attached = [t for key, t in templates.items() if isinstance(key, tuple)]
    store.insert_many("templates", sorted([*standalone, *attached], key=lambda t: t["id"]))
    store.insert_many("campaigns", campaigns)
    store.insert_many("flows", [doc for doc, _ in flows])
    channel_ids = itertools.count(store.meta("seq:channel", 0) + 1)
    store.insert_many("contacts", _numbered_channels(world.contact_docs(), channel_ids))
    store.set_meta("seq:channel", next(channel_ids) - 1)
    store.insert_members(world.member_rows())
    if hook is not None:
        ids.take("webhook_deliveries", deliveries.next_id - ids.first("webhook_deliveries"))
        store.insert_many("webhooks", [webhook_history.endpoint_doc(rng, hook)])  # drawn after the world ran
        store.insert_many("domains", domain_docs(owner))
    return counts


def _numbered_channels(contacts: Iterable[dict], channel_ids: Iterator[int]) -> Iterator[dict]:
    """The ``contacts`` with their channels numbered from ``channel_ids`` in order, as they are stored."""
    for doc in contacts:
        for channel in doc["channels"]:
            channel["id"] = next(channel_ids)
        yield doc


def seed_store(store: Store, seed: int = 0, contacts: int = 250) -> None:
    """Fill an empty store with the deterministic demo world and reset the clock to its start: ``contacts``
    contacts for the default brand (the roastery) and a fifth as many for the cafe."""
    collecting = gc.isenabled()
    # The year makes millions of documents, each freed by reference counting once written: the collection passes
    # their allocations would trigger only rescan the world's long-lived objects.
    gc.disable()
    try:
        with store.fresh_load(), store.bulk_load():
            _seed_account(store, seed, contacts)
    finally:
        if collecting:
            gc.enable()


def _seed_account(store: Store, seed: int, contacts: int) -> None:
    """Seed the account's meta and its brands (see :func:`seed_store`)."""
    store.set_meta("clock", 0)
    store.set_meta("default_brand_id", ROASTERY_ID)
    store.set_meta("owner_email", "owner@acme.test")
    ids, usage = Ids(), {"email": [0, 0], "sms": [0, 0]}
    for brand_id, spec in BRANDS:
        rng = random.Random(seed if brand_id == ROASTERY_ID else f"{spec.name}:{seed}")
        for channel, (period, ever) in _seed_brand(
            store, rng, brand_id, spec, int(contacts * spec.contact_share), ids
        ).items():
            usage[channel][0] += period
            usage[channel][1] += ever
    store.set_meta("account", account_doc(usage))
    store.set_meta("seeded", True)
