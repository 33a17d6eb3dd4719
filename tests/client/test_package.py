"""The package root: light to import, and exporting exactly the names the README documents."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nitrosend_nb as nb

README = Path(__file__).resolve().parents[2] / "README.md"
HEAVY = ("pandas", "requests", "tqdm")


def test_the_sandbox_and_the_command_line_do_not_load_the_client():
    code = (
        f"import sys, nitrosend_nb.sandbox, nitrosend_nb.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "", f"import nitrosend_nb.sandbox loaded {result.stdout.strip()}"


def test_the_client_names_load_on_first_use():
    code = (
        "import sys, nitrosend_nb as nb; assert 'pandas' not in sys.modules; "
        "assert nb.connect.__module__ == 'nitrosend_nb.client.connect'; assert 'pandas' in sys.modules; "
        "from nitrosend_nb import *; print(Nitrosend.__name__, Page.__name__, NitrosendError.__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.split() == ["Nitrosend", "Page", "NitrosendError"]


def test_the_reports_import_first_and_load_only_the_frame_schemas_of_the_client():
    # reports read client.frames, and the client offers ns.reports: the client package exports lazily, so either
    # can be imported first and neither import runs into a half-initialised module.
    code = (
        "import sys, nitrosend_nb.reports; assert 'nitrosend_nb.client.client' not in sys.modules; "
        "import nitrosend_nb as nb; print(nb.Nitrosend.__name__, type(nb.connect).__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.split() == ["Nitrosend", "function"]
    code = "import nitrosend_nb.client.client, nitrosend_nb.reports; print(nitrosend_nb.reports.campaigns.__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "campaigns"


def _section(text: str, heading: str) -> str:
    """The README section under ``## heading`` (down to the next ``## ``), subsections included."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def _documented_names() -> set[str]:
    """``nb.<name>`` in the README's tour, plus the error classes its errors paragraph lists."""
    tour = _section(README.read_text(encoding="utf-8"), "A tour")
    names = set(re.findall(r"\bnb\.(\w+)", tour))
    errors = next(p for p in re.split(r"\n\s*\n", tour) if "Errors form one hierarchy" in p)
    names |= set(re.findall(r"`(?:nb\.)?([A-Z]\w*Error)`", errors))
    return names


def test_the_public_names_are_exactly_the_ones_the_readme_documents():
    documented = _documented_names()
    assert {"connect", "NitrosendError", "ValidationError"} <= documented  # the parsing found the tour
    assert len(nb.__all__) == len(set(nb.__all__))
    assert set(nb.__all__) == documented
    for name in nb.__all__:
        assert getattr(nb, name) is not None and name in dir(nb)
