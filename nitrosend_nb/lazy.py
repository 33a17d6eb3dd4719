"""Names a package exports but imports only on first use (PEP 562), so importing one module of the package does
not load the rest: ``nitrosend_nb`` (pandas and requests only when the client is used) and
``nitrosend_nb.client`` (the reports read its frame schemas without loading the client)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping


def lazy_exports(
    namespace: MutableMapping[str, object], modules: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: each name of ``modules`` (name -> the module defining it) is
    imported on first use and then kept in ``namespace`` (the package's globals), so later lookups are plain."""

    def __getattr__(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace["__all__"]))  # type: ignore[arg-type]

    return __getattr__, __dir__
