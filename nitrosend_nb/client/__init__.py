"""The Nitrosend REST client: ``connect()``, the ``Nitrosend`` client class, resources, pagination, frames.

The package's names are imported on first use, as the root package's are, so a module that needs one part of
it (:mod:`nitrosend_nb.reports` reads :mod:`nitrosend_nb.client.frames`) does not load the whole client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nitrosend_nb.lazy import lazy_exports

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend
    from nitrosend_nb.client.connect import connect
    from nitrosend_nb.client.pagination import Page
    from nitrosend_nb.client.sync import sql

__all__ = ["Nitrosend", "connect", "Page", "sql"]

_LAZY = {
    "Nitrosend": "nitrosend_nb.client.client",
    "connect": "nitrosend_nb.client.connect",
    "Page": "nitrosend_nb.client.pagination",
    "sql": "nitrosend_nb.client.sync",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
