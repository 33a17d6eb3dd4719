"""Repository-wide pytest hooks.

Tests and notebooks run against fresh seeded sandboxes, never against whatever the shell points at: a real
account (NITROSEND_API_KEY) or a shared sandbox (NITROSEND_SANDBOX_URL, set in a terminal inside
`nitrosend-nb lab`). Notebook kernels started by nbval inherit this process's environment.
"""

import os

CONNECTION_VARIABLES = ("NITROSEND_API_KEY", "NITROSEND_BASE_URL", "NITROSEND_SANDBOX_URL", "NITROSEND_SANDBOX_KEY")


def pytest_configure(config):
    """Drop the connection variables so every nb.connect() in a test or notebook starts its own sandbox."""
    for name in CONNECTION_VARIABLES:
        os.environ.pop(name, None)
