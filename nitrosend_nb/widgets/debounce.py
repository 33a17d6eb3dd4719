"""Debounce: run an action once typing pauses, however many keystrokes came before."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["Debouncer"]


class Debouncer:
    """Call ``action`` ``delay`` seconds after the last ``trigger()``; ``flush()`` runs a pending call now."""

    def __init__(self, action: Callable[[], None], delay: float = 0.3) -> None:
        self.action = action
        self.delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False

    @property
    def pending(self) -> bool:
        """True while a call is scheduled."""
        return self._timer is not None

    def trigger(self) -> None:
        """(Re)start the countdown; earlier scheduled calls are dropped. Does nothing once closed."""
        with self._lock:
            if self._closed:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _take(self) -> bool:
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is None:
            return False
        timer.cancel()
        return True

    def _fire(self) -> None:
        if self._take():
            self.action()

    def flush(self) -> bool:
        """Run the pending call immediately (returns False if nothing was pending)."""
        if self._take():
            self.action()
            return True
        return False

    def cancel(self) -> None:
        """Drop the pending call, if any."""
        self._take()

    def close(self) -> None:
        """Drop the pending call and ignore every later trigger (the widget it serves is gone)."""
        with self._lock:
            self._closed = True
        self._take()
