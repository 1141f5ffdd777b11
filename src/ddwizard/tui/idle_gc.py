"""Python's full garbage collections run while the user pauses, not in the middle of a key.

An open review holds a few hundred thousand long-lived objects (the built forms are frozen
out of collections once built, see ``screens.questions.freeze_built_objects``; results, screens and
evaluations are not). CPython starts a full collection after a fixed number of allocations,
wherever that falls: 20-50 ms measured inside an F2, a PgDn or an F5, landing on whichever
key the allocations happened to add up on. Young collections (cheap, a few ms at most) still
run as usual; full ones are left to the first pause of a second in the typing and mouse
work, and CPython still runs one by itself after ``FULL_EVERY`` young-generation sweeps, so
garbage cannot pile up while someone types without pausing.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_SECONDS = 1.0
"""Seconds without a key or a click before a full collection may run."""
CHECK_EVERY = 0.5
"""Seconds between checks for such a pause."""
FULL_EVERY = 1000
"""Middle-generation collections between full ones CPython still starts by itself (its
default is 10)."""


class IdleCollector:
    """Moves full garbage collections to pauses in the user's input."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = clock()
        self._collected_since_input = False
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, FULL_EVERY)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    @property
    def last_input(self) -> float:
        """When the last key or click arrived (the clock's time)."""
        return self._last_input

    def input_seen(self) -> None:
        self._last_input = self._clock()
        self._collected_since_input = False

    def collect_if_idle(self, *, busy: bool = False) -> bool:
        """Run a full collection if the user has paused and one is due; True if it ran.

        ``busy``: background work (a memo being written) is running; it is not paused for
        a collection.
        """
        if busy or self._collected_since_input or self._saved is None:
            return False
        if self._clock() - self._last_input < IDLE_SECONDS:
            return False
        self._collected_since_input = True
        if gc.get_count()[2] == 0:
            return False  # nothing reached the old generation since the last full one
        gc.collect()
        return True
