"""One module per endpoint group; all share :class:`~nitrosend_nb.client.resources.base.Resource`."""

from nitrosend_nb.client.resources.account import Account
from nitrosend_nb.client.resources.base import ApiGroup, Resource
from nitrosend_nb.client.resources.brands import Brands
from nitrosend_nb.client.resources.campaigns import Campaigns
from nitrosend_nb.client.resources.contacts import Contacts
from nitrosend_nb.client.resources.flows import Flows
from nitrosend_nb.client.resources.lists import Lists
from nitrosend_nb.client.resources.messages import Messages
from nitrosend_nb.client.resources.segments import Segments
from nitrosend_nb.client.resources.templates import Templates

__all__ = ["Account", "ApiGroup", "Resource", "Brands", "Campaigns", "Contacts", "Flows", "Lists", "Messages",
           "Segments", "Templates"]
