"""`nitrosend-nb lab` starts one sandbox and JupyterLab on a working copy of the tutorials, shares the sandbox with
Lab, and Ctrl-C stops both; the tracked notebooks are never the ones Lab edits. tests/test_packaging.py runs the
command's copy from an installed wheel."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
import requests

from nitrosend_nb import lab
from nitrosend_nb.cli import main
from nitrosend_nb.lab import CHECKOUT_TUTORIALS, WORKING_COPY, inbox_url, tutorials, working_copy

TOKEN = "lab-command-test"
STARTUP_TIMEOUT = 90  # seconds; generous because the machine's two cores are shared


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether ``url`` answers 2xx (False while nothing listens)."""
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
    """The environment ``pid`` was started with (Linux /proc)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode().split("\0") if "=" in entry)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie, exited but not yet reaped, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def lab_environment(tmp_path):
    """The caller's environment without NITROSEND_* settings, with a scratch HOME for Jupyter's files."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("NITROSEND_")}
    env["HOME"] = str(tmp_path / "home")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class LabCommand:
    """``nitrosend-nb lab`` running as a subprocess, its stdout and stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path):
        self.lab_port = free_port()
        self.lab_api = f"http://127.0.0.1:{self.lab_port}/api"
        command = [
            sys.executable,
            "-c",
            "import sys; from nitrosend_nb.cli import main; sys.exit(main())",
            "lab",
            *args,
            # JupyterLab's own options: passed through untouched
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.lab_port}",
            f"--IdentityProvider.token={TOKEN}",
        ]  # no --allow-root: as root (CI), `lab` must add it itself
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self._readers = [
            threading.Thread(target=self.lines.extend, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def wait_until(self, condition, what: str) -> None:
        wait_until(condition, what, self.process)

    def lab_pid(self) -> int:
        (pid,) = children(self.process.pid)
        return pid

    def stop(self, signum: int) -> int:
        """Send ``signum``, wait for the command to exit, return its exit code."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)

    def log(self) -> str:
        """Everything printed, once the process has exited."""
        for reader in self._readers:
            reader.join(10)
        return "".join(self.lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from Linux /proc")


@needs_proc
def test_lab_shares_one_sandbox_with_jupyterlab_and_ctrl_c_stops_both(tmp_path, lab_environment):
    originals = sorted(CHECKOUT_TUTORIALS.glob("*.ipynb"))  # Lab must open a working copy, never these
    tracked = {notebook.name: notebook.read_bytes() for notebook in originals}
    copy = tmp_path / WORKING_COPY
    sandbox_port = free_port()
    sandbox_root = f"http://127.0.0.1:{sandbox_port}"
    lab = LabCommand(["--sandbox-port", str(sandbox_port)], lab_environment, tmp_path)
    try:
        lab.wait_until(lambda: answers(f"{sandbox_root}/_sandbox/outbox"), "the sandbox to answer")
        lab.wait_until(lambda: answers(lab.lab_api), "JupyterLab to answer /api")
        inbox_line = f"nitrosend-nb: sandbox inbox: {sandbox_root}/_sandbox/"
        lab.wait_until(lambda: any(inbox_line in line for line in lab.lines), "the inbox link beside Lab's URLs")

        assert requests.get(f"{sandbox_root}/_sandbox/", timeout=5).ok  # the inbox page the link points to
        lab_pid = lab.lab_pid()
        lab_env = environment_of(lab_pid)
        assert lab_env["NITROSEND_SANDBOX_URL"] == f"{sandbox_root}/v1/my"
        key = lab_env["NITROSEND_SANDBOX_KEY"]
        account = requests.get(
            lab_env["NITROSEND_SANDBOX_URL"] + "/account", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert account.status_code == 200
        assert f"--notebook-dir={copy}" in Path(f"/proc/{lab_pid}/cmdline").read_text().split("\0")
        assert {notebook.name: notebook.read_bytes() for notebook in copy.iterdir()} == tracked
        assert any(f"the tutorials' working copy is in {copy}" in line for line in lab.lines)
        saved = requests.put(
            f"{lab.lab_api}/contents/00-quickstart.ipynb",
            params={"token": TOKEN},
            timeout=10,
            json={"type": "notebook", "format": "json", "content": notebook_json("edited in Lab")},
        )
        assert saved.status_code == 200  # Lab saves into the working copy

        assert lab.stop(signal.SIGINT) == 0
    finally:
        lab.kill()
    log = lab.log()
    assert "Traceback" not in log, log
    assert key not in log, "the API key never appears in what the command prints"
    assert not alive(lab_pid), "JupyterLab is stopped"
    assert not answers(lab.lab_api)
    assert not answers(f"{sandbox_root}/_sandbox/outbox"), "the sandbox is stopped"
    assert {notebook.name: notebook.read_bytes() for notebook in originals} == tracked, "the tutorials are untouched"
    assert "edited in Lab" in (copy / "00-quickstart.ipynb").read_text()


@needs_proc
def test_lab_with_an_api_key_starts_no_sandbox_and_sigterm_stops_it(tmp_path, lab_environment):
    key = "not-a-real-key-for-this-test"
    lab_environment["NITROSEND_API_KEY"] = key
    lab = LabCommand(["--notebook-dir", str(tmp_path)], lab_environment, tmp_path)
    try:
        lab.wait_until(lambda: answers(lab.lab_api), "JupyterLab to answer /api")
        lab_pid = lab.lab_pid()
        lab_env = environment_of(lab_pid)
        assert lab_env["NITROSEND_API_KEY"] == key
        assert "NITROSEND_SANDBOX_URL" not in lab_env and "NITROSEND_SANDBOX_KEY" not in lab_env
        assert lab.stop(signal.SIGTERM) == 0
    finally:
        lab.kill()
    log = lab.log()
    assert "NITROSEND_API_KEY is set" in log
    assert "sandbox inbox" not in log
    assert key not in log
    assert not alive(lab_pid)


def notebook_json(source: str) -> dict:
    """A one-cell notebook as Jupyter's contents API takes it."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return nbformat.from_dict(notebook)


def write_notebook(path: Path, source: str) -> None:
    nbformat.write(nbformat.from_dict(notebook_json(source)), path)


def test_the_working_copy_is_made_once_kept_and_refreshed_on_request(tmp_path):
    source, copy = tmp_path / "notebooks", tmp_path / WORKING_COPY
    source.mkdir()
    write_notebook(source / "00-a.ipynb", "a = 1")
    assert working_copy(source, copy) == copy
    assert (copy / "00-a.ipynb").read_bytes() == (source / "00-a.ipynb").read_bytes()
    write_notebook(copy / "00-a.ipynb", "a = 'my edit'")
    write_notebook(source / "01-b.ipynb", "b = 2")
    working_copy(source, copy)
    assert "my edit" in (copy / "00-a.ipynb").read_text(), "a later start keeps the copy's edits"
    assert (copy / "01-b.ipynb").exists(), "and adds notebooks new in the source"
    working_copy(source, copy, refresh=True)
    assert (copy / "00-a.ipynb").read_bytes() == (source / "00-a.ipynb").read_bytes()


def test_in_a_checkout_the_tutorials_are_the_repository_notebooks():
    repository = Path(__file__).resolve().parents[2] / "notebooks"
    assert tutorials() == CHECKOUT_TUTORIALS == repository  # the one copy; the wheel's test covers the packaged one


def test_the_tutorials_command_copies_them_and_a_missing_set_is_one_clear_line(tmp_path, monkeypatch, capsys):
    copy = tmp_path / "mine"
    assert main(["tutorials", "--dest", str(copy)]) == 0
    assert sorted(path.name for path in copy.iterdir()) == sorted(
        path.name for path in CHECKOUT_TUTORIALS.glob("*.ipynb")
    )
    assert f"the tutorials' working copy is in {copy}" in capsys.readouterr().out

    monkeypatch.setattr(lab, "CHECKOUT_TUTORIALS", tmp_path / "no-checkout")  # as an install without them
    with pytest.raises(SystemExit) as exited:
        main(["tutorials", "--dest", str(tmp_path / "other")])
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith("nitrosend-nb: the nitrosend-nb tutorials are missing") and "Traceback" not in error


def test_the_working_copy_is_git_ignored():
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().split()
    assert f"{WORKING_COPY}/" in ignored and ".venv/" in ignored


def test_inbox_url_is_the_sandbox_root_plus_the_inbox_path():
    assert inbox_url("http://127.0.0.1:8123") == "http://127.0.0.1:8123/_sandbox/"
    assert inbox_url("http://127.0.0.1:8123/v1/my") == "http://127.0.0.1:8123/_sandbox/"
