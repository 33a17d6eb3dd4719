"""The ``nitrosend-nb`` command line: ``--version`` and a subcommand per tool (``sandbox``, ``lab``, ``tutorials``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from nitrosend_nb._version import __version__


def _run_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox in the foreground until Ctrl-C."""
    from .sandbox import Sandbox

    options = {name: value for name, value in vars(args).items() if name not in ("command", "func")}
    options["import_rows_per_second"] = options["import_rows_per_second"] or None  # 0: full speed
    sandbox = Sandbox(**options)  # every option of the subcommand is a Sandbox argument of the same name

    def announce(bound: Sandbox) -> None:
        print(
            f"Nitrosend sandbox running\n  base URL: {bound.url}\n  API key:  {bound.api_key}\n"
            f"  inbox:    {bound.root_url}/_sandbox/\n  docs:     {bound.root_url}/docs\nPress Ctrl-C to stop.",
            flush=True,
        )

    sandbox.serve_forever(announce)
    print("Sandbox stopped.", flush=True)
    return 0


def _add_sandbox(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local Nitrosend API sandbox",
        description="Serve a stateful Nitrosend API stand-in on http://HOST:PORT/v1/my.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--db", metavar="PATH", help="SQLite file to keep data across restarts (default: in memory)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the generated demo data (default 0)")
    parser.add_argument("--contacts", type=int, default=250, help="number of seeded contacts (default 250)")
    parser.add_argument("--latency-ms", type=float, default=0, metavar="MS", help="added latency per request")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        metavar="RPS",
        help="token-bucket limit in requests/second (429 beyond it)",
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, metavar="P", help="probability of a random 503 per request (seeded)"
    )
    parser.add_argument(
        "--bounce-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="share of sends that hard-bounce and suppress the address (seeded; addresses @bounce.test always bounce)",
    )
    parser.add_argument(
        "--complaint-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="share of delivered sends that draw a complaint (seeded; @complaint.test always does)",
    )
    parser.add_argument(
        "--reply-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="share of delivered transactional emails their recipient replies to (an email.received event; seeded)",
    )
    parser.add_argument("--api-key", default="nskey_test_sandbox", metavar="KEY", help="accepted Bearer key")
    parser.add_argument(
        "--webhook-time-scale",
        type=float,
        default=60.0,
        metavar="N",
        help="run webhook retries N times faster than the real service (default 60: 1 min -> 1 s)",
    )
    parser.add_argument(
        "--import-rate",
        dest="import_rows_per_second",
        type=float,
        default=2000.0,
        metavar="ROWS",
        help="rows an import processes per second (default 2000; 0: full speed)",
    )
    parser.set_defaults(func=_run_sandbox)


def _run_lab(args: argparse.Namespace) -> int:
    """JupyterLab on the notebooks with one shared sandbox (nitrosend_nb.lab parses the arguments)."""
    from .lab import main as lab_main

    return lab_main(args.argv)


def _add_lab(subparsers: argparse._SubParsersAction) -> None:
    # "+" as prefix so argparse hands every argument (--port, --no-browser, --help...) to nitrosend_nb.lab
    parser = subparsers.add_parser(
        "lab",
        prefix_chars="+",
        add_help=False,
        help="JupyterLab on the notebooks, sharing one sandbox (see `lab --help`)",
    )
    parser.add_argument("argv", nargs=argparse.REMAINDER)
    parser.set_defaults(func=_run_lab)


def _run_tutorials(args: argparse.Namespace) -> int:
    """Copy the tutorials into the working folder (what ``lab`` does before it starts JupyterLab)."""
    from .lab import copy_tutorials

    copy_tutorials(args.dest, args.refresh)
    return 0


def _add_tutorials(subparsers: argparse._SubParsersAction) -> None:
    from .lab import WORKING_COPY

    parser = subparsers.add_parser(
        "tutorials",
        help="copy the tutorial notebooks into a folder, as `lab` does on first start, without starting Lab",
        description="Copy the tutorial notebooks that ship with nitrosend-nb into DEST: the missing ones, or every "
        "one with --refresh (a copy you edited is kept otherwise).",
    )
    parser.add_argument(
        "--dest", type=Path, default=Path(WORKING_COPY), help=f"folder to copy into (default ./{WORKING_COPY})"
    )
    parser.add_argument("--refresh", action="store_true", help="overwrite copies already there (your edits are lost)")
    parser.set_defaults(func=_run_tutorials)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="nitrosend-nb", description="The Nitrosend API in JupyterLab.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    _add_sandbox(subparsers)
    _add_lab(subparsers)
    _add_tutorials(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nitrosend-nb`` script."""
    from .lab import TutorialsMissing

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TutorialsMissing as error:
        parser.exit(1, f"nitrosend-nb: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
