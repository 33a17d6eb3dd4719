"""A local, stateful Nitrosend API sandbox (FastAPI + SQLite) for tutorials, tests and rehearsals."""

from .runner import DEFAULT_API_KEY, Sandbox

__all__ = ["Sandbox", "DEFAULT_API_KEY"]
