"""Which result each scanned path gets, kept in a temporary file so memory stays flat.

A path maps to the cache key of its result, or holds its whole entry when that entry is not
cacheable (a file that could not be read or scanned). The scan is assembled from it at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import orjson


class Manifest:
    """One JSON line per path: ``{"p": path, "k": cache key or None, "e": entry or None}``."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self.count = 0

    def add(self, path: str, key: str | None = None, entry: dict[str, Any] | None = None) -> None:
        self._file.write(orjson.dumps({"p": path, "k": key, "e": entry}) + b"\n")
        self.count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield orjson.loads(line)
        self._file.seek(0, os.SEEK_END)

    def close(self) -> None:
        self._file.close()
