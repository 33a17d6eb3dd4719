"""The sandbox's layering: route modules are thin, importing services, models, state, errors and the CRUD layer,
never another route module nor the seed; nothing outside routes/ imports a route module except the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[2] / "nitrosend_nb" / "sandbox"
ROUTES = sorted(p for p in (SANDBOX / "server" / "routes").glob("*.py") if p.name != "__init__.py")


def sandbox_imports(path: Path) -> set[str]:
    """The sandbox modules ``path`` imports, as paths relative to the sandbox package (``routes.contacts``,
    ``seed``...)."""
    package = path.parent.relative_to(SANDBOX).parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.level - 1 > len(package):
                continue  # above the sandbox package (rendering, email_checks...)
            module = [*base, *(node.module.split(".") if node.module else [])]
            names = [alias.name for alias in node.names] if not node.module else [""]
            found.update(".".join(filter(None, [*module, name])) for name in names)
    return found


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.name)
def test_a_route_module_imports_no_other_route_module_and_not_the_seed(path):
    imported = sandbox_imports(path)
    assert not {m for m in imported if m.startswith("server.routes")}, imported
    assert not {m for m in imported if m.split(".")[0] == "world"}, imported


def test_only_the_app_imports_route_modules():
    importers = {
        p.name
        for p in SANDBOX.rglob("*.py")
        if "routes" not in p.relative_to(SANDBOX).parts
        and any(m.startswith("server.routes") for m in sandbox_imports(p))
    }
    assert importers == {"app.py"}
