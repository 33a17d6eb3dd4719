"""Campaigns: the documents behind /campaigns (an embedded trigger and an attached template row), sending,
test sends and duplication.

Status (draft|scheduled|live|paused|completed|cancelled|archived) moves like this:

- Setting ``scheduled_at`` on a draft makes it ``scheduled``; clearing it on a scheduled campaign makes it a draft.
- ``POST /send`` takes a draft, scheduled or paused campaign ``live``; the sandbox creates every message at once,
  so the send ends ``completed`` (and ``editable: false``, its content locked). A campaign whose ``scheduled_at``
  is still ahead of the sandbox clock stays ``scheduled`` (the sandbox has no scheduler: send it again without a
  future ``scheduled_at`` to send now).
- PATCH ``status``: draft -> scheduled|cancelled|archived; scheduled -> draft|paused|cancelled;
  paused -> scheduled|draft|cancelled|archived; live -> paused|cancelled; completed|cancelled -> archived;
  archived is final. ``live`` and ``completed`` are reached only by sending. Anything else is a 422 naming the
  moves that are allowed.

Approval (pending_review|approved|rejected): a new or duplicated campaign is ``pending_review``; sending it is the
review and approves it (the sandbox approves any content that passes the send checks). A ``rejected`` campaign
cannot be sent (422) until its content changes, which puts it back to ``pending_review``.
"""

from __future__ import annotations

from ...rendering import merge_context
from ...rendering.design import brand_theme
from ..engine.delivery import content_sender, count_usage, deliver, record_message
from ..engine.outcomes import refusal
from ..engine.rendering import render_email, write_after_rendering
from ..errors import campaign_locked, invalid
from ..state import SandboxState
from ..store import iso, parse_iso
from .audience import audience_condition, segment_condition, trigger_lists
from .idempotency import fingerprint, replay
from .messages import messages
from .models import CampaignCreate, CampaignDuplicate, CampaignSend, CampaignUpdate
from .resource import Resource
from .template_docs import CONTENT_FIELDS, template_doc
from .templates import attached_templates

FIELDS = (
    "id",
    "account_id",
    "brand_id",
    "status",
    "approval_state",
    "channel",
    "name",
    "data",
    "scheduled_at",
    "sent_count",
    "editable",
    "created_at",
    "updated_at",
    "trigger",
    "template",
    "templates",
)
TRIGGER_FIELDS = (
    "id",
    "flow_id",
    "audience_type",
    "segment_id",
    "resource_type",
    "resource_id",
    "name",
    "event",
    "data",
    "contact_list_id",
    "contact_list_ids",
    "triggered_count",
    "last_triggered_at",
    "created_at",
    "updated_at",
)
LOCKED_FIELDS = ("template_attributes", "trigger_attributes", "channel", "scheduled_at")
TRANSITIONS = {
    "draft": ("scheduled", "cancelled", "archived"),
    "scheduled": ("draft", "paused", "cancelled"),
    "paused": ("scheduled", "draft", "cancelled", "archived"),
    "live": ("paused", "cancelled"),
    "completed": ("archived",),
    "cancelled": ("archived",),
    "archived": (),
}
SENDABLE = ("draft", "scheduled", "paused")


def _move(doc: dict, target: str) -> None:
    """Change ``doc``'s status to ``target`` by PATCH, or a 422 saying which moves are allowed."""
    current = doc["status"]
    if target == current:
        return
    if target in ("live", "completed"):
        raise invalid({"status": [f"a campaign becomes {target} by being sent (POST /campaigns/{doc['id']}/send)"]})
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current]) or "nothing (archived is final)"
        raise invalid(
            {"status": [f"cannot change from {current} to {target}; a {current} campaign can become {allowed}"]}
        )
    if target == "scheduled" and not doc.get("scheduled_at"):
        raise invalid({"scheduled_at": ["is required to schedule a campaign"]})
    if target == "draft":
        doc["scheduled_at"] = None
    doc["status"] = target


