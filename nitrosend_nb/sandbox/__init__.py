"""A local, stateful Nitrosend API sandbox (FastAPI + SQLite) for tutorials, tests and rehearsals.

``Sandbox`` and ``DEFAULT_API_KEY`` are imported on first use, so light submodules (:mod:`.limits`, say) load
without FastAPI and uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import DEFAULT_API_KEY, Sandbox

__all__ = ["Sandbox", "DEFAULT_API_KEY"]


def __getattr__(name: str) -> object:
    """The runner's names, imported on first use (PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".runner", __name__), name)
    globals()[name] = value
    return value
