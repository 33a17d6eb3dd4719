"""Pause Python's cyclic garbage collector while pages are decoded and converted.

Decoding a large account allocates millions of containers (dicts, lists) that all stay alive; every automatic
collection then re-traverses them, which costs more than the decoding itself (about 3x the CPU on 100,000
contacts). Plain reference counting still frees everything that is dropped; the paused collector runs again
as soon as the last paused block ends. Nested and concurrent blocks are counted, so the collector comes back
only when every one has ended, and only if it was enabled before the first.

The objects that outlived the pause (a frame's lists and dicts) would all still sit in the youngest generation,
and the first collection after it would traverse every one of them (a quarter of a second on 100,000
contacts). They are moved to the oldest generation instead (``gc.freeze`` then ``gc.unfreeze``, which relink
lists without traversing them), where they are examined only by the rarer full collections, as long-lived
objects are; unreachable cycles among them are still freed then. Skipped when the application has frozen
objects itself, so as not to unfreeze them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

__all__ = ["gc_paused", "paused_steps"]

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with automatic garbage collection off (reference counting still frees memory)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                if not gc.get_freeze_count():
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def paused_steps(items: Iterator[T]) -> Iterator[T]:
    """The items of ``items``, the collector paused while each is produced (fetched and converted), not while the
    caller holds it."""
    while True:
        with gc_paused():
            item = next(items, None)
        if item is None:
            return
        yield item