class Campaigns(Resource):
    """Campaigns: an embedded trigger (the audience) and an attached template row (the content)."""

    table, label, fields = "campaigns", "Campaign", FIELDS
    create_model, update_model = CampaignCreate, CampaignUpdate

    def present(self, state: SandboxState, docs: list) -> list:
        templates = attached_templates(state, [d["template_id"] for d in docs if d.get("template_id")])
        sent = messages.counts(state, "campaign_id", [d["id"] for d in docs], "campaign")
        out = []
        for doc in docs:
            template = templates.get(doc.get("template_id"))
            trigger = {
                **{k: doc["trigger"].get(k) for k in TRIGGER_FIELDS},
                "resource_type": "Campaign",
                "resource_id": doc["id"],
                "name": doc["name"],
            }
            out.append(
                {
                    **{k: doc.get(k) for k in FIELDS},
                    "sent_count": sent[doc["id"]],
                    "editable": not doc.get("locked"),
                    "trigger": trigger,
                    "template": template,
                    "templates": [template] if template else [],
                }
            )
        return out

    def _apply_trigger(self, state: SandboxState, doc: dict, attrs: dict, now: str) -> None:
        trigger = doc["trigger"]
        if "contact_list_ids" in attrs or "contact_list_id" in attrs:
            trigger["contact_list_ids"] = trigger_lists(state, attrs, "trigger_attributes.contact_list_ids")
            trigger["contact_list_id"] = trigger["contact_list_ids"][0] if trigger["contact_list_ids"] else None
        if "segment_id" in attrs:
            if attrs["segment_id"] is not None:
                segment_condition(state, attrs["segment_id"], "trigger_attributes.segment_id")
            trigger["segment_id"] = attrs["segment_id"]
        for key in ("event", "data"):
            if key in attrs:
                trigger[key] = attrs[key]
        if "audience_type" in attrs:
            trigger["audience_type"] = attrs["audience_type"]
        elif trigger.get("audience_type") != "all_contacts" or trigger["contact_list_ids"] or trigger["segment_id"]:
            trigger["audience_type"] = (
                "lists" if trigger["contact_list_ids"] else "segment" if trigger["segment_id"] is not None else None
            )
        trigger["updated_at"] = now

    def _apply_template(self, state: SandboxState, doc: dict, attrs: dict, now: str) -> None:
        """Create or change the campaign's template (a templates row attached through ``flow_id``)."""
        template = state.find("templates", doc["template_id"]) if doc.get("template_id") else None
        if template is None:
            template = state.insert("templates", template_doc(doc["name"], doc["trigger"]["flow_id"], {}, now))
            doc["template_id"] = template["id"]
        template.update(attrs, updated_at=now)
        state.store.replace("templates", template)
        if doc["approval_state"] == "rejected":
            doc["approval_state"] = "pending_review"

    def _apply(self, state: SandboxState, doc: dict, changes: dict, now: str) -> dict:
        if doc.get("locked") and any(k in changes for k in LOCKED_FIELDS):
            raise campaign_locked()
        if changes.get("scheduled_at") is not None:
            try:
                changes["scheduled_at"] = iso(parse_iso(changes["scheduled_at"]))
            except ValueError:
                raise invalid({"scheduled_at": ["must be an ISO 8601 timestamp"]}) from None
        for key in ("name", "channel", "scheduled_at", "data"):
            if key in changes and (changes[key] is not None or key == "scheduled_at"):
                doc[key] = changes[key]
        if changes.get("status") is not None:
            _move(doc, changes["status"])
        elif "scheduled_at" in changes:  # (un)scheduling by the date alone
            if doc["status"] == "draft" and doc["scheduled_at"]:
                doc["status"] = "scheduled"
            elif doc["status"] == "scheduled" and not doc["scheduled_at"]:
                doc["status"] = "draft"
        if changes.get("trigger_attributes") is not None:
            self._apply_trigger(state, doc, changes["trigger_attributes"], now)
        if changes.get("template_attributes") is not None:
            self._apply_template(state, doc, changes["template_attributes"], now)
        return doc

    def new_doc(self, state: SandboxState, name: str, channel: str, now: str) -> dict:
        """A fresh draft campaign document with an empty trigger and no template."""
        return {
            "status": "draft",
            "approval_state": "pending_review",
            "channel": channel,
            "name": name,
            "data": {},
            "scheduled_at": None,
            "created_at": now,
            "updated_at": now,
            "sent_at": None,
            "locked": False,
            "trigger": {
                "id": state.store.next_seq("campaign_trigger", 1001),
                "flow_id": state.store.next_seq("campaign_flow", 1001),
                "audience_type": None,
                "event": "campaign",
                "segment_id": None,
                "contact_list_id": None,
                "contact_list_ids": [],
                "data": None,
                "triggered_count": 0,
                "last_triggered_at": None,
                "created_at": now,
                "updated_at": now,
            },
            "template_id": None,
        }

    def build(self, state: SandboxState, body: CampaignCreate, now: str) -> dict:
        doc = self.new_doc(state, body.name, body.channel, now)
        changes = body.changes()
        changes.setdefault("channel", body.channel)
        return self._apply(state, doc, changes, now)

    def apply(self, state: SandboxState, doc: dict, changes: dict, body: CampaignUpdate, now: str) -> dict:
        return self._apply(state, doc, changes, now)

    def before_delete(self, state: SandboxState, doc: dict) -> None:
        if doc.get("template_id"):
            state.store.delete("templates", doc["template_id"])


