"""Campaigns: list, create, get, update, delete and send (to an explicit audience; content locked afterwards)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...rendering import merge_context, render_email
from ..audience import audience_condition, check_lists, segment_condition
from ..delivery import count_usage, default_sender, deliver, sender
from ..errors import campaign_locked, invalid
from ..idempotency import fingerprint, replay, request_key
from ..models import CampaignCreate, CampaignSend, CampaignUpdate, ResourceId
from ..seed import ACCOUNT_ID, BRAND_ID
from ..state import SandboxState, get_state
from ..store import iso, parse_iso
from .crud import Resource, register
from .templates import attached_templates, brand_theme

FIELDS = ("id", "account_id", "brand_id", "status", "approval_state", "channel", "name", "data", "scheduled_at",
          "sent_count", "created_at", "updated_at", "trigger", "template", "templates")
LOCKED_FIELDS = ("template_attributes", "trigger_attributes", "channel", "scheduled_at")


class Campaigns(Resource):
    """Campaigns: an embedded trigger (the audience) and an attached template row (the content)."""

    table, label, fields = "campaigns", "Campaign", FIELDS
    create_model, update_model = CampaignCreate, CampaignUpdate

    def present(self, state: SandboxState, docs: list) -> list:
        templates = attached_templates(state, [d["template_id"] for d in docs if d.get("template_id")])
        out = []
        for doc in docs:
            template = templates.get(doc.get("template_id"))
            out.append({**{k: doc.get(k) for k in FIELDS}, "template": template,
                        "templates": [template] if template else []})
        return out

    def _apply_trigger(self, state: SandboxState, doc: dict, attrs: dict, now: str) -> None:
        trigger = doc["trigger"]
        if "contact_list_ids" in attrs or "contact_list_id" in attrs:
            ids = list(attrs.get("contact_list_ids") or [])
            if attrs.get("contact_list_id") is not None:
                ids.insert(0, attrs["contact_list_id"])
            field = "trigger_attributes.contact_list_ids"
            trigger["contact_list_ids"] = check_lists(state, ids, field)
            trigger["contact_list_id"] = trigger["contact_list_ids"][0] if trigger["contact_list_ids"] else None
        if "segment_id" in attrs:
            if attrs["segment_id"] is not None:
                segment_condition(state, attrs["segment_id"], "trigger_attributes.segment_id")
            trigger["segment_id"] = attrs["segment_id"]
        for key in ("event", "data"):
            if key in attrs:
                trigger[key] = attrs[key]
        trigger["updated_at"] = now

    def _apply_template(self, state: SandboxState, doc: dict, attrs: dict, now: str) -> None:
        """Create or change the campaign's template (a templates row attached through ``flow_id``)."""
        template = state.store.get("templates", doc["template_id"]) if doc.get("template_id") else None
        if template is None:
            template = state.store.insert("templates", {
                "name": doc["name"], "flow_id": doc["trigger"]["flow_id"], "action_id": None, "subject": None,
                "body": None, "preheader": None, "from_name": None, "from_email": None, "reply_to": None,
                "design": None, "created_at": now, "updated_at": now})
            doc["template_id"] = template["id"]
        template.update(attrs, updated_at=now)
        state.store.replace("templates", template)

    def _apply(self, state: SandboxState, doc: dict, changes: dict, now: str) -> dict:
        if doc.get("locked") and any(k in changes for k in LOCKED_FIELDS):
            raise campaign_locked()
        if changes.get("scheduled_at") is not None:
            try:
                changes["scheduled_at"] = iso(parse_iso(changes["scheduled_at"]))
            except ValueError:
                raise invalid({"scheduled_at": ["must be an ISO 8601 timestamp"]}) from None
        for key in ("name", "status", "channel", "scheduled_at", "data"):
            if key in changes and (changes[key] is not None or key == "scheduled_at"):
                doc[key] = changes[key]
        if changes.get("trigger_attributes") is not None:
            self._apply_trigger(state, doc, changes["trigger_attributes"], now)
        if changes.get("template_attributes") is not None:
            self._apply_template(state, doc, changes["template_attributes"], now)
        return doc

    def build(self, state: SandboxState, body: CampaignCreate, now: str) -> dict:
        flow_id = state.store.next_seq("campaign_flow", 1001)
        doc = {"account_id": ACCOUNT_ID, "brand_id": BRAND_ID, "status": "draft", "approval_state": "pending",
               "channel": body.channel, "name": body.name, "data": {}, "scheduled_at": None, "sent_count": 0,
               "created_at": now, "updated_at": now, "sent_at": None, "locked": False,
               "trigger": {"id": state.store.next_seq("campaign_trigger", 1001), "flow_id": flow_id,
                           "event": "campaign", "segment_id": None, "contact_list_id": None, "contact_list_ids": [],
                           "data": None, "triggered_count": 0, "last_triggered_at": None, "created_at": now,
                           "updated_at": now},
               "template_id": None}
        changes = body.changes()
        changes.setdefault("channel", body.channel)
        return self._apply(state, doc, changes, now)

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: CampaignUpdate, now: str) -> dict:
        return self._apply(state, doc, changes, now)

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        if doc.get("template_id"):
            state.store.delete("templates", doc["template_id"])


