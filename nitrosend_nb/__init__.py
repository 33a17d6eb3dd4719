"""nitrosend-nb: the Nitrosend email-marketing API in JupyterLab.

    import nitrosend_nb as nb
    ns = nb.connect()            # live with NITROSEND_API_KEY, else a local sandbox
    ns.contacts.df()             # every contact as a typed DataFrame
"""

import logging

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
from nitrosend_nb.client import Nitrosend, Page, connect

logging.getLogger("nitrosend_nb").addHandler(logging.NullHandler())  # a library logs, the app decides where

__all__ = [
    "__version__",
    "connect",
    "Nitrosend",
    "Page",
    "NitrosendError",
    "AuthenticationError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "TransportError",
]