campaigns = Campaigns()


def check_content(state: SandboxState, doc: dict) -> dict:
    """The campaign's template when it holds what its channel needs to send, else a 422 naming what is missing."""
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


def _audience(state: SandboxState, trigger: dict, confirm_send_to_all: bool) -> tuple[str, list]:
    """The SQL condition over contacts the campaign reaches, per its ``audience_type`` (lists and a segment
    together intersect); all contacts only with ``confirm_send_to_all``."""
    kind = trigger.get("audience_type")
    if kind is None and confirm_send_to_all and not (trigger["contact_list_ids"] or trigger["segment_id"]):
        kind = trigger["audience_type"] = "all_contacts"
    if kind == "all_contacts":
        if not confirm_send_to_all:
            raise invalid({"confirm_send_to_all": ["must be true to send to all contacts"]})
        return [], None
    if kind == "lists" and not trigger["contact_list_ids"]:
        raise invalid({"trigger_attributes.contact_list_ids": ["audience_type lists needs at least one list"]})
    if kind == "segment" and trigger["segment_id"] is None:
        raise invalid({"trigger_attributes.segment_id": ["audience_type segment needs a segment"]})
    if kind is None:
        raise invalid(
            {
                "audience": [
                    "choose trigger_attributes.contact_list_ids, trigger_attributes.segment_id "
                    "or confirm_send_to_all=true; a campaign never falls back to everyone"
                ]
            }
        )
    return trigger["contact_list_ids"], trigger["segment_id"]


def _deliver_all(state: SandboxState, doc: dict, template: dict, recipients: list[dict], now: str) -> None:
    """One message per recipient (failed ones per :mod:`..engine.outcomes`), emails to the outbox, usage counted."""
    from_, reply_to = content_sender(state, template)
    brand, account = state.brand(), state.account()
    theme = brand_theme(brand)
    delivered = 0
    for contact in recipients:
        context = merge_context(brand, contact)
        to = contact["email"] if doc["channel"] == "email" else contact["phone"]
        email = render_email(template, context, theme) if doc["channel"] == "email" else None
        failure = refusal(brand, account, doc["channel"], to)
        message = record_message(
            state,
            now,
            channel=doc["channel"],
            to=to,
            subject=email and email.subject,
            source_type="campaign",
            source_name=doc["name"],
            flow_id=doc["trigger"]["flow_id"],
            failure=failure,
            campaign_id=doc["id"],
            contact_id=contact["id"],
        )
        if failure is not None:
            continue
        delivered += 1
        if email is not None:
            deliver(
                state,
                now,
                email,
                message,
                kind="campaign",
                from_=from_,
                reply_to=reply_to,
                context=context,
                count=False,
            )
    count_usage(state, **{"email" if doc["channel"] == "email" else "sms": delivered})


