"""Test sends of a template or a campaign's content (``POST /templates/{id}/send_test``,
``POST /campaigns/{id}/send_test``): one body, one result shape.

Recipients: ``contact_id`` (that contact, personalised), ``sample_contact_id`` (the ``email`` address(es),
personalised with that contact's data; the contact itself gets nothing), ``email`` / ``emails`` (personalised
when an address belongs to a contact), or nothing (the brand's test recipients, else the account owner).
Each recipient is checked on its own against :mod:`..engine.outcomes`: a refused one is reported with
``success: false, status: "failed"``, its ``code`` and ``error`` while the others still get the test. A delivered
test is a message with ``source_type: "test"`` (``status: "delivered", code: "delivered"`` and its
``message_id``); ``pending`` never occurs because the sandbox delivers synchronously. An ``Idempotency-Key``
replays the first result without resending; a keyless request is served with the Deprecation/Sunset headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ...rendering import merge_context
from ...rendering.design import brand_theme
from ..engine.delivery import content_sender, deliver, find_contact, record_message
from ..engine.outcomes import refusal
from ..engine.rendering import render_email, write_after_rendering
from ..errors import invalid, json_response
from ..state import SandboxState
from .contacts import contacts
from .idempotency import DEPRECATION_HEADERS, fingerprint, replay, request_key
from .models import SendTest

TEST_PREFIX = "[Test] "
SEND_TEST_STATUSES = ("delivered", "pending", "failed")


def recipients(state: SandboxState, body: SendTest) -> list[tuple[str, dict | None]]:
    """(address, contact whose data personalises it) pairs, deduplicated by address (the choice of recipients is
    checked by :class:`~.models.SendTest`)."""
    if body.contact_id is not None:
        contact = contacts.fetch_reference(state, body.contact_id, "contact_id")
        if not contact.get("email"):
            raise invalid({"contact_id": [f"contact {body.contact_id} has no email address"]})
        return [(contact["email"], contact)]
    addresses = [body.email] if isinstance(body.email, str) else list(body.email or [])
    addresses = list(dict.fromkeys(addresses + list(body.emails or [])))
    if body.sample_contact_id is not None:  # the model requires an address with it
        sample = contacts.fetch_reference(state, body.sample_contact_id, "sample_contact_id")
        return [(address, sample) for address in addresses]
    if not addresses:
        addresses = list(state.brand().get("test_email_recipients") or [state.owner_email()])
    return [(address, find_contact(state, address)) for address in addresses]


def send_test(
    state: SandboxState,
    request: Request,
    body: SendTest,
    content: Mapping[str, Any],
    *,
    scope: str,
    source_name: str,
    template_id: int | None = None,
) -> Response:
    """Send ``content`` (subject, body, preheader, design, from/reply-to) as a test; answers
    ``{sent, results: [{email, success, status, code, error?, message_id?}]}``; the emails are rendered with no
    lock held."""
    key = request_key(request, body.idempotency_key)
    return write_after_rendering(
        state.store, lambda: _send_test(state, body, content, key, scope, source_name, template_id)
    )


def _send_test(
    state: SandboxState,
    body: SendTest,
    content: Mapping[str, Any],
    key: str | None,
    scope: str,
    source_name: str,
    template_id: int | None,
) -> Response:
    print_ = fingerprint(body.changes())
    with state.store.atomic():
        previous = replay(state.store, scope, key, print_)
        if previous is not None:
            return json_response(previous)
        targets = recipients(state, body)
        now, brand, account = state.store.tick(), state.brand(), state.account()
        from_, reply_to = content_sender(state, content)
        theme = brand_theme(brand)
        results = []
        for address, contact in targets:
            failure = refusal(brand, account, "email", address)
            if failure is not None:
                results.append(
                    {
                        "email": address,
                        "success": False,
                        "status": "failed",
                        "code": failure.code,
                        "error": failure.text,
                    }
                )
                continue
            context = merge_context(brand, contact, body.data)
            rendered = render_email(content, context, theme)
            email = replace(rendered, subject=TEST_PREFIX + rendered.subject)
            message = record_message(
                state,
                now,
                channel="email",
                to=address,
                subject=email.subject,
                source_type="test",
                source_name=source_name,
                template_id=template_id,
                contact_id=contact["id"] if contact else None,
            )
            delivered = deliver(
                state, now, email, message, kind="test", from_=from_, reply_to=reply_to, context=context
            )
            if delivered is None:  # suppressed or bounced: the message records why
                failed = state.store.get("messages", message["id"])
                results.append(
                    {
                        "email": address,
                        "success": False,
                        "status": "failed",
                        "code": failed["failure_code"],
                        "error": failed["failure_reason"],
                        "message_id": message["id"],
                    }
                )
                continue
            results.append(
                {
                    "email": address,
                    "success": True,
                    "status": "delivered",
                    "code": "delivered",
                    "message_id": message["id"],
                }
            )
        outcome = {"sent": sum(result["success"] for result in results), "results": results}
        if key:
            state.store.remember(scope, key, print_, outcome)
    return json_response(outcome, 200, None if key else DEPRECATION_HEADERS)
