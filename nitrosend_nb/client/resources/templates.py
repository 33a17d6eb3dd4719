"""Email templates: ``/templates`` (the list endpoint returns the whole array of summaries) plus send_test,
preview and the component schema."""

from __future__ import annotations

from nitrosend_nb.client.frames import TEMPLATES
from nitrosend_nb.client.pagination import SinglePagePaginator
from nitrosend_nb.client.resources.base import Resource
from nitrosend_nb.client.resources.testsend import SendsTests

#: A template's content fields (what an e-mail is made of), in form order: the one list on the client side.
CONTENT_FIELDS = ("subject", "preheader", "from_name", "from_email", "reply_to", "body", "design")


class Templates(SendsTests, Resource):
    """Email templates. ``list``/``df`` give summaries; ``get`` gives the full template with its design."""

    path = "/templates"
    label = "templates"
    schema = TEMPLATES
    paginator = SinglePagePaginator()
    item_methods = frozenset({"PATCH"})  # the API has no DELETE /templates/{id}

    def preview(self, design: dict) -> str:
        """Render a design document (``{"sections": [...], "theme": {...}}``) to HTML."""
        return self._call("POST", "/preview", json={"document": design})["html"]

    def spec(self) -> dict:
        """The email component schema: which section types a design may hold and their properties."""
        return self._call("GET", "/spec")
