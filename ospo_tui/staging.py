"""Temporary files next to a database, a backup or an export: private, and never left behind.

Each is created with mode 0600 (it may hold private comments), carries a name that ties it to
its final file, and is removed on failure. A process killed mid-way cannot run its clean-up, so
the next run for the same final file removes what an earlier one left.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PART_SUFFIX = ".part"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _side_files(path: Path) -> list[Path]:
    return [path, *(Path(f"{path}{side}") for side in SQLITE_SIDE_FILES)]


def remove_leftovers(final: Path, suffix: str = PART_SUFFIX) -> int:
    """Remove temporary files an earlier, killed run left for ``final``; returns how many."""
    removed = 0
    for leftover in final.parent.glob(f".{final.name}.*{suffix}"):
        for path in _side_files(leftover):
            if path.exists():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


@contextmanager
def temporary_next_to(final: Path, suffix: str = PART_SUFFIX) -> Iterator[Path]:
    """A new 0600 file in ``final``'s directory (so ``os.replace`` onto ``final`` is atomic);
    removed with its SQLite side files on the way out, unless it was renamed away."""
    remove_leftovers(final, suffix)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix, dir=final.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    finally:
        for path in _side_files(temp):
            path.unlink(missing_ok=True)
