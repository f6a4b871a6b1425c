"""A realistic large ScanCode scan, made by repeating a real fixture under unique paths and hashes.

Written as a stream, so making a 100k-file scan needs no more memory than one fixture.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "scancode"
DEFAULT_FIXTURE = FIXTURES / "zlib-v32rc3.json"


def _fresh_hashes(entry: dict, salt: str) -> None:
    for name, size in (("sha1", 40), ("md5", 32), ("sha256", 64), ("sha1_git", 40)):
        if entry.get(name):
            entry[name] = hashlib.sha256((salt + entry[name]).encode()).hexdigest()[:size]


def write_synthetic_scan(
    target: Path, files: int = 100_000, fixture: Path = DEFAULT_FIXTURE
) -> int:
    """Write a scan with at least ``files`` regular files; returns the number of files written."""
    doc = json.loads(fixture.read_text())
    entries = doc.pop("files")
    per_copy = sum(1 for e in entries if e["type"] == "file")
    copies = -(-files // per_copy)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        out.write("{")
        for key, value in doc.items():
            out.write(f"{json.dumps(key)}: {json.dumps(value)}, ")
        out.write('"files": [')
        first = True
        for copy in range(copies):
            for entry in entries:
                clone = dict(entry)
                clone["path"] = f"copy{copy:05d}/{entry['path']}"
                _fresh_hashes(clone, f"{copy}:")
                out.write(("" if first else ",\n") + json.dumps(clone))
                first = False
                written += clone["type"] == "file"
        out.write("]}\n")
    return written


if __name__ == "__main__":
    import sys

    count = write_synthetic_scan(
        Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    )
    print(f"wrote {count} files to {sys.argv[1]}")
