"""pytest hooks for `pytest --nbval notebooks/`.

The stored outputs come from a fresh seeded sandbox per notebook, so the notebook kernels must not inherit a real
account or a shared sandbox from the shell (for example a terminal opened inside `nitrosend-nb lab`).
"""

import os

CONNECTION_VARIABLES = ("NITROSEND_API_KEY", "NITROSEND_BASE_URL", "NITROSEND_SANDBOX_URL", "NITROSEND_SANDBOX_KEY")


def pytest_configure(config):
    """Drop the connection variables so every notebook's nb.connect() starts its own seeded sandbox."""
    for name in CONNECTION_VARIABLES:
        os.environ.pop(name, None)
