"""Helpers shared by the benchmarks: a sandbox in its own process, its CPU time, and peak memory of a fresh process."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

API_KEY = "nskey_test_sandbox"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def sandbox_server(contacts: int, without: Sequence[str] = ()) -> Iterator[tuple[str, str, int]]:
    """Start ``nitrosend-nb sandbox`` in a child process (or, with pieces ``without``, ``variant_sandbox.py``);
    yield ``(api_url, root_url, pid)``; stop it afterwards."""
    command = (
        [sys.executable, str(Path(__file__).with_name("variant_sandbox.py")), str(contacts), *without]
        if without
        else [sys.executable, "-m", "nitrosend_nb.cli", "sandbox", "--port", "0", "--contacts", str(contacts)]
    )
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            match = re.search(r"base URL:\s*(\S+)", line)
            if match:
                url = match.group(1)
                break
        else:
            raise RuntimeError("the sandbox did not start")
        root = url.rsplit("/v1/my", 1)[0]
        deadline = time.monotonic() + 120
        while True:  # announced once bound; wait until it answers
            try:
                requests.get(f"{root}/_sandbox/config", timeout=5).raise_for_status()
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, root, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


def peak_rss_mb() -> float:
    """This process's peak resident set (``VmHWM``) in MB: unlike ``ru_maxrss``, it starts afresh at exec, so a
    child started by ``subprocess`` does not report its parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def run_child(script: str, *args: str) -> str:
    """Run ``python script args`` in a fresh process (its own peak memory) and return its last stdout line."""
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def configure(root: str, **knobs: object) -> None:
    """Set sandbox knobs; setting ``rate_limit`` also refills its token bucket, so every run starts alike."""
    requests.post(
        f"{root}/_sandbox/config", json=knobs, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10
    ).raise_for_status()


class ThrottleCounter(logging.Handler):
    """Counts the client's log lines saying a request was rate limited (429) and waited."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "rate limited (429)" in record.getMessage()


@contextmanager
def counting_429s() -> Iterator[ThrottleCounter]:
    """A :class:`ThrottleCounter` on the client's logger for the duration of the block."""
    counter = ThrottleCounter()
    logger = logging.getLogger("nitrosend_nb")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
