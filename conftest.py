"""Repository-wide pytest hooks.

Tests and notebooks run against fresh seeded sandboxes, never against whatever the shell points at: a real
account (NITROSEND_API_KEY) or a shared sandbox (NITROSEND_SANDBOX_URL, set in a terminal inside
`nitrosend-nb lab`). Notebook kernels started by nbval inherit this process's environment.

README.md's ```python blocks are run by sybil, in order and in one namespace, as a reader would type them:
against a fresh seeded sandbox (shared through NITROSEND_SANDBOX_URL, as `nitrosend-nb lab` shares its own), in a
temporary working folder, so whatever the README writes leaves the clone untouched.
"""

import os
import tempfile

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
        self.previous_folder = None

    def setup(self, namespace: dict) -> None:
        """Start the sandbox, point nb.connect() at it (no API key in sight) and enter a temporary folder."""
        from nitrosend_nb.sandbox import Sandbox

        for name in CONNECTION_VARIABLES:
            os.environ.pop(name, None)
        self.sandbox = Sandbox(seed=0, contacts=250).start()
        os.environ["NITROSEND_SANDBOX_URL"] = self.sandbox.root_url
        os.environ["NITROSEND_SANDBOX_KEY"] = self.sandbox.api_key
        self.folder = tempfile.TemporaryDirectory(prefix="readme-")
        self.previous_folder = os.getcwd()
        os.chdir(self.folder.name)

    def teardown(self, namespace: dict) -> None:
        """Leave the folder (deleting it), stop the sandbox and forget it."""
        os.chdir(self.previous_folder)
        self.folder.cleanup()
        for name in CONNECTION_VARIABLES:
            os.environ.pop(name, None)
        self.sandbox.stop()


_readme = ReadmeSession()
pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["README.md"],
    setup=_readme.setup,
    teardown=_readme.teardown,
).pytest()
