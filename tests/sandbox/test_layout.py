"""The package's import graph, read from the source: no import circle anywhere in ``nitrosend_nb``, and the sandbox
in wings whose arrows point one way (server -> services -> engine -> the shared kernel -> store; the world only
from the runner).

What counts as an arrow ``A -> B``: every import statement in ``A`` naming ``B``, at module level or inside a
function (a deferred import is still a dependency: it only runs later), except those under ``if TYPE_CHECKING:``
(annotations only, never executed). ``from pkg import name`` points at ``pkg.name`` when that is a module, else at
``pkg``. The parent packages' ``__init__`` that Python runs first are not arrows of their own (otherwise every
package re-exporting its submodules would be a circle with each of them). Imports by computed name through
``importlib`` are allowed only in the lazy faces (PEP 562 ``__getattr__``) listed in :data:`LAZY_FACES`, whose
targets are added as arrows, and in ``nitrosend_nb.lazy``, the helper those faces build their ``__getattr__`` with.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import nitrosend_nb
import nitrosend_nb.client

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "nitrosend_nb"
SANDBOX = f"{PACKAGE}.sandbox"
#: The modules that import by computed name, and what they may import that way (besides literal names).
LAZY_FACES = {
    PACKAGE: set(nitrosend_nb._LAZY.values()),
    f"{PACKAGE}.client": set(nitrosend_nb.client._LAZY.values()),
    f"{PACKAGE}.lazy": set(),  # the faces' __getattr__ (its computed imports are the faces' arrows above)
}
#: The sandbox's wings (a module belongs to the first whose prefix it has) and the wings each may import from.
KERNEL = tuple(f"{SANDBOX}.{name}" for name in ("errors", "knobs", "limits", "state"))
WINGS = {
    "runner": (SANDBOX, f"{SANDBOX}.runner"),
    "world": (f"{SANDBOX}.world",),
    "server": (f"{SANDBOX}.server",),
    "services": (f"{SANDBOX}.services",),
    "engine": (f"{SANDBOX}.engine",),
    "kernel": KERNEL,
    "store": (f"{SANDBOX}.store",),
}
MAY_IMPORT = {
    "runner": set(WINGS),
    "world": {"world", "services", "engine", "kernel", "store"},
    "server": {"server", "services", "engine", "kernel", "store"},
    "services": {"services", "engine", "kernel", "store"},
    "engine": {"engine", "kernel", "store"},
    "kernel": {"kernel", "store"},
    "store": {"store"},
}
ROUTES = f"{SANDBOX}.server.routes"


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root``, by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _executed(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``tree`` that can run: everything but the body of ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for branch in node.orelse:
                yield branch
                yield from _executed(branch)
            continue
        yield node
        yield from _executed(node)


def arrows(name: str, path: Path, known: dict[str, Path], lazy: set[str] | None = None) -> set[str]:
    """The modules of ``known`` that module ``name`` (at ``path``) imports, as the module docstring counts them."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set(lazy or ())
    for node in _executed(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                if target in known:
                    found.add(target)
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            target = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            assert target is not None or lazy is not None, f"{name} imports a computed name outside the lazy faces"
            if target is not None:
                target = f"{package}{target}" if target.startswith(".") else target
                assert target in known, f"{name} imports {target!r} by name, which is no module of the package"
                found.add(target)
    found.discard(name)
    return found


def graph(root: Path, package: str, faces: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every module of ``package`` and the modules it imports."""
    known = modules(root, package)
    return {name: arrows(name, path, known, (faces or {}).get(name)) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def wing(module: str) -> str | None:
    """The sandbox wing ``module`` belongs to (None outside the sandbox)."""
    if module != SANDBOX and not module.startswith(SANDBOX + "."):
        return None
    for name, prefixes in WINGS.items():
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes if prefix != SANDBOX):
            return name
    return "runner" if module == SANDBOX else "unplaced"


@pytest.fixture(scope="module")
def package_graph() -> dict[str, set[str]]:
    return graph(ROOT, PACKAGE, LAZY_FACES)


def test_the_walk_sees_deferred_imports_and_skips_annotation_only_ones(package_graph):
    assert f"{SANDBOX}" in package_graph[f"{PACKAGE}.cli"]  # inside main(): an arrow
    assert f"{SANDBOX}.runner" in package_graph[SANDBOX]  # the face's import_module(".runner", __name__)
    assert f"{PACKAGE}.client" in package_graph[PACKAGE]  # the root's lazy names
    assert f"{PACKAGE}.client.client" not in package_graph[f"{PACKAGE}.widgets.base"]  # under TYPE_CHECKING
    assert f"{SANDBOX}.server.app" in package_graph[f"{SANDBOX}.runner"]


def test_the_walk_finds_a_circle_through_a_deferred_import(tmp_path):
    (tmp_path / "pkg").mkdir()
    for name, source in {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "def f():\n    from .c import g\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import b\nfrom .a import x\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n",
    }.items():
        (tmp_path / "pkg" / name).write_text(textwrap.dedent(source))
    assert circles(graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_import_circle_anywhere_in_the_package(package_graph):
    found = circles(package_graph)
    ties = [[f"{a} -> {b}" for a in circle for b in sorted(package_graph[a]) if b in circle] for circle in found]
    assert found == [], ties


def test_every_sandbox_module_is_in_a_wing(package_graph):
    assert [module for module in package_graph if wing(module) == "unplaced"] == []


def test_the_sandbox_wings_point_one_way(package_graph):
    wrong = [
        f"{source} ({wing(source)}) -> {target} ({wing(target)})"
        for source, targets in package_graph.items()
        for target in targets
        if wing(source) and wing(target) and wing(target) not in MAY_IMPORT[wing(source)]
    ]
    assert wrong == []


def test_outside_the_sandbox_only_its_face_is_imported(package_graph):
    reaching_in = {
        f"{source} -> {target}"
        for source, targets in package_graph.items()
        if wing(source) is None
        for target in targets
        if wing(target) is not None and target != SANDBOX
    }
    assert reaching_in == set()


def test_route_modules_are_thin_and_only_the_app_mounts_them(package_graph):
    routes = {module for module in package_graph if module.startswith(ROUTES + ".")}
    assert routes, "no route modules found"
    for module in routes:
        assert not {t for t in package_graph[module] if t.startswith(ROUTES) or wing(t) == "world"}, module
    importers = {source for source, targets in package_graph.items() if targets & routes} - routes - {ROUTES}
    assert importers == {f"{SANDBOX}.server.app"}
