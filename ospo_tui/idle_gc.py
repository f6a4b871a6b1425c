"""Python's cyclic garbage collector, run between keystrokes instead of inside them.

An automatic collection starts whenever enough objects have piled up, which is often in the
middle of handling a key: in the TUI benchmark young collections took up to 10 ms and older
ones 40–60 ms, enough to make a keystroke miss its target. The app turns automatic collection
off and calls ``IdleCollector.tick`` from a timer. It collects once the reviewer has paused,
and anyway once a large backlog has built up, so memory stays bounded under a held-down key.
"""

from __future__ import annotations

import gc
import time

IDLE_AFTER = 0.3  # seconds without input before a collection may run
BACKLOG = 2_000  # fewer new container objects than this: not worth a collection yet
FORCE_AFTER = 400_000  # this many: collect even while keys keep coming
FULL_EVERY = 30.0  # seconds between full collections (the oldest generation too)


class IdleCollector:
    """Owns the collector while the app runs; ``stop`` hands it back as it was found."""

    def __init__(self) -> None:
        now = time.monotonic()
        self.last_input = now
        self.last_full = now
        self._was_enabled: bool | None = None

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def stop(self) -> None:
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def input_seen(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> int | None:
        """Collect if it is a good time; returns the generation collected, or None."""
        now = time.monotonic()
        pending = gc.get_count()[0]
        idle = now - self.last_input >= IDLE_AFTER
        if idle and now - self.last_full >= FULL_EVERY:
            generation = 2
        elif pending >= FORCE_AFTER or (idle and pending >= BACKLOG):
            generation = 1
        else:
            return None
        gc.collect(generation)
        if generation == 2:
            self.last_full = now
        return generation
