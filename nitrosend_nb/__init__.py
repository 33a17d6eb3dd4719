"""nitrosend-nb: the Nitrosend email-marketing API in JupyterLab.

    import nitrosend_nb as nb
    ns = nb.connect()            # live with NITROSEND_API_KEY, else a local sandbox
    ns.contacts.df()             # every contact as a typed DataFrame

The client (``connect``, ``Nitrosend``, ``Page``, ``sql``) and the webhook receiver (``verify_webhook``,
``webhook_listener``, ``WebhookListener``) are imported on first use, so ``import nitrosend_nb.sandbox`` and the
``nitrosend-nb`` command do not load pandas, requests or tqdm.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nitrosend_nb import errors
from nitrosend_nb._version import __version__
from nitrosend_nb.errors import *  # noqa: F403 - the error hierarchy (errors.__all__) is the root's too
from nitrosend_nb.lazy import lazy_exports

if TYPE_CHECKING:
    from nitrosend_nb.client import Nitrosend, Page, connect, sql
    from nitrosend_nb.webhooks import WebhookListener, verify_webhook, webhook_listener

logging.getLogger("nitrosend_nb").addHandler(logging.NullHandler())  # a library logs, the app decides where

__all__ = [  # a literal list (type checkers and linters read it), then the error hierarchy
    "__version__",
    "connect",
    "Nitrosend",
    "Page",
    "sql",
    "verify_webhook",
    "webhook_listener",
    "WebhookListener",
]
__all__ += errors.__all__  # every exception class...
__all__.remove("error_for_status")  # ...but not the status -> class helper

_LAZY = {
    "connect": "nitrosend_nb.client",
    "Nitrosend": "nitrosend_nb.client",
    "Page": "nitrosend_nb.client",
    "sql": "nitrosend_nb.client",
    "verify_webhook": "nitrosend_nb.webhooks",
    "webhook_listener": "nitrosend_nb.webhooks",
    "WebhookListener": "nitrosend_nb.webhooks",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)  # the client and the webhook receiver: on first use
