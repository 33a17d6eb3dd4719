"""``nitrosend-nb lab``: JupyterLab on the tutorial notebooks, with one shared sandbox behind them.

The tutorials ship in the package (``nitrosend_nb/tutorials`` in a wheel; a checkout's ``notebooks/``, their one
copy, which the build packages). Lab opens a working copy of them in ``./lab-notebooks``, made on first start and
kept (with your edits and outputs) afterwards; ``--refresh`` restores the copies (``nitrosend-nb tutorials`` makes
the copy without starting Lab). The packaged tutorials stay pristine, so in a checkout Lab's autosave never changes
what the test suite compares.

Unless ``NITROSEND_API_KEY`` (a real account) or ``NITROSEND_SANDBOX_URL`` (a sandbox already running) is set, it
starts one seeded :class:`~nitrosend_nb.sandbox.Sandbox` and exports ``NITROSEND_SANDBOX_URL`` and
``NITROSEND_SANDBOX_KEY`` to Lab, so every notebook's ``nb.connect()`` talks to that same sandbox and every email it
sends shows up in one inbox page. Arguments it does not know (``--port``, ``--no-browser``...) go to JupyterLab.
Ctrl-C (or SIGTERM) stops Lab and then the sandbox.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from nitrosend_nb.client.sandbox_urls import inbox_url

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

LAB_STOP_TIMEOUT = 20  # seconds Lab gets to shut its kernels down before it is killed
# Lab prints this line right after its URLs: the inbox link goes beside them.
_LAB_URLS_PRINTED = "Use Control-C to stop this server"


WORKING_COPY = "lab-notebooks"  # in the current folder (git-ignored in a checkout)
PACKAGED_TUTORIALS = "tutorials"  # the wheel's folder of notebooks inside the package (setup.py puts them there)
CHECKOUT_TUTORIALS = Path(__file__).resolve().parents[1] / "notebooks"  # their one copy in a checkout


class TutorialsMissing(FileNotFoundError):
    """The package holds no tutorials (a broken install); ``nitrosend-nb`` prints it without a traceback."""


def tutorials() -> Traversable:
    """The folder of tutorial notebooks: the package's own (an installed wheel) or, when the package runs from a
    checkout (an editable install, PYTHONPATH), the repository's ``notebooks/``."""
    packaged = resources.files("nitrosend_nb") / PACKAGED_TUTORIALS
    if packaged.is_dir():
        return packaged
    if any(CHECKOUT_TUTORIALS.glob("*.ipynb")):
        return CHECKOUT_TUTORIALS
    raise TutorialsMissing(
        f"the nitrosend-nb tutorials are missing: neither {packaged} (an installed wheel) nor "
        f"{CHECKOUT_TUTORIALS} (a checkout) holds them; reinstall the package"
    )


def working_copy(source: Traversable, target: Path, refresh: bool = False) -> Path:
    """Copy the notebooks of ``source`` into ``target``: on first start every one, later only those missing from
    ``target`` (a copy's edits and outputs are kept), all of them again with ``refresh``. Returns ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(source.iterdir(), key=lambda entry: entry.name):
        copy = target / notebook.name
        if notebook.name.endswith(".ipynb") and (refresh or not copy.exists()):
            copy.write_bytes(notebook.read_bytes())
    return target


def copy_tutorials(target: Path, refresh: bool = False) -> Path:
    """Make, top up or (``refresh``) restore the working copy of the tutorials in ``target``; say where it is."""
    source = tutorials()
    copy = working_copy(source, target.resolve(), refresh)
    kept = "restored from" if refresh else "your edits are kept; --refresh restores them from"
    print(f"nitrosend-nb: the tutorials' working copy is in {copy} ({kept} {source})", flush=True)
    return copy


def notebook_dir(options: argparse.Namespace) -> Path:
    """The folder Lab opens: ``--notebook-dir`` as given, else the tutorials' working copy in ``./lab-notebooks``."""
    if options.notebook_dir is not None:
        return options.notebook_dir.resolve()
    return copy_tutorials(Path.cwd() / WORKING_COPY, options.refresh)


def _relay_lab_log(stream: Iterable[str], inbox_line: str) -> None:
    """Copy Lab's log to our stderr, printing the sandbox inbox link right after Lab's own URLs."""
    for line in stream:
        sys.stderr.write(line)
        if inbox_line and _LAB_URLS_PRINTED in line:
            sys.stderr.write(inbox_line + "\n")
        sys.stderr.flush()


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    """SIGTERM handler: shut down exactly like Ctrl-C."""
    raise KeyboardInterrupt