campaigns = Campaigns()
router = APIRouter()


def _check_content(state: SandboxState, doc: dict) -> dict:
    template = (state.store.get("templates", doc["template_id"]) if doc.get("template_id") else None) or {}
    if doc["channel"] == "sms":
        if not template.get("body"):
            raise invalid({"template_attributes.body": ["is required to send an SMS campaign"]})
        return template
    errors = {}
    if not template.get("subject"):
        errors["template_attributes.subject"] = ["is required to send an email campaign"]
    if not (template.get("body") or (template.get("design") or {}).get("sections")):
        errors["template_attributes.design"] = ["a design with sections or a body is required"]
    if errors:
        raise invalid(errors)
    return template


def _deliver_all(state: SandboxState, doc: dict, template: dict, recipients: list[dict], now: str) -> None:
    brand_from, brand_reply_to = default_sender(state)
    from_ = sender(template.get("from_name"), template["from_email"]) if template.get("from_email") else brand_from
    theme, brand = brand_theme(state), state.brand()
    for contact in recipients:
        context = merge_context(brand, contact)
        to = contact["email"] if doc["channel"] == "email" else contact["phone"]
        email = render_email(template, context, theme) if doc["channel"] == "email" else None
        message = state.store.insert("messages", {
            "channel": doc["channel"], "to": to, "subject": email and email.subject, "status": "sent",
            "provider_id": f"sbx-c{doc['id']}-{contact['id']}", "flow_id": doc["trigger"]["flow_id"],
            "source_type": "campaign", "source_name": doc["name"], "sent_at": now, "created_at": now,
            "campaign_id": doc["id"], "contact_id": contact["id"]})
        if email is not None:
            deliver(state, now, kind="campaign", to=to, subject=email.subject, html=email.html, text=email.text,
                    from_=from_, reply_to=template.get("reply_to") or brand_reply_to, message_id=message["id"],
                    campaign_id=doc["id"], contact_id=contact["id"], context=context, count=False)
    count_usage(state, **{"email" if doc["channel"] == "email" else "sms": len(recipients)})


@router.post("/campaigns/{ident}/send", tags=["Campaigns"], summary="Send a campaign")
def send_campaign(ident: ResourceId, request: Request, body: CampaignSend | None = None,
                  state: SandboxState = Depends(get_state)) -> Response:
    """Deliver to the subscribed contacts of the chosen lists and/or segment (or everyone with
    ``confirm_send_to_all``), record one message per recipient, then lock the content."""
    body = body or CampaignSend()
    key = request_key(request, None)
    scope, print_ = f"campaigns/{ident}/send", fingerprint(body.model_dump(mode="json", exclude_unset=True))
    with state.store.atomic():
        previous = replay(state.store, scope, key, print_)
        if previous is not None:
            return campaigns.one(state, campaigns.fetch(state, ident))
        doc = campaigns.fetch(state, ident)
        if doc.get("locked"):
            raise campaign_locked()
        now = state.store.tick()
        campaigns.apply(state, doc, body.changes(), body, now)
        trigger = doc["trigger"]
        if not (trigger["contact_list_ids"] or trigger["segment_id"] is not None or body.confirm_send_to_all):
            raise invalid({"audience": ["choose trigger_attributes.contact_list_ids, trigger_attributes.segment_id "
                                        "or confirm_send_to_all=true; a campaign never falls back to everyone"]})
        template = _check_content(state, doc)
        where, params = audience_condition(state, trigger["contact_list_ids"], trigger["segment_id"], doc["channel"])
        recipients = state.store.query("contacts", where, params, order="id ASC")
        _deliver_all(state, doc, template, recipients, now)
        trigger.update(triggered_count=trigger["triggered_count"] + 1, last_triggered_at=now, updated_at=now)
        doc.update(status="completed", approval_state="approved", sent_count=doc["sent_count"] + len(recipients),
                   sent_at=now, locked=True, updated_at=now, scheduled_at=doc.get("scheduled_at") or now)
        state.store.replace("campaigns", doc)
        if key:
            state.store.remember(scope, key, print_, {"id": ident})
    return campaigns.one(state, doc)


register(router, campaigns)
