"""Brands (keyed by ``sid``): their presentation (computed counts, completeness, domain status, onboarding),
creation within the plan's allowance, updates and deletion. Account-level: not filtered by ``X-Brand-SID``.
Deleting a brand removes everything it owns; the default brand cannot be deleted."""

from __future__ import annotations

import hashlib

from ..errors import ApiError, invalid
from ..state import SandboxState
from ..store import BRAND_TABLES
from .models import BrandCreate, BrandUpdate
from .plans import brand_allowance

FIELDS = (
    "id",
    "sid",
    "account_id",
    "brand_color",
    "text_color",
    "bg_color",
    "font_heading",
    "font_body",
    "style_notes",
    "tone",
    "company_description",
    "industry",
    "example_copy",
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
    "email_track_opens",
    "email_track_clicks",
    "from_email_domain_status",
    "test_email_recipients",
    "onboarding_state",
    "onboarding",
    "domain_verified",
    "can_send",
    "using_sandbox",
    "sandbox_email",
    "sandbox_monthly_cap",
    "sandbox_sends_remaining",
    "capabilities",
    "subscribed_contacts_count",
    "created_at",
    "updated_at",
)
SANDBOX_SENDER = "sandbox@send.nitrosend.test"  # where a brand without a verified domain sends from
ONBOARDING_STEPS = ("brand", "domain", "first_campaign")


def _domain(address: str | None) -> str | None:
    return address.rpartition("@")[2].lower() if address else None


def onboarding(state: SandboxState, brand: dict) -> dict:
    """``{steps, progress}``: brand identity set, sending domain verified, a campaign sent."""
    done = {
        "brand": bool(brand.get("brand_color") and brand.get("company_name")),
        "domain": bool(brand.get("domain_verified")),
        "first_campaign": state.store.count(
            "campaigns", f"brand_id = {int(brand['id'])} AND json_extract(doc, '$.locked') = 1"
        )
        > 0,
    }
    steps = {step: "complete" if done[step] else "pending" for step in ONBOARDING_STEPS}
    return {"steps": steps, "progress": {"completed": sum(done.values()), "total": len(ONBOARDING_STEPS)}}


def present(state: SandboxState, brands: list[dict]) -> list[dict]:
    """Brands as the API returns them, with the computed fields (counts, completeness, domain status)."""
    subscribed = dict(
        state.store.execute(
            "SELECT brand_id, COUNT(*) FROM contacts WHERE json_extract(doc, '$.subscribed_email') = 1 "
            "OR json_extract(doc, '$.subscribed_phone') = 1 GROUP BY brand_id"
        )
    )
    out = []
    for brand in brands:
        item = {k: brand.get(k) for k in FIELDS}
        item.update(
            complete=bool(brand.get("brand_color") and brand.get("company_name")),
            from_email_domain_status=(
                "blank"
                if not brand.get("email_from_email")
                else "verified"
                if brand.get("domain_verified")
                else "unverified"
            ),
            onboarding=onboarding(state, brand),
            subscribed_contacts_count=subscribed.get(brand["id"], 0),
        )
        out.append(item)
    return out


def brand_changes(body: BrandUpdate) -> dict:
    """The fields a create/update body sent, with each link complete (its defaulted icon and title included)."""
    changes = body.changes()
    if "links" in changes:
        changes["links"] = [link.model_dump() for link in body.links or []]
    return changes


def fetch(state: SandboxState, sid: str) -> dict:
    """The brand with ``sid`` or a 404."""
    brand = state.brand_by_sid(sid)
    if brand is None:
        raise ApiError(404, f"Brand {sid!r} not found")
    return brand


def every_brand(state: SandboxState) -> list[dict]:
    """Every brand of the account, oldest first, presented."""
    return present(state, state.store.query("brands", order="id ASC"))


def create(state: SandboxState, body: BrandCreate) -> dict:
    """A new brand, presented (402 ``payment_required`` once the plan's brand allowance is used up)."""
    with state.store.atomic():
        account = state.account()
        allowance = brand_allowance(account, state.store.count("brands"))
        if not allowance["can_create"]:
            raise ApiError(402, f"The plan allows {allowance['limit']} brands; upgrade to create another")
        now = state.store.tick()
        changes = brand_changes(body)
        sid = "brd_" + hashlib.sha256(f"{now}:{body.company_name}:{allowance['used']}".encode()).hexdigest()[:16]
        doc = {k: None for k in FIELDS if k != "id"}
        doc.update(
            {
                "sid": sid,
                "account_id": account["id"],
                "example_copy": [],
                "links": [],
                "email_track_opens": True,
                "email_track_clicks": True,
                "test_email_recipients": [],
                "onboarding_state": {},
                "domain_verified": False,
                "can_send": True,
                "using_sandbox": True,
                "sandbox_email": SANDBOX_SENDER,
                "sandbox_monthly_cap": 100,
                "sandbox_sends_remaining": 100,
                "capabilities": {"email": True, "sms": False, "ai": True},
                "created_at": now,
                "updated_at": now,
            }
        )
        doc.update(changes)
        doc["links"] = doc["links"] or []
        brand = state.store.insert("brands", doc)
    return present(state, [brand])[0]


def update(state: SandboxState, sid: str, body: BrandUpdate) -> dict:
    """Change the fields sent, presented; a from address on another domain needs that domain verified again."""
    with state.store.atomic():
        brand = fetch(state, sid)
        changes = brand_changes(body)
        if "company_name" in changes and changes["company_name"] is None:
            raise invalid({"company_name": ["can't be blank"]})
        if "email_from_email" in changes and _domain(changes["email_from_email"]) != _domain(
            brand.get("email_from_email")
        ):
            brand["domain_verified"] = False
            brand["using_sandbox"] = True
            brand["sandbox_email"] = brand.get("sandbox_email") or SANDBOX_SENDER
        brand.update(changes, updated_at=state.store.tick())
        state.store.replace("brands", brand)
    return present(state, [brand])[0]


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
