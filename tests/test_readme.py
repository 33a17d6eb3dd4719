"""The README says what is true: its set-up block, its error example and its table of sandbox limits; and the
suite runs its Python (sybil, configured in the root conftest.py, runs every ```python block of README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nitrosend_nb as nb
from nitrosend_nb.sandbox import limits

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_setup_names_the_python_version_and_shows_the_venv_in_two_commands():
    assert "Python 3.10 or newer" in README
    block = re.search(r"## Set-up: two commands.*?```bash\n(.*?)```", README, re.DOTALL).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert all(line.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install") for line in commands)
    assert "nitrosend-nb lab" in commands[0] and "python -m pytest" in commands[1]


def test_the_error_example_is_the_real_message(sandbox):
    example = re.search(r"`str\(err\)` is one line[^`]*`(POST /contacts -> [^`]*)`", README).group(1)
    with pytest.raises(nb.ValidationError) as info:
        nb.connect(sandbox=sandbox, progress=False).contacts.create(email="nope")
    assert " ".join(example.split()) == str(info.value)


def test_the_limits_table_matches_the_code():
    for figure in (
        f"{limits.MAX_URL_BYTES // 1024} KiB",
        f"{limits.MAX_BODY_BYTES // 2**20} MiB",
        f"{limits.MAX_IMPORT_FILE_BYTES // 2**20} MiB",
        f"{limits.MAX_JSON_DEPTH} levels",
        f"{limits.MAX_SEARCH_LENGTH} characters",
        f"{limits.MAX_NAME_LENGTH} characters",
        f"{limits.MAX_SUBJECT_LENGTH} characters",
        f"{limits.MAX_IDEMPOTENCY_KEY_LENGTH} characters",
        f"{limits.MAX_REQUEST_HEAD_BYTES // 2**20} MiB",
    ):
        assert figure in README, figure


def test_the_suite_runs_every_python_block_of_the_readme():
    """sybil runs the ```python fences only: other spellings of Python would be shown but never run."""
    root = Path(__file__).resolve().parents[1]
    languages = re.findall(r"^```(\S*)", README, re.MULTILINE)[::2]  # opening fences (each block has two)
    assert languages.count("python") >= 5
    assert not {"py", "python3", "pycon", "ipython", "Python"} & set(languages), languages
    assert re.search(r'testpaths = \[[^]]*"README.md"', (root / "pyproject.toml").read_text())
