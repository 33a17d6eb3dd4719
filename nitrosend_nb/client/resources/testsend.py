"""``send_test``, shared by templates and campaigns (``POST /{templates|campaigns}/{id}/send_test``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nitrosend_nb.client.idempotency import new_idempotency_key
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.resources.base import ApiGroup


class SendsTests(ApiGroup):
    """An endpoint group whose items can be sent as a test e-mail."""

    def send_test(
        self,
        id: int,
        email: str | Sequence[str] | None = None,
        contact_id: int | None = None,
        sample_contact_id: int | None = None,
        data: Mapping[str, object] | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """Send a test of item ``id`` to ``email`` (one address or a list), or to contact ``contact_id``
        (personalised), or to ``email`` personalised with contact ``sample_contact_id``'s data (that contact gets
        nothing), or with none of them to the brand's test recipients (else the account owner). ``data`` fills the
        template's ``{{ data.* }}`` merge tags, as a message's ``data`` does.

        Returns ``{"sent": n, "results": [{"email", "success", "status", "code", "error"?, "message_id"?}]}``:
        a recipient the API refuses is reported with ``success: False`` while the others still get the test.
        Always sends an Idempotency-Key (a new one unless given), so a retried request never sends twice.
        """
        payload: dict[str, object] = {}
        if email is not None:
            payload["email"] = email if isinstance(email, str) else list(email)
        if contact_id is not None:
            payload["contact_id"] = valid_id(contact_id, "contact_id")
        if sample_contact_id is not None:
            if email is None:
                raise ValueError("sample_contact_id personalises a test sent to email=...: give the address too")
            payload["sample_contact_id"] = valid_id(sample_contact_id, "sample_contact_id")
        if data:
            payload["data"] = dict(data)
        return self._call(
            "POST", f"/{valid_id(id)}/send_test", json=payload, idempotency_key=idempotency_key or new_idempotency_key()
        )
