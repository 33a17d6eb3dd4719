"""The wheel a user installs carries the tutorials: built from this checkout, installed into a fresh virtual
environment outside the repository, its ``nitrosend-nb`` command copies every tutorial into a working folder, and the
quickstart executes there against the sandbox, importing the installed package."""

import importlib.metadata
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

from nitrosend_nb import __version__
from nitrosend_nb.lab import WORKING_COPY

REPO = Path(__file__).resolve().parents[1]
# What building the wheel reads: setup.py copies notebooks/ into the package (a missing piece fails the build here).
BUILD_INPUTS = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "nitrosend_nb", "notebooks"]
QUICKSTART = "00-quickstart.ipynb"
STEP_TIMEOUT = 120  # seconds for one step; the whole test takes about 20 s on two shared cores


def _build_requirements_installed() -> bool:
    """Whether this environment satisfies pyproject's [build-system] requires (then the build needs no download)."""
    requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    for requirement in map(Requirement, requires):
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def _run(command: list, cwd: Path, env: dict[str, str]) -> str:
    """Run ``command``; its stdout, or a failure showing everything it printed."""
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
    )
    assert done.returncode == 0, f"{command} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's python, its bin folder, a clean environment, a scratch folder): the wheel built from a copy of the
    checkout and installed, without dependencies, into a venv that borrows this environment's packages."""
    scratch = tmp_path_factory.mktemp("wheel")
    env = {
        name: value for name, value in os.environ.items() if name != "PYTHONPATH" and not name.startswith("NITROSEND_")
    }
    env |= {
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_ROOT_USER_ACTION": "ignore",
        "JUPYTER_RUNTIME_DIR": str(scratch / "jupyter-runtime"),
        "IPYTHONDIR": str(scratch / "ipython"),
    }
    source = scratch / "source"  # a copy, so the build's build/ and egg-info never land in the checkout
    source.mkdir()
    for name in BUILD_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    isolation = ["--no-build-isolation"] if _build_requirements_installed() else []  # else pip fetches them
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", scratch / "dist", source], scratch, env)
    (wheel,) = (scratch / "dist").glob("nitrosend_nb-*.whl")

    venv = scratch / "venv"  # outside the repository
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], scratch, env)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    # --system-site-packages shares the base interpreter's packages; when this one runs in a venv of its own, that
    # venv's packages are added after the new venv's own (site.addsitedir), so dependencies come from here, never a
    # download, and the installed wheel comes first.
    if sys.prefix != sys.base_prefix:
        purelib = [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        venv_site = Path(_run(purelib, scratch, env).strip())
        (venv_site / "borrowed_site_packages.pth").write_text(
            "".join(f"import site; site.addsitedir({path!r})\n" for path in site.getsitepackages())
        )
    install = [python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", wheel]
    _run(install, scratch, env)  # --ignore-installed: a nitrosend-nb of this environment is neither used nor touched
    return python, bin_dir, env, scratch, wheel


def test_the_wheel_holds_every_tutorial_and_its_command_prints_its_version(installed):
    python, bin_dir, env, scratch, wheel = installed
    assert wheel.name.startswith(f"nitrosend_nb-{__version__}-")
    assert _run([bin_dir / "nitrosend-nb", "--version"], scratch, env).strip() == f"nitrosend-nb {__version__}"
    imported = _run([python, "-c", "import nitrosend_nb; print(nitrosend_nb.__file__)"], scratch, env).strip()
    assert Path(imported).is_relative_to(python.parent.parent), f"the venv imports {imported}, not its own install"


def test_the_installed_command_copies_every_tutorial_and_the_quickstart_runs(installed):
    python, bin_dir, env, scratch, _ = installed
    work = scratch / "work"
    work.mkdir()
    printed = _run([bin_dir / "nitrosend-nb", "tutorials"], work, env)
    copy = work / WORKING_COPY
    assert f"working copy is in {copy}" in printed, printed
    tutorials = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert tutorials, "the checkout has tutorials"
    assert {path.name: path.read_bytes() for path in copy.iterdir()} == {
        path.name: path.read_bytes() for path in tutorials
    }

    # The quickstart, executed in the venv's kernel against the sandbox nb.connect() starts (no key set), plus one
    # cell saying which nitrosend_nb the kernel imported.
    script = textwrap.dedent(
        f"""
        import nbclient, nbformat
        notebook = nbformat.read({str(copy / QUICKSTART)!r}, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell("import nitrosend_nb; print(nitrosend_nb.__file__)"))
        nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
        errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
                  if output.output_type == "error"]
        assert not errors, errors
        print(notebook.cells[-1].outputs[0].text.strip())
        """
    )
    kernel_imported = _run([python, "-c", script], copy, env).strip().splitlines()[-1]
    assert Path(kernel_imported).is_relative_to(python.parent.parent), kernel_imported
