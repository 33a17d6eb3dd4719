"""Where the committed notebooks live and how the notebook checks read them."""

from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
# The tutorial set: a quickstart, one notebook per endpoint group, then big accounts (Parquet, DuckDB, SQL), reports
# and the mail merge.
EXPECTED_NOTEBOOKS = [
    "00-quickstart.ipynb",
    "01-account.ipynb",
    "02-contacts.ipynb",
    "03-lists.ipynb",
    "04-segments.ipynb",
    "05-templates.ipynb",
    "06-campaigns.ipynb",
    "07-flows.ipynb",
    "08-messages.ipynb",
    "09-events.ipynb",
    "10-deliverability.ipynb",
    "11-webhooks.ipynb",
    "12-big-accounts.ipynb",
    "13-reports.ipynb",
    "14-mail-merge.ipynb",
]


def notebook_paths() -> list[Path]:
    """Every committed notebook (checkpoints excluded), sorted by name."""
    return sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb"))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Parse a notebook, failing the test when it is not valid nbformat."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook
