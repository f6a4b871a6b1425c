"""Python's cyclic garbage collector, given its work in the pauses between keys.

An automatic collection starts whenever enough new objects have piled up, which is often in the
middle of handling a key: in the TUI benchmark, young collections took up to 10 ms and older
ones 40–60 ms. The app calls ``IdleCollector.tick`` from a timer. Once the reviewer has paused,
it drains the young generations, and now and then all of them, so the next burst of keys starts
with nothing pending and seldom reaches an automatic collection.

Automatic collection stays on. Under a held-down key it still runs as before, in small steps;
holding it off until a pause would let one collection grow to hundreds of milliseconds.
"""

from __future__ import annotations

import gc
import time

IDLE_AFTER = 0.15  # seconds without input before a collection may run
BACKLOG = 1_000  # fewer new container objects than this: not worth a collection yet
FULL_EVERY = 30.0  # seconds between full collections (the oldest generation too)


class IdleCollector:
    def __init__(self) -> None:
        now = time.monotonic()
        self.last_input = now
        self.last_full = now

    def input_seen(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> int | None:
        """Collect if the reviewer has paused; returns the generation collected, or None."""
        now = time.monotonic()
        if now - self.last_input < IDLE_AFTER:
            return None
        if now - self.last_full >= FULL_EVERY:
            generation = 2
            self.last_full = now
        elif gc.get_count()[0] >= BACKLOG:
            generation = 1
        else:
            return None
        gc.collect(generation)
        return generation
