"""nitrosend-nb: the Nitrosend email-marketing API in JupyterLab.

    import nitrosend_nb as nb
    ns = nb.connect()            # live with NITROSEND_API_KEY, else a local sandbox
    ns.contacts.df()             # every contact as a typed DataFrame
"""

import logging

__version__ = "0.1.0"

logging.getLogger("nitrosend_nb").addHandler(logging.NullHandler())  # a library logs, the app decides where

from nitrosend_nb.errors import (  # noqa: E402  (after __version__: the transport reads it)
    AuthenticationError,
    ConflictError,
    NitrosendError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
    WebhookVerificationError,
)
from nitrosend_nb.client import Nitrosend, Page, connect  # noqa: E402
from nitrosend_nb.webhooks import WebhookListener, verify_webhook, webhook_listener  # noqa: E402

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
    "WebhookVerificationError",
    "verify_webhook",
    "webhook_listener",
    "WebhookListener",
]
