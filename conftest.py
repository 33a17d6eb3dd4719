"""Repository-wide pytest hooks.

Tests and notebooks run against fresh seeded sandboxes, never against whatever the shell points at: a real
account (NITROSEND_API_KEY) or a shared sandbox (NITROSEND_SANDBOX_URL, set in a terminal inside
`nitrosend-nb lab`). Notebook kernels started by nbval inherit this process's environment.

README.md's ```python blocks are run by sybil, in order and in one namespace, as a reader would type them:
against a fresh seeded sandbox (shared through NITROSEND_SANDBOX_URL, as `nitrosend-nb lab` shares its own), in a
temporary working folder, so whatever the README writes leaves the clone untouched.
"""

import os
import sys
import tempfile

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

CONNECTION_VARIABLES = ("NITROSEND_API_KEY", "NITROSEND_BASE_URL", "NITROSEND_SANDBOX_URL", "NITROSEND_SANDBOX_KEY")


def pytest_configure(config):
    """Drop the connection variables so every nb.connect() in a test or notebook starts its own sandbox."""
    for name in CONNECTION_VARIABLES:
        os.environ.pop(name, None)


class ReadmeSession:
    """What a reader of the README has around them: a sandbox nb.connect() finds, and a working folder."""

    def __init__(self) -> None:
        self.sandbox = None
        self.folder = None
        self.patch = pytest.MonkeyPatch()  # the environment and working folder, restored by undo()

    def setup(self, namespace: dict) -> None:
        """Start the sandbox, point nb.connect() at it (no API key in sight) and enter a temporary folder, which
        also holds dlt's pipeline state."""
        from nitrosend_nb.sandbox import Sandbox

        self.sandbox = Sandbox(seed=0, contacts=250).start()
        self.folder = tempfile.TemporaryDirectory(prefix="readme-")
        for name in CONNECTION_VARIABLES:
            self.patch.delenv(name, raising=False)
        self.patch.setenv("NITROSEND_SANDBOX_URL", self.sandbox.root_url)
        self.patch.setenv("NITROSEND_SANDBOX_KEY", self.sandbox.api_key)
        self.patch.setenv("DLT_DATA_DIR", os.path.join(self.folder.name, ".dlt"))
        self.patch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
        self.patch.chdir(self.folder.name)

    def teardown(self, namespace: dict) -> None:
        """Close the README's figures, leave the folder (deleting it), restore the environment, stop the sandbox."""
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        self.patch.undo()
        self.folder.cleanup()
        self.sandbox.stop()


_readme = ReadmeSession()
pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["README.md"],
    setup=_readme.setup,
    teardown=_readme.teardown,
).pytest()
