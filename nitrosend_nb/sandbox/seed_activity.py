"""Deterministic seed activity on top of the seeded account: events (orders, sign-ups, page views), the
suppressions and failure details behind the seeded failed messages, and two sending domains.

Runs after :func:`nitrosend_nb.sandbox.seed.seed_store` has stored contacts, lists, campaigns and messages, with its
own random generator, so the data seeded before it stays exactly as it was. Its size does not grow with the
number of contacts (a few hundred events), so large seeds stay fast.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from .dns import checked, dns_records
from .store import CLOCK_START, Store, iso, parse_iso
from .suppressions import HARD_BOUNCE_DIAGNOSTIC, suppression_doc

SHOP = "https://acme.test"
PRODUCTS = (("grinder", "Acme Grinder"), ("yirgacheffe", "Yirgacheffe 250 g"), ("huila", "Huila 250 g"),
            ("subscription", "Monthly subscription"), ("gift-box", "Gift box"))
DEVICES = (("Chrome", "macOS", "desktop"), ("Safari", "iOS", "mobile"), ("Chrome", "Android", "mobile"),
           ("Firefox", "Windows", "desktop"), ("Edge", "Windows", "desktop"), ("Safari", "iPadOS", "tablet"))
MANUAL_BLOCKS = ("abuse@example.net", "old-shop@example.net")  # blocked by hand; no seeded contact has them
SUPPRESSION_RANK = {"hard_bounce": 0, "soft_bounce": 1, "complaint": 2, "manual": 3}
AUDIENCE_SCAN = 500  # at most this many of a campaign's recipients are considered as buyers
# failure kinds of seeded failed emails: (weight, code, reason, category, suppression reason or None)
EMAIL_FAILURES = ((55, "hard_bounce", HARD_BOUNCE_DIAGNOSTIC, "recipient", "hard_bounce"),
                  (15, "mailbox_full", "452 4.2.2 Mailbox full", "delivery", "soft_bounce"),
                  (15, "provider_timeout", "The provider did not answer in time", "provider", None),
                  (15, "content_rejected", "The content was refused by review", "content_review", None))


def slug(name: str) -> str:
    """A campaign name as a ``utm_campaign`` value: ``"Spring sale"`` -> ``"spring-sale"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _at(base: str, seconds: float) -> str:
    return iso(parse_iso(base) + timedelta(seconds=int(seconds)))


def _before_start(seconds: float) -> str:
    return iso(CLOCK_START - timedelta(seconds=int(seconds)))


def _event(owner: dict, name: str, contact_id: int, created: str, **fields) -> dict:
    doc = {**owner, "event": name, "amount": None, "data": {}, "resource_uid": None, "resource_name": None,
           "resource_url": None, "idempotency_key": None, "test": False, "ip": None, "user_agent": None,
           "browser": None, "os": None, "device_type": None, "referrer": None, "utm_source": None,
           "utm_medium": None, "utm_term": None, "utm_content": None, "utm_campaign": None, "chain_depth": 0,
           "generated": False, "contact_id": contact_id, "created_at": created, "updated_at": created}
    doc.update(fields)
    return doc


def _order(owner: dict, rng: random.Random, contact_id: int, created: str, **utm) -> dict:
    _, name = rng.choice(PRODUCTS)
    amount = round(rng.uniform(12, 140), 2)
    number = rng.randrange(10000, 99999)
    return _event(owner, "order_placed", contact_id, created, amount=amount, resource_uid=f"order-{number}",
                  resource_name=f"Order #{number}", resource_url=f"{SHOP}/orders/{number}",
                  data={"order": {"id": number, "total": amount, "currency": "GBP", "product": name}}, **utm)


def event_docs(store: Store, rng: random.Random, owner: dict) -> list[dict]:
    """Orders after each sent email campaign (tagged with its ``utm_campaign``), organic and paid-search orders,
    sign-ups of the newest contacts, page views and a few test events; ids in time order."""
    docs = []
    brand = f"brand_id = {int(owner['brand_id'])}"
    campaigns = store.query("campaigns", f"{brand} AND json_extract(doc, '$.sent_at') IS NOT NULL AND "
                                         "json_extract(doc, '$.channel') = 'email'", order="id ASC")
    for campaign in campaigns:
        audience = [row[0] for row in store.execute(
            "SELECT m.contact_id FROM list_members m JOIN contacts c ON c.id = m.contact_id WHERE m.list_id = ? "
            "AND json_extract(c.doc, '$.subscribed_email') = 1 ORDER BY m.contact_id LIMIT ?",
            (campaign["trigger"]["contact_list_ids"][0], AUDIENCE_SCAN))]
        buyers = rng.sample(audience, k=min(len(audience), max(3, round(len(audience) * rng.uniform(0.08, 0.2)))))
        for contact_id in buyers:
            delay = rng.expovariate(1 / (2.5 * 86400))  # most orders within days of the send
            docs.append(_order(owner, rng, contact_id, _at(campaign["sent_at"], 600 + delay), utm_source="nitrosend",
                               utm_medium="email", utm_campaign=slug(campaign["name"]), utm_content="hero-button"))
    contacts = store.count("contacts", brand)  # the brand's contacts are ids 1..contacts (seeded first)
    if not contacts:
        return []
    for _ in range(40):
        paid = rng.random() < 0.5
        utm = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "brand-search",
               "utm_term": "fresh coffee beans"} if paid else {}
        docs.append(_order(owner, rng, rng.randrange(1, contacts + 1), _before_start(rng.uniform(1, 180) * 86400), **utm))
    for contact in store.query("contacts", brand, order="id DESC", limit=60):
        docs.append(_event(owner, "signed_up", contact["id"], contact["created_at"], data={"source": contact.get("source")},
                           resource_url=f"{SHOP}/signup"))
    for _ in range(120):
        page, title = rng.choice(PRODUCTS)
        browser, os_, device = rng.choice(DEVICES)
        docs.append(_event(owner, "page_viewed", rng.randrange(1, contacts + 1), _before_start(rng.uniform(0.1, 60) * 86400),
                           resource_uid=page, resource_name=title, resource_url=f"{SHOP}/shop/{page}",
                           browser=browser, os=os_, device_type=device,
                           referrer=rng.choice((None, "https://www.google.com/", "https://instagram.com/"))))
    for _ in range(3):
        docs.append(_order(owner, rng, rng.randrange(1, contacts + 1), _before_start(rng.uniform(1, 30) * 86400), test=True))
    docs.sort(key=lambda doc: doc["created_at"])
    for index, doc in enumerate(docs, start=1):
        doc.update(id=index, idempotency_key=f"seed-{doc['event']}-{index}")
    return docs


