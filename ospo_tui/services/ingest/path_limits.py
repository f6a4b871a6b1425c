"""Limits on the paths a scan may name, checked before anything is stored.

Each stored file also stores its parent directories, so one path 50,000 levels deep once cost
226 s and 5 GB. Real trees stay far inside these bounds (Linux's PATH_MAX is 4,096 bytes), and a
NUL byte is never part of a real path: such input is refused, not repaired.
"""

from __future__ import annotations

MAX_PATH_BYTES = 4096
MAX_PATH_DEPTH = 256


def path_problem(path: str) -> str | None:
    """Why ``path`` is refused, or None if it is within the limits."""
    if "\x00" in path:
        return "path contains a NUL byte"
    if len(path) > MAX_PATH_BYTES or len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return f"path longer than {MAX_PATH_BYTES} bytes"
    if path.count("/") + path.count("\\") >= MAX_PATH_DEPTH:
        return f"path deeper than {MAX_PATH_DEPTH} levels"
    return None
