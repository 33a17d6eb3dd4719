"""Re-execute every tutorial notebook in order and store it with its outputs.

Usage (from the repository root)::

    python notebooks/run.py                 # all notebooks, 00 … 12
    python notebooks/run.py 05 06-campaigns # only those whose names start with these prefixes

Each notebook runs in a fresh kernel against its own seeded sandbox: the connection variables
(NITROSEND_API_KEY, NITROSEND_BASE_URL, NITROSEND_SANDBOX_URL, NITROSEND_SANDBOX_KEY) are removed from the
kernel's environment, so the stored outputs never come from a real account and nbval can compare them. The
repository root is put first on PYTHONPATH so the kernel imports this checkout's ``nitrosend_nb``. Per-cell
execution timestamps are not recorded, so a rerun changes only what the notebooks show. It takes two to four
minutes on two shared cores.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent
REPO = NOTEBOOKS.parent


def kernel_environment() -> dict[str, str]:
    """This process's environment without NITROSEND_* settings, with the checkout first on PYTHONPATH."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("NITROSEND_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def selected(prefixes: list[str]) -> list[Path]:
    """The notebooks to run, in name order: all of them, or those whose names start with a prefix."""
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    return [p for p in paths if not prefixes or p.name.startswith(tuple(prefixes))]


def main(prefixes: list[str]) -> int:
    """Execute the selected notebooks one at a time; stop at the first that fails."""
    env = kernel_environment()
    for path in selected(prefixes):
        started = time.monotonic()
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                   "--ExecutePreprocessor.record_timing=False", str(path)]  # no per-cell timestamps to diff
        if subprocess.run(command, env=env, cwd=REPO).returncode:
            print(f"{path.name}: failed", file=sys.stderr)
            return 1
        print(f"{path.name}: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
