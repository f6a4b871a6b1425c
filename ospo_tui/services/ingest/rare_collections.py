"""Fewer automatic garbage collections while a scan is imported.

An import allocates millions of short-lived containers (decoded entries, records, rows), all
freed by reference counting. The cyclic collector still starts every 700 of them, and every
hundredth time walks every live object (SQLAlchemy's, the license catalog's): 2.7 s of the 12.7 s
of CPU the importing process spent on a 100k-file import (issue 19). A higher first threshold
makes that a few dozen young collections; the thresholds are put back afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

IMPORT_THRESHOLD = 100_000  # new container objects between automatic collections


@contextmanager
def rare_collections(threshold: int = IMPORT_THRESHOLD) -> Iterator[None]:
    """Run the body with the collector's first threshold at least ``threshold``."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], threshold), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
