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


class CpuClock:
    """The CPU time process ``pid`` has used, read from ``/proc`` (Linux): each live thread's run time in
    nanoseconds (``/proc/PID/task/*/schedstat``) and, as a fallback, the process's user + system clock ticks
    (``/proc/PID/stat``: exited threads included, but only in 10 ms steps)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def read(self) -> tuple[float, dict[int, int]]:
        """(seconds in clock ticks, {thread id: nanoseconds run})."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        threads = {}
        for task in os.listdir(f"/proc/{self.pid}/task"):
            try:
                with open(f"/proc/{self.pid}/task/{task}/schedstat") as schedstat:
                    threads[int(task)] = int(schedstat.read().split()[0])
            except FileNotFoundError:  # the thread ended while the folder was read
                continue
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), threads

    @staticmethod
    def between(start: tuple[float, dict[int, int]], end: tuple[float, dict[int, int]]) -> float:
        """CPU seconds used from ``start`` to ``end`` (two :meth:`read` results): to the nanosecond when every
        thread running at ``start`` still runs at ``end`` (a thread pool's idle threads may end), else in ticks."""
        if not start[1].keys() <= end[1].keys():
            return end[0] - start[0]
        return sum(ns - start[1].get(tid, 0) for tid, ns in end[1].items()) / 1e9

    @staticmethod
    def thread_between(start: tuple[float, dict[int, int]], end: tuple[float, dict[int, int]], tid: int) -> float:
        """CPU seconds thread ``tid`` used from ``start`` to ``end`` (two :meth:`read` results; 0 for a thread
        that ran at neither)."""
        return (end[1].get(tid, 0) - start[1].get(tid, 0)) / 1e9


@contextmanager
def sandbox_server(
    contacts: int, without: Sequence[str] = (), code: str | None = None
) -> Iterator[tuple[str, str, int]]:
    """Start ``nitrosend-nb sandbox`` in a child process (or, with pieces ``without``, ``variant_sandbox.py``);
    yield ``(api_url, root_url, pid)``; stop it afterwards. ``code``: a checkout whose ``nitrosend_nb`` the child
    imports instead of this one's (its ``PYTHONPATH``), e.g. the previous release's."""
    command = (
        [sys.executable, str(Path(__file__).with_name("variant_sandbox.py")), str(contacts), *without]
        if without
        else [sys.executable, "-m", "nitrosend_nb.cli", "sandbox", "--port", "0", "--contacts", str(contacts)]
    )
    # ``python -m`` puts the working folder first on sys.path: run another checkout's sandbox from that checkout
    env, cwd = (None, None) if code is None else ({**os.environ, "PYTHONPATH": code}, code)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=cwd)
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
