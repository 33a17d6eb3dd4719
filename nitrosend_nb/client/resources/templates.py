"""Email templates: ``/templates`` (the list endpoint returns the whole array of summaries) plus
send_test and preview."""

from __future__ import annotations

from collections.abc import Sequence

from nitrosend_nb.client.frames import TEMPLATES
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.pagination import SinglePagePaginator
from nitrosend_nb.client.resources.base import Resource, new_idempotency_key


class Templates(Resource):
    """Email templates. ``list``/``df`` give summaries; ``get`` gives the full template with its design."""

    path = "/templates"
    label = "templates"
    schema = TEMPLATES
    paginator = SinglePagePaginator()
    item_methods = frozenset({"PATCH"})  # the API has no DELETE /templates/{id}

    def send_test(
        self,
        id: int,
        email: str | Sequence[str] | None = None,
        contact_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """Send a test of template ``id`` to ``email`` (one address or a list), or personalised for
        ``contact_id``, or (neither) to the brand's test recipients / the account owner.

        Returns ``{"sent": n, "results": [{"email", "success"}, ...]}``. Always sends an Idempotency-Key.
        """
        payload: dict[str, object] = {}
        if email is not None:
            payload["email"] = email if isinstance(email, str) else list(email)
        if contact_id is not None:
            payload["contact_id"] = valid_id(contact_id, "contact_id")
        return self._call("POST", f"/{valid_id(id)}/send_test", json=payload,
                          idempotency_key=idempotency_key or new_idempotency_key())

    def preview(self, design: dict) -> str:
        """Render a design document (``{"sections": [...], "theme": {...}}``) to HTML."""
        return self._call("POST", "/preview", json={"document": design})["html"]
