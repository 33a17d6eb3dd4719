"""The committed notebooks teach well and leak nothing: intro, stored outputs, no keys, no machine paths."""

import json
import re

from notebook_files import EXPECTED_NOTEBOOKS, notebook_paths, read_notebook

# The sandbox's documented default key may appear in prose; any other key may not.
SANDBOX_DEFAULT_KEY = "nskey_test_sandbox"
API_KEY = re.compile(r"nskey_(live|test)_[A-Za-z0-9_]+")
MACHINE_PATH = re.compile(r"(/root\b|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\Users)")
NBVAL_MARKER = re.compile(r"NBVAL_(IGNORE_OUTPUT|SKIP|RAISES_EXCEPTION|CHECK_OUTPUT)")


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _has_marker(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return bool(NBVAL_MARKER.search(cell.source)) or any(NBVAL_MARKER.fullmatch(tag) for tag in tags)


def test_the_tutorial_set_is_complete():
    assert [p.name for p in notebook_paths()] == EXPECTED_NOTEBOOKS


def test_no_api_key_in_a_notebook(notebook_path):
    text = notebook_path.read_text(encoding="utf-8")
    keys = {match.group(0) for match in API_KEY.finditer(text)} - {SANDBOX_DEFAULT_KEY}
    assert not keys, f"{notebook_path.name} holds API keys: {sorted(keys)}"
    assert "nskey_live_" not in text


def test_no_machine_path_in_a_notebook(notebook_path):
    text = json.dumps(read_notebook(notebook_path), ensure_ascii=False)
    found = sorted({match.group(0) for match in MACHINE_PATH.finditer(text)})
    assert not found, f"{notebook_path.name} holds machine paths: {found}"


def test_notebook_opens_with_a_markdown_introduction(notebook_path):
    notebook = read_notebook(notebook_path)
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# "), "the first cell is the notebook's title"
    assert len(first.source.split()) >= 25, "the introduction says what the notebook teaches"


def test_notebook_is_stored_executed_top_to_bottom(notebook_path):
    cells = _code_cells(read_notebook(notebook_path))
    assert cells
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), "run it with nbconvert --execute: every cell, in order"
    assert sum(len(cell.outputs) for cell in cells) >= len(cells) // 2, "stored outputs are part of the lesson"


def test_notebook_outputs_hold_no_errors_or_warnings(notebook_path):
    for cell in _code_cells(read_notebook(notebook_path)):
        for output in cell.outputs:
            assert output.output_type != "error", f"uncaught error in cell:\n{cell.source}"
            if output.output_type == "stream":
                assert output.name == "stdout", f"stderr output (a warning?) in cell:\n{cell.source}\n{output.text}"


def test_at_most_one_code_cell_in_ten_carries_an_nbval_marker(notebook_path):
    cells = _code_cells(read_notebook(notebook_path))
    marked = [cell.source for cell in cells if _has_marker(cell)]
    assert len(marked) * 10 <= len(cells), f"{len(marked)} of {len(cells)} code cells carry NBVAL markers"


def test_every_notebook_connects_with_nb_connect(notebook_path):
    sources = "\n".join(cell.source for cell in _code_cells(read_notebook(notebook_path)))
    assert "import nitrosend_nb as nb" in sources
    assert re.search(r"\bns = nb\.connect\(", sources)
    prose = "\n".join(c.source for c in read_notebook(notebook_path).cells if c.cell_type == "markdown")
    assert "NITROSEND_API_KEY" in prose, "each notebook says how to point it at a real account"


def test_no_code_cell_relies_on_a_trailing_semicolon(notebook_path):
    # nbval runs cells without IPython's history, so `;` does not hide the last value there and the stored output
    # (without the value) would not match: plot cells end with plt.show() instead.
    for cell in _code_cells(read_notebook(notebook_path)):
        assert not cell.source.rstrip().endswith(";"), f"cell ends with ';':\n{cell.source}"


UNFINISHED_BAR = re.compile(r"\b\d{1,2}%\|")  # tqdm's text bar short of 100 %


def test_no_half_drawn_progress_bar_is_stored(notebook_path):
    texts = [str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
             for cell in _code_cells(read_notebook(notebook_path)) for output in cell.outputs]
    stuck = [text for text in texts if UNFINISHED_BAR.search(text)]
    assert not stuck, f"{notebook_path.name} stores a progress bar that looks stuck: {stuck}"


def test_the_quickstart_links_every_notebook_and_shows_the_inbox_url():
    quickstart = read_notebook(notebook_paths()[0])
    markdown = "\n".join(cell.source for cell in quickstart.cells if cell.cell_type == "markdown")
    for name in EXPECTED_NOTEBOOKS[1:]:
        assert f"]({name})" in markdown, f"'Where next' does not link {name}"
    assert any("ns.inbox_url" in cell.source for cell in _code_cells(quickstart))
