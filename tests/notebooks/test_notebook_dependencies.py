"""Dependencies stay declared and in step: pyproject.toml vs environment.yml, and what the notebooks import."""

import ast
import importlib.metadata
import re
import sys
import tomllib

import pytest
import yaml
from notebook_files import REPO, notebook_paths, read_notebook

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?")


def _canonical(name: str) -> str:
    """PEP 503 name normalisation (conda-forge uses the same lower-case, dash-separated names)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bounds(requirements) -> dict[str, str | None]:
    """{canonical name: lower bound or None} for requirement strings like ``pandas>=2.1``."""
    bounds = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match and not requirement.lstrip().startswith("-"):
            bounds[_canonical(match.group(1))] = match.group(2)
    return bounds


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def runtime_dependencies() -> dict[str, str | None]:
    """pyproject.toml's ``[project] dependencies``."""
    return _lower_bounds(_pyproject()["dependencies"])


def extra_test_dependencies() -> dict[str, str | None]:
    """pyproject.toml's ``test`` extra."""
    return _lower_bounds(_pyproject().get("optional-dependencies", {}).get("test", []))


def environment_dependencies() -> dict[str, str | None]:
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
    return _lower_bounds(entries)


def test_environment_yml_lists_every_dependency_with_the_same_lower_bound():
    declared = {**runtime_dependencies(), **extra_test_dependencies()}
    environment = environment_dependencies()
    missing = sorted(set(declared) - set(environment))
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    differing = {name: (bound, environment[name]) for name, bound in declared.items() if environment[name] != bound}
    assert not differing, f"lower bounds differ (pyproject, environment.yml): {differing}"


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