def _stop_lab(process: subprocess.Popen) -> None:
    """Ask Lab to stop (SIGTERM shuts its kernels down too); kill it if it does not within the timeout."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(LAB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_lab(command: list[str], env: dict[str, str], inbox_line: str) -> int:
    """Run JupyterLab until it exits (its exit code) or until Ctrl-C/SIGTERM, which stops it (0)."""
    # Lab runs in its own session so a terminal's Ctrl-C reaches only us and we stop it once, without its
    # "Shutdown this Jupyter server (y/[n])?" prompt.
    lab = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, bufsize=1, start_new_session=True)
    relay = threading.Thread(target=_relay_lab_log, args=(lab.stderr, inbox_line), daemon=True)
    relay.start()
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        return lab.wait()
    except KeyboardInterrupt:
        print("\nnitrosend-nb: stopping JupyterLab and the sandbox...", flush=True)
        return 0
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave Lab running.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            _stop_lab(lab)
            relay.join(LAB_STOP_TIMEOUT)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)


def run(options: argparse.Namespace, lab_args: list[str]) -> int:
    """Start the sandbox (when needed) and JupyterLab; block until Lab exits or Ctrl-C. Returns Lab's exit code."""
    env = dict(os.environ)
    folder = notebook_dir(options)
    with ExitStack() as stack:
        if env.get("NITROSEND_API_KEY"):
            inbox_line = ""
            print("nitrosend-nb: NITROSEND_API_KEY is set: the notebooks use your Nitrosend account (no sandbox).")
        elif env.get("NITROSEND_SANDBOX_URL"):
            inbox_line = f"nitrosend-nb: sandbox inbox: {inbox_url(env['NITROSEND_SANDBOX_URL'])}"
            print(f"nitrosend-nb: using the sandbox already running at {env['NITROSEND_SANDBOX_URL']}")
        else:
            from nitrosend_nb.sandbox import Sandbox

            sandbox = Sandbox(
                seed=options.seed, contacts=options.contacts, host=options.sandbox_host, port=options.sandbox_port
            ).start()
            stack.callback(sandbox.stop)
            env["NITROSEND_SANDBOX_URL"] = sandbox.url
            env["NITROSEND_SANDBOX_KEY"] = sandbox.api_key
            inbox_line = f"nitrosend-nb: sandbox inbox: {inbox_url(sandbox.root_url)}"
            print(f"nitrosend-nb: sandbox API at {sandbox.url} (shared by every notebook's nb.connect())")
        if inbox_line:
            print(inbox_line)
        print(f"nitrosend-nb: starting JupyterLab on {folder}", flush=True)
        command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}", *lab_args]
        if _is_root() and "--allow-root" not in lab_args:  # containers and CI machines often run as root
            command.append("--allow-root")
        return _run_lab(command, env, inbox_line)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def build_parser() -> argparse.ArgumentParser:
    """The options ``nitrosend-nb lab`` understands itself; everything else is passed to JupyterLab."""
    parser = argparse.ArgumentParser(
        prog="nitrosend-nb lab",
        allow_abbrev=False,  # an abbreviation of ours must not swallow one of Lab's options
        description="JupyterLab on the nitrosend-nb notebooks, sharing one seeded sandbox. "
        "Unknown options are passed to JupyterLab (e.g. --port 8890 --no-browser).",
    )
    parser.add_argument(
        "--notebook-dir",
        type=Path,
        default=None,
        help=f"folder Lab opens as it is (default: a working copy of the tutorials in ./{WORKING_COPY})",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help=f"overwrite the working copy in ./{WORKING_COPY} with fresh copies of the tutorials (your edits are lost)",
    )
    parser.add_argument("--sandbox-host", default="127.0.0.1", help="interface the sandbox listens on")
    parser.add_argument("--sandbox-port", type=int, default=0, help="sandbox port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="sandbox seed (same seed, same data)")
    parser.add_argument("--contacts", type=int, default=250, help="number of seeded sandbox contacts")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nitrosend-nb lab`` (and ``python -m nitrosend_nb.lab``)."""
    options, lab_args = build_parser().parse_known_args(argv)
    return run(options, lab_args)


if __name__ == "__main__":
    sys.exit(main())
