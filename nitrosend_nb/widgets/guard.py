"""One click, one request: the single-flight guard and idempotency keys shared by every form.

ipywidgets can deliver one click to ``on_click`` twice, a user can double-click, and a lost response tempts a
retry. Every form in this package runs its request through a :class:`RequestGuard` and tags each send with an
:func:`~nitrosend_nb.client.idempotency.idempotency_key` derived from what is sent, so none of those can send twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import ipywidgets as widgets

from ..client.idempotency import idempotency_key

__all__ = ["RequestGuard", "idempotency_key"]

T = TypeVar("T")


class RequestGuard:
    """Single-flight runner for a form's requests.

    ``run(action)`` runs ``action()`` unless another action of the same form is already in flight (a re-entrant or
    duplicated click event), in which case the call is ignored and returns ``False``. While the action runs, the
    guarded buttons are disabled; once it is over, ``settle()`` (or, without one, restoring the buttons' previous
    state) decides which buttons are enabled again. The guard also remembers the results of completed idempotent sends
    (``completed``, see :meth:`once`) so that repeating a send whose outcome is already known needs no request at all.
    """

    def __init__(self, buttons: Iterable[widgets.Button], settle: Callable[[], None] | None = None) -> None:
        self.buttons = tuple(buttons)
        self._settle = settle
        self._lock = threading.Lock()
        self._in_flight = False
        self.completed: dict[str, Any] = {}

    @property
    def in_flight(self) -> bool:
        """True while an action is running."""
        return self._in_flight

    def run(self, action: Callable[[], Any]) -> bool:
        """Run ``action`` as the form's only request in flight; return False (and do nothing) if one is running."""
        with self._lock:
            if self._in_flight:
                return False
            self._in_flight = True
        previous = [button.disabled for button in self.buttons]
        try:
            for button in self.buttons:
                button.disabled = True
            action()
            return True
        finally:
            with self._lock:
                self._in_flight = False
            if self._settle is not None:
                self._settle()
            else:
                for button, was_disabled in zip(self.buttons, previous, strict=True):
                    button.disabled = was_disabled

    def once(self, key: str, send: Callable[[], T]) -> tuple[T, bool]:
        """Run the idempotent send tagged ``key`` unless it already completed; return (its result, whether it was
        a repeat that sent nothing). A send that raises is not remembered, so it can be tried again."""
        if key in self.completed:
            return self.completed[key], True
        result = send()
        self.completed[key] = result
        return result, False
