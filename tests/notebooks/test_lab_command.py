"""`nitrosend-nb lab` starts one sandbox and JupyterLab, shares the sandbox with Lab, and Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from nitrosend_nb.lab import inbox_url

TOKEN = "lab-command-test"
STARTUP_TIMEOUT = 90  # seconds; generous because the machine's two cores are shared


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.ConnectionError:
        return False


def wait_until(condition, what: str, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll ``condition`` until it holds; fail early when the process under test has exited."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"nitrosend-nb lab exited with {process.returncode} before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode().split("\0") if "=" in entry)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) is not running
    return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"


@pytest.fixture
def lab_environment(tmp_path):
    """The caller's environment without NITROSEND_* settings, with a scratch HOME for Jupyter's files."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("NITROSEND_")}
    env["HOME"] = str(tmp_path / "home")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from Linux /proc")
def test_lab_shares_one_sandbox_with_jupyterlab_and_ctrl_c_stops_both(tmp_path, lab_environment):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    lab_port, sandbox_port = free_port(), free_port()
    command = [
        sys.executable, "-c", "import sys; from nitrosend_nb.cli import main; sys.exit(main())",
        "lab", "--notebook-dir", str(notebooks), "--sandbox-port", str(sandbox_port),
        # everything below is JupyterLab's: passed through untouched
        "--no-browser", "--ip=127.0.0.1", f"--port={lab_port}", f"--IdentityProvider.token={TOKEN}", "--allow-root",
    ]
    process = subprocess.Popen(
        command, env=lab_environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    output: list[str] = []
    readers = [
        threading.Thread(target=lambda stream=stream: output.extend(stream), daemon=True)
        for stream in (process.stdout, process.stderr)
    ]
    for reader in readers:
        reader.start()
    sandbox_root = f"http://127.0.0.1:{sandbox_port}"
    lab_api = f"http://127.0.0.1:{lab_port}/api"
    try:
        wait_until(lambda: answers(f"{sandbox_root}/_sandbox/outbox"), "the sandbox to answer", process)
        wait_until(lambda: answers(lab_api), "JupyterLab to answer /api", process)
        inbox_line = f"nitrosend-nb: sandbox inbox: {sandbox_root}/_sandbox/"
        wait_until(lambda: any(inbox_line in line for line in output), "the inbox link beside Lab's URLs", process)

        assert requests.get(f"{sandbox_root}/_sandbox/", timeout=5).ok  # the inbox page the link points to
        (lab_pid,) = children(process.pid)
        lab_env = environment_of(lab_pid)
        assert lab_env["NITROSEND_SANDBOX_URL"] == f"{sandbox_root}/v1/my"
        key = lab_env["NITROSEND_SANDBOX_KEY"]
        account = requests.get(
            lab_env["NITROSEND_SANDBOX_URL"] + "/account", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert account.status_code == 200
        assert str(notebooks) in " ".join(Path(f"/proc/{lab_pid}/cmdline").read_text().split("\0"))

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    for reader in readers:
        reader.join(10)
    log = "".join(output)
    assert "Traceback" not in log, log
    assert key not in log, "the API key never appears in what the command prints"
    assert not alive(lab_pid), "JupyterLab is stopped"
    assert not answers(lab_api)
    assert not answers(f"{sandbox_root}/_sandbox/outbox"), "the sandbox is stopped"


def test_inbox_url_is_the_sandbox_root_plus_the_inbox_path():
    assert inbox_url("http://127.0.0.1:8123") == "http://127.0.0.1:8123/_sandbox/"
    assert inbox_url("http://127.0.0.1:8123/v1/my") == "http://127.0.0.1:8123/_sandbox/"
