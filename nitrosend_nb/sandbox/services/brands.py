"""Brands (keyed by ``sid``): their presentation (today's Brand: the stored settings, and what is computed from
them: completeness, the effective sender, onboarding, counts), creation within the plan's allowance, updates,
the offline scrape, and deletion. Account-level: not filtered by ``X-Brand-SID``. Deleting a brand removes
everything it owns; the default brand cannot be deleted.

Computed, never stored: ``complete`` (a company name and a brand colour), the sender fields from
:func:`~..engine.senders.sender_of` (``domain_verified``, ``from_email_domain_status``, ``sender_configured`` and
the ``effective_*`` addresses and domain), ``brand_subdomain`` (the hosted sender a brand without its own
verified domain is offered: a suggestion until one is reserved, null once the brand sends from its own domain),
``onboarding`` (:data:`ONBOARDING_STEPS`, each complete when the brand has set it up), ``logo_url`` (the logo as
a URL: an uploaded image's, or the logo itself when it is one), ``sms_provisioned`` (``capabilities.sms``) and
``subscribed_contacts_count``.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from ..engine.senders import SANDBOX_DOMAIN, sender_of, verified_domains
from ..errors import ApiError, invalid
from ..state import SandboxState
from ..store import BRAND_TABLES
from .images import IMAGE_PURPOSES
from .images import present as present_image
from .models import BrandCreate, BrandScrape, BrandUpdate
from .plans import brand_allowance
from .uploads import unsign

FIELDS = (
    "id",
    "sid",
    "account_id",
    "brand_color",
    "text_color",
    "bg_color",
    "font_heading",
    "font_body",
    "heading_size",
    "body_size",
    "radius",
    "spacing_density",
    "company_description",
    "default_header",
    "default_footer",
    "default_theme",
    "physical_address",
    "company_name",
    "source_url",
    "last_scraped_at",
    "links",
    "logo",
    "complete",
    "email_from_name",
    "email_from_email",
    "email_reply_to",
    "email_view_online",
    "email_track_opens",
    "email_track_clicks",
    "from_email_domain_status",
    "effective_from_email",
    "effective_reply_to",
    "effective_sending_domain",
    "effective_source_email",
    "sender_configured",
    "test_email_recipients",
    "brand_document",
    "onboarding_state",
    "onboarding",
    "domain_verified",
    "can_send",
    "byo_routing",
    "brand_subdomain",
    "subscribed_contacts_count",
    "logo_url",
    "screenshot_url",
    "capabilities",
    "sms_provisioned",
    "created_at",
    "updated_at",
)
#: The onboarding steps, in order: identity (name and colour), a from address, that address on a verified
#: domain, contacts, and a sent campaign.
ONBOARDING_STEPS = ("brand", "sender", "domain", "contacts", "first_campaign")
NO_BYO_ROUTING = {"mismatch": False, "provider": None, "bypassing_domains": [], "message": None}


def _slug(name: str | None) -> str:
    """A subdomain label made of a company name (``Acme Kiosk`` -> ``acme-kiosk``)."""
    return re.sub(r"[^a-z0-9]+", "-", (name or "brand").lower()).strip("-")[:40] or "brand"


def onboarding(state: SandboxState, brand: dict, configured: bool | None = None) -> dict:
    """``{steps, progress}``: each of :data:`ONBOARDING_STEPS` ``complete`` once the brand has set it up, else
    ``pending``; ``configured`` is its sender's (computed when not given)."""
    if configured is None:
        configured = sender_of(brand, verified_domains(state.store)).configured
    owned = f"brand_id = {int(brand['id'])}"
    done = {
        "brand": _complete(brand),
        "sender": bool(brand.get("email_from_email")),
        "domain": configured,
        "contacts": bool(state.store.execute(f"SELECT 1 FROM contacts WHERE {owned} LIMIT 1")),
        "first_campaign": state.store.count("campaigns", f"{owned} AND json_extract(doc, '$.locked') = 1") > 0,
    }
    steps = {step: "complete" if done[step] else "pending" for step in ONBOARDING_STEPS}
    return {"steps": steps, "progress": {"completed": sum(done.values()), "total": len(ONBOARDING_STEPS)}}


def _complete(brand: dict) -> bool:
    return bool(brand.get("brand_color") and brand.get("company_name"))


def logo_url(state: SandboxState, logo: str | None, base_url: str | None) -> str | None:
    """The brand's logo as a URL: an uploaded image's (``logo`` is its signed id), the logo itself when it is an
    http(s) or data: URL, else None."""
    if not logo:
        return None
    if logo.startswith(("http://", "https://", "data:image/")):
        return logo
    blob_id = unsign(state, "blob", logo)
    blob = state.store.get("blobs", blob_id) if isinstance(blob_id, int) else None
    if blob is None or blob.get("purpose") not in IMAGE_PURPOSES or base_url is None:
        return None
    return present_image(blob, base_url, state)["image_url"]


def present(state: SandboxState, brands: list[dict], base_url: str | None = None) -> list[dict]:
    """Brands as the API returns them, with the computed fields (see the module docstring); ``base_url`` (the
    request's) makes an uploaded logo's URL."""
    subscribed = dict(
        state.store.execute(
            "SELECT brand_id, COUNT(*) FROM contacts WHERE json_extract(doc, '$.subscribed_email') = 1 "
            "OR json_extract(doc, '$.subscribed_phone') = 1 GROUP BY brand_id"
        )
    )
    verified = verified_domains(state.store)
    out = []
    for brand in brands:
        sender = sender_of(brand, verified)
        item = {k: brand.get(k) for k in FIELDS}
        item.update(
            complete=_complete(brand),
            from_email_domain_status=sender.domain_status,
            effective_from_email=sender.from_email,
            effective_reply_to=sender.reply_to,
            effective_sending_domain=sender.sending_domain,
            effective_source_email=sender.source_email,
            sender_configured=sender.configured,
            onboarding=onboarding(state, brand, sender.configured),
            domain_verified=sender.configured,
            byo_routing=dict(NO_BYO_ROUTING, bypassing_domains=[]),
            brand_subdomain=None if sender.configured else _subdomain_offer(brand),
            subscribed_contacts_count=subscribed.get(brand["id"], 0),
            logo_url=logo_url(state, brand.get("logo"), base_url),
            sms_provisioned=bool((brand.get("capabilities") or {}).get("sms")),
        )
        out.append(item)
    return out


