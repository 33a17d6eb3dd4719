"""The Nitrosend REST client: ``connect()``, the ``Nitrosend`` client class, resources, pagination, frames."""

from nitrosend_nb.client.client import Nitrosend
from nitrosend_nb.client.connect import connect
from nitrosend_nb.client.pagination import Page
from nitrosend_nb.client.sync import sql

__all__ = ["Nitrosend", "connect", "Page", "sql"]
