"""Fixtures for real-browser tests: Debian's Chromium, driven by Playwright, against JupyterLab on loopback.

The Lab server runs the kernel with NITROSEND_SANDBOX_URL / NITROSEND_SANDBOX_KEY pointing at a Sandbox that lives
in the test process, so a notebook's ``nb.connect()`` talks to it and the test can read ``sb.outbox()``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import requests
from playwright.sync_api import sync_playwright

from nitrosend_nb.sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here; Debian's needs these flags to run headless as root, offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAB_START_TIMEOUT_S = 60
# Lab settings for the scratch HOME: render every cell (no virtualised notebook), no news or update checks.
LAB_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# Variables that would steer the kernel away from the test's sandbox or Jupyter away from the scratch HOME.
ENV_TO_DROP = (
    "NITROSEND_API_KEY",
    "NITROSEND_BASE_URL",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_DATA_DIR",
    "JUPYTER_RUNTIME_DIR",
    "JUPYTERLAB_SETTINGS_DIR",
    "JUPYTERLAB_WORKSPACES_DIR",
    "IPYTHONDIR",
    "MPLCONFIGDIR",
)


def pytest_addoption(parser):
    """``--readme-screenshot``: also run the (otherwise skipped) maker of the README's docs/template-composer.png."""
    parser.addoption(
        "--readme-screenshot",
        action="store_true",
        default=False,
        help="write the README screenshot docs/template-composer.png (an explicit command, not a test)",
    )


def pytest_configure(config):
    """Register the ``browser`` marker (tests that drive a real browser against JupyterLab)."""
    config.addinivalue_line("markers", "browser: drives headless Chromium against a real JupyterLab server")


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server: where it listens, its token and the folder it serves."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        """The authenticated browser URL of ``path`` (e.g. ``lab/tree/x.ipynb``)."""
        return f"{self.base_url}/{path}?token={self.token}"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium; skips when absent, except on CI (CI=true), where that is a failure."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Chromium shared by the session."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own context) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def lab_sandbox():
    """A seeded Sandbox in the test process, with a unique key so a leak of it on the page cannot be a coincidence."""
    with Sandbox(seed=0, api_key=f"nskey_test_{secrets.token_hex(12)}") as sb:
        yield sb


@pytest.fixture(scope="session")
def templates_notebook() -> Path:
    """The committed templates notebook (notebooks/*templates*.ipynb); fails when there is none."""
    found = sorted((REPO_ROOT / "notebooks").glob("*templates*.ipynb"))
    if not found:
        pytest.fail(f"no templates notebook: nothing matches {REPO_ROOT / 'notebooks' / '*templates*.ipynb'}")
    return found[0]


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory) -> Path:
    """A temporary folder for screenshots (tests never write into the repository)."""
    return tmp_path_factory.mktemp("browser-artifacts")


@pytest.fixture
def readme_screenshot(request) -> Path:
    """docs/template-composer.png, only when ``--readme-screenshot`` asks for it (skipped otherwise)."""
    if not request.config.getoption("--readme-screenshot"):
        pytest.skip("makes the README screenshot: run with --readme-screenshot")
    return REPO_ROOT / "docs" / "template-composer.png"


def copy_with_outputs_cleared(source: Path, target_dir: Path) -> Path:
    """Write a copy of notebook ``source`` into ``target_dir`` with outputs and execution counts removed."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    target = target_dir / source.name
    nbformat.write(notebook, target)
    return target


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_lab_user_settings(home: Path) -> None:
    """Store LAB_USER_SETTINGS where JupyterLab reads user settings under ``home``."""
    settings_dir = home / ".jupyter" / "lab" / "user-settings"
    for name, values in LAB_USER_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def wait_for_lab(process: subprocess.Popen, api_url: str, log_path: Path) -> None:
    """Poll ``api_url`` until the server answers 200; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + LAB_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(api_url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer within {LAB_START_TIMEOUT_S} s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, lab_sandbox):
    """JupyterLab on 127.0.0.1 serving a scratch folder, its kernels wired to ``lab_sandbox``; SIGTERM at teardown."""
    root_dir = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    write_lab_user_settings(home)
    env = {name: value for name, value in os.environ.items() if name not in ENV_TO_DROP}
    env.update(HOME=str(home), NITROSEND_SANDBOX_URL=lab_sandbox.url, NITROSEND_SANDBOX_KEY=lab_sandbox.api_key)
    port, token = free_port(), secrets.token_hex(16)
    log_path = home / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}", "--allow-root",
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path)
    try:
        wait_for_lab(process, server.url("api"), log_path)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def lab_templates_notebook(templates_notebook, lab_server) -> str:
    """Name of the templates notebook's outputs-cleared copy in the Lab root (never the committed file)."""
    return copy_with_outputs_cleared(templates_notebook, lab_server.root_dir).name


@pytest.fixture(scope="session")
def lab_mail_merge_notebook(lab_server) -> str:
    """Name of the mail merge notebook's outputs-cleared copy in the Lab root (never the committed file)."""
    return copy_with_outputs_cleared(REPO_ROOT / "notebooks" / "14-mail-merge.ipynb", lab_server.root_dir).name