def _subdomain_offer(brand: dict) -> dict:
    """The hosted sender offered to a brand without its own verified domain: a subdomain to reserve under the
    sandbox's sending domain, suggested from its company name."""
    return {
        "namespace_status": "unreserved",
        "status": "namespace_reservation_required",
        "ready": False,
        "preparation_required": True,
        "fqdn_changeable": False,
        "apex": SANDBOX_DOMAIN,
        "suggested_subdomain": _slug(brand.get("company_name")),
    }


def brand_changes(body: BrandUpdate) -> dict:
    """The fields a create/update body sent, with each link complete (its defaulted icon and title included);
    ``name`` is only the ``company_name`` it stands for."""
    changes = body.changes()
    changes.pop("name", None)
    if "links" in changes:
        changes["links"] = [link.model_dump() for link in body.links or []]
    return changes


def fetch(state: SandboxState, sid: str) -> dict:
    """The brand with ``sid`` or a 404."""
    brand = state.brand_by_sid(sid)
    if brand is None:
        raise ApiError(404, f"Brand {sid!r} not found")
    return brand


def every_brand(state: SandboxState, base_url: str | None = None) -> list[dict]:
    """Every brand of the account, oldest first, presented."""
    return present(state, state.store.query("brands", order="id ASC"), base_url)


def create(state: SandboxState, body: BrandCreate, base_url: str | None = None) -> dict:
    """A new brand, presented (402 ``payment_required`` once the plan's brand allowance is used up)."""
    with state.store.atomic():
        account = state.account()
        allowance = brand_allowance(account, state.store.count("brands"))
        if not allowance["can_create"]:
            raise ApiError(402, f"The plan allows {allowance['limit']} brands; upgrade to create another")
        now = state.store.tick()
        changes = brand_changes(body)
        sid = "brd_" + hashlib.sha256(f"{now}:{body.company_name}:{allowance['used']}".encode()).hexdigest()[:16]
        doc = {
            "sid": sid,
            "account_id": account["id"],
            "spacing_density": "normal",
            "links": [],
            "email_view_online": True,
            "email_track_opens": True,
            "email_track_clicks": True,
            "test_email_recipients": [],
            "onboarding_state": {},
            "can_send": True,
            "capabilities": {"email": True, "sms": False, "ai": True},
            "created_at": now,
            "updated_at": now,
        }
        doc.update(changes)
        doc["links"] = doc["links"] or []
        brand = state.store.insert("brands", doc)
    return present(state, [brand], base_url)[0]


def update(state: SandboxState, sid: str, body: BrandUpdate, base_url: str | None = None) -> dict:
    """Change the fields sent, presented (the sender fields follow the from address's domain)."""
    with state.store.atomic():
        brand = fetch(state, sid)
        changes = brand_changes(body)
        if "company_name" in changes and changes["company_name"] is None:
            raise invalid({"company_name": ["can't be blank"]})
        brand.update(changes, updated_at=state.store.tick())
        state.store.replace("brands", brand)
    return present(state, [brand], base_url)[0]


def scrape(state: SandboxState, sid: str, body: BrandScrape) -> dict:
    """Read the brand's website (``{status: "scraping", url}``). The sandbox has no network, so it keeps what the
    URL itself says: the site becomes the brand's ``source_url`` (and a Website link when it has none), an empty
    company name is taken from the host, and ``last_scraped_at`` is now; colours, fonts and logo stay as they
    are."""
    url = body.url
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    with state.store.atomic():
        brand = fetch(state, sid)
        now = state.store.tick()
        links = list(brand.get("links") or [])
        if not any(link.get("url", "").rstrip("/") == url.rstrip("/") for link in links):
            links.append({"url": url, "icon": "globe", "title": "Website"})
        brand.update(
            source_url=url,
            links=links,
            company_name=brand.get("company_name") or host.split(".")[0].replace("-", " ").title() or None,
            last_scraped_at=now,
            onboarding_state={**(brand.get("onboarding_state") or {}), "scrape": {"completed_at": now}},
            updated_at=now,
        )
        state.store.replace("brands", brand)
    return {"status": "scraping", "url": url}


def delete(state: SandboxState, sid: str) -> dict:
    """Delete a brand and everything it owns; returns it as presented just before (409 ``conflict`` for the
    default brand, which is also the last)."""
    with state.store.atomic():
        brand = fetch(state, sid)
        if brand["id"] == state.default_brand_id():
            raise ApiError(409, "The account's default brand cannot be deleted (an account always keeps one brand)")
        presented = present(state, [brand])[0]
        state.store.tick()
        owned = f"brand_id = {int(brand['id'])}"
        state.store.execute(
            f"DELETE FROM list_members WHERE list_id IN (SELECT id FROM lists WHERE {owned}) "
            f"OR contact_id IN (SELECT id FROM contacts WHERE {owned})"
        )
        for table in BRAND_TABLES:
            state.store.execute(f"DELETE FROM {table} WHERE {owned}")
        state.store.delete("brands", brand["id"])
    return presented
