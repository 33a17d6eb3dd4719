"""nitrosend-nb: the Nitrosend email-marketing API in JupyterLab.

    import nitrosend_nb as nb
    ns = nb.connect()            # live with NITROSEND_API_KEY, else a local sandbox
    ns.contacts.df()             # every contact as a typed DataFrame

The client (``connect``, ``Nitrosend``, ``Page``) is imported on first use, so ``import nitrosend_nb.sandbox``
and the ``nitrosend-nb`` command do not load pandas, requests or tqdm.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from nitrosend_nb._version import __version__
from nitrosend_nb.errors import (
    AuthenticationError,
    ConflictError,
    NitrosendError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)

if TYPE_CHECKING:
    from nitrosend_nb.client import Nitrosend, Page, connect, sql

logging.getLogger("nitrosend_nb").addHandler(logging.NullHandler())  # a library logs, the app decides where

__all__ = [
    "__version__",
    "connect",
    "Nitrosend",
    "Page",
    "sql",
    "NitrosendError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "TransportError",
]

_LAZY = dict.fromkeys(("connect", "Nitrosend", "Page", "sql"), "nitrosend_nb.client")


def __getattr__(name: str) -> object:
    """The client's names, imported from ``nitrosend_nb.client`` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