def failure_details(store: Store, rng: random.Random, owner: dict) -> list[dict]:
    """Give every seeded failed message its failure code, reason and category; return the suppressions the
    recipient failures caused, plus complaints on a few campaign emails and two manual blocks."""
    suppressions = []
    weights = [kind[0] for kind in EMAIL_FAILURES]
    brand = f"brand_id = {int(owner['brand_id'])}"
    # test sends keep their own failure reasons: the brand's QA addresses are never suppressed
    failed = f"{brand} AND status = 'failed' AND source_type IS NOT 'test'"
    for message in store.query("messages", failed, order="id ASC"):
        if message["channel"] == "sms":
            code, reason, category, suppress = "invalid_number", "The number is not a mobile number", "recipient", None
        else:
            _, code, reason, category, suppress = rng.choices(EMAIL_FAILURES, weights=weights)[0]
        message.update(failure_code=code, failure_reason=reason, failure_category=category,
                       status_reason_code=code, status_reason=reason, status_reason_category=category)
        store.replace("messages", message)
        if suppress:
            doc = suppression_doc(owner, message["to"], suppress, message["created_at"], contact_id=None,
                                  source_event_id=f"ses-{message.get('provider_id') or message['id']}", provider="ses")
            if suppress == "soft_bounce":
                expires = _at(message["created_at"], 14 * 86400)
                doc.update(bounce_type="soft", bounce_subtype="mailbox_full", provider_diagnostic=reason,
                           expires_at=expires, active=expires > iso(CLOCK_START))
            suppressions.append(doc)
    sent = store.query("messages", f"{brand} AND status = 'sent' AND channel = 'email' AND source_type = 'campaign'",
                       order="id ASC")
    for message in rng.sample(sent, k=min(len(sent), 6)):
        suppressions.append(suppression_doc(owner, message["to"], "complaint", _at(message["created_at"], 86400),
                                            contact_id=None, source_event_id=f"ses-{message['provider_id']}",
                                            provider="ses"))
    for email in MANUAL_BLOCKS:
        suppressions.append(suppression_doc(owner, email, "manual", _before_start(rng.uniform(5, 60) * 86400),
                                            contact_id=None, source_event_id=None, provider="dashboard"))
    unique: dict[str, dict] = {}  # one suppression per address: the earliest of its strongest reason
    for doc in sorted(suppressions, key=lambda d: (SUPPRESSION_RANK[d["reason"]], d["event_occurred_at"])):
        unique.setdefault(doc["email"], doc)
    docs = sorted(unique.values(), key=lambda d: d["event_occurred_at"])
    for index, doc in enumerate(docs, start=1):
        doc.update(id=index, created_at=doc["event_occurred_at"], updated_at=doc["event_occurred_at"])
    return docs


def domain_docs(owner: dict) -> list[dict]:
    """The brand's verified sending domain and a newer one still waiting for its DNS records."""
    verified = {**owner, "id": 1, "name": "acme.test", "provider": "ses", "status": "pending",
                "dns_setup_status": "unchecked", "dns_records": dns_records("acme.test"), "verified_at": None,
                "created_at": _before_start(395 * 86400)}
    checked(verified, _before_start(394 * 86400))
    pending = {**owner, "id": 2, "name": "news.acme-coffee.com", "provider": "ses", "status": "pending",
               "dns_setup_status": "unchecked", "dns_records": dns_records("news.acme-coffee.com"),
               "verified_at": None, "created_at": _before_start(20 * 86400)}
    checked(pending, _before_start(19 * 86400))
    return [verified, pending]


def seed_activity(store: Store, seed: int, owner: dict) -> None:
    """Store the events, suppressions (and failure details) and domains of seed ``seed``, owned by ``owner``
    (``account_id`` and ``brand_id``)."""
    rng = random.Random(f"activity:{seed}")
    with store.atomic():
        store.insert_many("events", event_docs(store, rng, owner))
        store.insert_many("suppressions", failure_details(store, rng, owner))
        store.insert_many("domains", domain_docs(owner))
