"""The base of every form: the client, the status area, per-field errors, the request guard, the stylesheet, a
helper that runs a request and shows its failure, and a ``close()`` that leaves nothing running."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from .. import errors
from . import html as markup
from .debounce import Debouncer
from .form import FieldErrors, StatusArea, close_children, hidden
from .guard import RequestGuard

if TYPE_CHECKING:
    from ..client.client import Nitrosend

__all__ = ["Form"]

T = TypeVar("T")


class Form(widgets.VBox):
    """A form talking to Nitrosend through ``client``.

    Subclasses build their parts, then call :meth:`_lay_out` with them (the form's stylesheet goes first, once)
    and :meth:`_guard` with the buttons that send requests. ``status`` shows progress, outcomes and readable
    errors; ``errors`` places problems beside fields (empty unless the subclass names fields); ``guard`` keeps one
    request in flight and remembers completed idempotent sends.
    """

    client: Nitrosend
    status: StatusArea
    errors: FieldErrors
    guard: RequestGuard

    def __init__(self, client: Nitrosend) -> None:
        super().__init__()
        self.client = client
        self.status = StatusArea()
        self.errors = FieldErrors({})
        self.guard = RequestGuard([])
        self._debouncers: list[Debouncer] = []
        self._stylesheet = widgets.HTML(markup.STYLESHEET)
        hidden(self._stylesheet)  # a <style> applies without taking room
        self.add_class("ns-form")

    @property
    def live(self) -> bool:
        """True when connected to a live account (its sends deliver real e-mail), False in sandbox mode."""
        return getattr(self.client, "mode", "live") != "sandbox"

    # ----------------------------------------------------------------- building
    def _lay_out(self, *parts: widgets.Widget) -> None:
        """Show ``parts`` top to bottom, after the stylesheet."""
        self.children = (self._stylesheet, *parts)

    def _guard(
        self,
        actions: dict[widgets.Button, Callable[[], Any]],
        *,
        also: Sequence[widgets.Button] = (),
        settle: Callable[[], None] | None = None,
    ) -> None:
        """Run each button's action through one :class:`RequestGuard`, which disables them (and the buttons
        ``also``) while one runs; ``settle`` then decides which are enabled again."""
        self.guard = RequestGuard([*actions, *also], settle=settle)
        for button, action in actions.items():
            button.on_click(lambda _button, action=action: self.guard.run(action))

    def _debouncer(self, action: Callable[[], None], delay: float) -> Debouncer:
        """A :class:`Debouncer` for ``action`` that :meth:`close` stops."""
        debouncer = Debouncer(action, delay)
        self._debouncers.append(debouncer)
        return debouncer

    # ----------------------------------------------------------------- requests
    def _call(
        self,
        action: Callable[[], T],
        *,
        beside_fields: bool = False,
        on_error: Callable[[errors.NitrosendError], None] | None = None,
    ) -> T | None:
        """Return ``action()``; when it raises a Nitrosend error, show it in the status area (with a 422's field
        errors beside their fields when ``beside_fields``), call ``on_error(exc)`` and return None.
        Only for actions whose result is never None (or whose result is not needed)."""
        try:
            return action()
        except errors.NitrosendError as exc:
            self.status.failure(exc, self.errors if beside_fields else None)
            if on_error is not None:
                on_error(exc)
            return None

    def _send_test(self, key: str, what: str, send: Callable[[], dict]) -> dict | None:
        """Send the test tagged ``key`` once: a repeat shows the remembered result instead of sending again.
        ``what`` names the tested item in the status (e.g. "template #7")."""

        def attempt() -> dict:
            self.status.info("Sending test\u2026")
            return send()

        outcome = self._call(lambda: self.guard.once(key, attempt), beside_fields=True)
        if outcome is None:
            return None
        result, repeated = outcome
        self.status.test_results(result, what, repeated=repeated)
        return result

    # ----------------------------------------------------------------- closing
    def close(self) -> None:
        """Stop pending debounced calls and close the form and every part in it."""
        for debouncer in self._debouncers:
            debouncer.close()
        close_children(self)
        super().close()