def send(state: SandboxState, ident: int, body: CampaignSend, key: str | None) -> dict:
    """Deliver to the subscribed contacts of the chosen lists and/or segment (or everyone with
    ``confirm_send_to_all``), record one message per recipient, then lock the content (see the module
    docstring for statuses and approval); with an idempotency ``key`` seen before, the campaign as it is. The
    emails are rendered with no lock held."""
    return write_after_rendering(state.store, lambda: _send(state, ident, body, key))


def _send(state: SandboxState, ident: int, body: CampaignSend, key: str | None) -> dict:
    scope, print_ = f"campaigns/{ident}/send", fingerprint(body.model_dump(mode="json", exclude_unset=True))
    with state.store.atomic():
        previous = replay(state.store, scope, key, print_)
        if previous is not None:
            return campaigns.fetch(state, ident)
        doc = campaigns.fetch(state, ident)
        if doc.get("locked"):
            raise campaign_locked()
        if doc["status"] not in SENDABLE:
            raise invalid(
                {
                    "status": [
                        f"a {doc['status']} campaign cannot be sent; duplicate it "
                        f"(POST /campaigns/{ident}/duplicate) to send it again"
                    ]
                }
            )
        now = state.store.tick()
        campaigns.apply(state, doc, body.changes(), body, now)
        if doc["approval_state"] == "rejected":
            raise invalid(
                {
                    "approval_state": [
                        "the campaign was rejected in review; change its content to have it reviewed again"
                    ]
                }
            )
        trigger = doc["trigger"]
        list_ids, segment_id = _audience(state, trigger, body.confirm_send_to_all)
        template = check_content(state, doc)
        doc.update(approval_state="approved", updated_at=now)
        if doc.get("scheduled_at") and doc["scheduled_at"] > now:
            doc["status"] = "scheduled"
        else:
            where, params = audience_condition(state, list_ids, segment_id, doc["channel"])
            doc.update(status="live", scheduled_at=doc.get("scheduled_at") or now)
            _deliver_all(state, doc, template, state.store.query("contacts", where, params, order="id ASC"), now)
            trigger.update(triggered_count=trigger["triggered_count"] + 1, last_triggered_at=now, updated_at=now)
            doc.update(status="completed", sent_at=now, locked=True)
        state.store.replace("campaigns", doc)
        if key:
            state.store.remember(scope, key, print_, {"id": ident})
    return doc


def test_content(state: SandboxState, ident: int) -> tuple[dict, dict]:
    """(campaign, content) of an email campaign a test send can send (422 for SMS or incomplete content)."""
    doc = campaigns.fetch(state, ident)
    if doc["channel"] != "email":
        raise invalid({"channel": ["send_test is for email campaigns"]})
    return doc, check_content(state, doc)


def duplicate(state: SandboxState, ident: int, body: CampaignDuplicate) -> dict:
    """A new draft with the source's channel, data, audience and content (``name`` defaults to
    "<name> (copy)"); ``cancel_source`` also cancels the source, which must be able to become cancelled."""
    with state.store.atomic():
        source = campaigns.fetch(state, ident)
        if body.cancel_source:
            if "cancelled" not in TRANSITIONS[source["status"]] and source["status"] != "cancelled":
                raise invalid({"cancel_source": [f"a {source['status']} campaign cannot be cancelled"]})
            source["status"] = "cancelled"
        now = state.store.tick()
        doc = campaigns.new_doc(state, body.name or f"{source['name']} (copy)", source["channel"], now)
        doc["data"] = dict(source.get("data") or {})
        doc["trigger"].update(
            {
                k: source["trigger"].get(k)
                for k in ("audience_type", "event", "segment_id", "contact_list_id", "contact_list_ids", "data")
            }
        )
        template = state.store.get("templates", source["template_id"]) if source.get("template_id") else None
        if template is not None:
            content = {k: template.get(k) for k in CONTENT_FIELDS}
            campaigns.apply(state, doc, {"template_attributes": content}, body, now)
        doc = state.insert("campaigns", doc)
        if body.cancel_source:
            source["updated_at"] = now
            state.store.replace("campaigns", source)
    return doc
