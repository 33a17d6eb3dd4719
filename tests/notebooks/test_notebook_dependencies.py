"""Dependencies stay declared and in step: pyproject.toml vs environment.yml, and what the notebooks import."""

import ast
import importlib.metadata
import re
import sys
from collections import Counter

import pytest
import tomllib
import yaml
from notebook_files import REPO, notebook_paths, read_notebook

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?")


def _canonical(name: str) -> str:
    """PEP 503 name normalisation (conda-forge uses the same lower-case, dash-separated names)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(entries) -> list[tuple[str, str | None]]:
    """(canonical name, lower bound or None) of each requirement string like ``pandas>=2.1``, in order (pip options
    such as ``-e .`` skipped)."""
    found = []
    for requirement in entries:
        match = REQUIREMENT.match(requirement)
        if match and not requirement.lstrip().startswith("-"):
            found.append((_canonical(match.group(1)), match.group(2)))
    return found


def _lower_bounds(entries) -> dict[str, str | None]:
    """{canonical name: lower bound or None} for requirement strings like ``pandas>=2.1``."""
    return dict(_requirements(entries))


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def runtime_dependencies() -> dict[str, str | None]:
    """pyproject.toml's ``[project] dependencies``."""
    return _lower_bounds(_pyproject()["dependencies"])


def extra_test_dependencies() -> dict[str, str | None]:
    """pyproject.toml's ``test`` extra."""
    return _lower_bounds(_pyproject().get("optional-dependencies", {}).get("test", []))


def declared_lists() -> dict[str, list[str]]:
    """Every requirement list of pyproject.toml (dependencies and each extra) and environment.yml, by where it is."""
    extras = _pyproject().get("optional-dependencies", {})
    return {
        "pyproject.toml dependencies": _pyproject()["dependencies"],
        **{f"pyproject.toml extra {name}": requirements for name, requirements in extras.items()},
        "environment.yml": environment_entries(),
    }


def environment_entries() -> list[str]:
    """environment.yml's conda-forge list plus its ``- pip:`` sub-list."""
    path = REPO / "environment.yml"
    if not path.exists():
        pytest.fail("environment.yml is missing: conda users install from it")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = []
    for entry in spec["dependencies"]:
        if isinstance(entry, dict):
            entries += entry.get("pip", [])
        else:
            entries.append(entry)
    return entries


def environment_dependencies() -> dict[str, str | None]:
    """environment.yml's requirements: {canonical name: lower bound or None}."""
    return _lower_bounds(environment_entries())


def test_environment_yml_lists_every_dependency_with_the_same_lower_bound():
    declared = {
        name: bound
        for where, entries in declared_lists().items()
        if where != "environment.yml"
        for name, bound in _requirements(entries)
    }
    environment = environment_dependencies()
    missing = sorted(set(declared) - set(environment))
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    differing = {name: (bound, environment[name]) for name, bound in declared.items() if environment[name] != bound}
    assert not differing, f"lower bounds differ (pyproject, environment.yml): {differing}"
    unexplained = sorted(set(environment) - set(declared) - {"python", "pip"})
    assert not unexplained, f"in environment.yml but not in pyproject.toml: {unexplained}"


def test_no_requirement_is_listed_twice():
    twice = {
        where: sorted(name for name, count in Counter(name for name, _ in _requirements(entries)).items() if count > 1)
        for where, entries in declared_lists().items()
    }
    assert not any(twice.values()), f"listed twice: {twice}"


def test_environment_yml_pins_the_python_floor_of_pyproject():
    floor = re.match(r">=\s*([0-9.]+)", _pyproject()["requires-python"]).group(1)
    assert environment_dependencies().get("python") == floor


def _imported_modules(source: str) -> set[str]:
    """Top-level module names a cell imports (IPython magics and shell lines skipped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    modules = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_every_module_a_notebook_imports_is_a_declared_dependency(path):
    code = [cell.source for cell in read_notebook(path).cells if cell.cell_type == "code"]
    modules = set().union(*map(_imported_modules, code)) - set(sys.stdlib_module_names) - {"nitrosend_nb"}
    distributions = importlib.metadata.packages_distributions()
    declared = runtime_dependencies()
    undeclared = {
        module: distributions.get(module, ["<not installed>"])
        for module in modules
        if not any(_canonical(dist) in declared for dist in distributions.get(module, []))
    }
    assert not undeclared, f"{path.name} imports modules no runtime dependency provides: {undeclared}"
