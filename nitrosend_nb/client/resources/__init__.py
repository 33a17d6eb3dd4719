"""One module per endpoint group; all share :class:`~nitrosend_nb.client.resources.base.Resource`."""

from nitrosend_nb.client.resources.account import Account
from nitrosend_nb.client.resources.base import ApiGroup, Resource
from nitrosend_nb.client.resources.brands import Brands
from nitrosend_nb.client.resources.campaigns import Campaigns
from nitrosend_nb.client.resources.contacts import Contacts
from nitrosend_nb.client.resources.domains import Domains
from nitrosend_nb.client.resources.events import Events
from nitrosend_nb.client.resources.flows import Flows
from nitrosend_nb.client.resources.images import Images
from nitrosend_nb.client.resources.imports import Imports
from nitrosend_nb.client.resources.lists import Lists
from nitrosend_nb.client.resources.messages import Messages
from nitrosend_nb.client.resources.segments import Segments
from nitrosend_nb.client.resources.suppressions import Suppressions
from nitrosend_nb.client.resources.templates import Templates
from nitrosend_nb.client.resources.webhooks import Webhooks

__all__ = [
    "Account",
    "ApiGroup",
    "Resource",
    "Brands",
    "Campaigns",
    "Contacts",
    "Domains",
    "Events",
    "Flows",
    "Images",
    "Imports",
    "Lists",
    "Messages",
    "Segments",
    "Suppressions",
    "Templates",
    "Webhooks",
]
