"""A realistic large ScanCode scan, made by repeating a real fixture under unique paths and hashes.

Written as a stream, so making a 100k-file scan needs no more memory than one fixture.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "scancode"
DEFAULT_FIXTURE = FIXTURES / "zlib-v32rc3.json"


def _fresh_hashes(entry: dict, salt: str) -> None:
    for name, size in (("sha1", 40), ("md5", 32), ("sha256", 64), ("sha1_git", 40)):
        if entry.get(name):
            entry[name] = hashlib.sha256((salt + entry[name]).encode()).hexdigest()[:size]


def _package(number: int, template: dict) -> dict:
    """A package shaped like the fixture's, under its own purl and uid."""
    purl = f"pkg:pypi/synthetic-{number}@1.{number % 10}"
    return {
        **template,
        "type": "pypi",
        "name": f"synthetic-{number}",
        "version": f"1.{number % 10}",
        "purl": purl,
        "package_uid": f"{purl}?uuid=00000000-0000-0000-0000-{number:012d}",
        "datafile_paths": [f"copy{number:05d}/setup.py"],
    }


def _dependency(number: int, packages: int) -> dict:
    owner = _package(number % packages, {})
    return {
        "purl": f"pkg:pypi/dependency-{number % 997}",
        "extracted_requirement": f">={number % 7}.0",
        "scope": "install" if number % 3 else "tests",
        "is_runtime": bool(number % 3),
        "is_optional": not number % 3,
        "is_pinned": False,
        "is_direct": True,
        "resolved_package": {},
        "extra_data": {},
        "dependency_uid": f"pkg:pypi/dependency-{number % 997}?uuid=dep-{number}",
        "for_package_uid": owner["package_uid"],
        "datafile_path": owner["datafile_paths"][0],
        "datasource_id": "pypi_setup_py",
    }


def _write_list(out: TextIO, key: str, items: Iterator[dict]) -> None:
    out.write(f"{json.dumps(key)}: [")
    for number, item in enumerate(items):
        out.write(("" if number == 0 else ",\n") + json.dumps(item))
    out.write("], ")


def write_synthetic_scan(
    target: Path,
    files: int = 100_000,
    fixture: Path = DEFAULT_FIXTURE,
    *,
    packages: int = 0,
    dependencies: int = 0,
) -> int:
    """Write a scan with at least ``files`` regular files; returns the number of files written.

    With ``packages``, the fixture's packages are replaced by that many (and ``dependencies``
    dependencies spread over them), written before ``files`` as ScanCode writes them, and each
    file belongs to one of them.
    """
    doc = json.loads(fixture.read_text())
    entries = doc.pop("files")
    template = (doc.get("packages") or [{}])[0]
    if packages:
        doc.pop("packages", None)
        doc.pop("dependencies", None)
    per_copy = sum(1 for e in entries if e["type"] == "file")
    copies = -(-files // per_copy)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        out.write("{")
        for key, value in doc.items():
            out.write(f"{json.dumps(key)}: {json.dumps(value)}, ")
        if packages:
            _write_list(out, "packages", (_package(n, template) for n in range(packages)))
            deps = (_dependency(n, packages) for n in range(dependencies))
            _write_list(out, "dependencies", deps)
        out.write('"files": [')
        first = True
        for copy in range(copies):
            for entry in entries:
                clone = dict(entry)
                clone["path"] = f"copy{copy:05d}/{entry['path']}"
                _fresh_hashes(clone, f"{copy}:")
                if packages:
                    clone["for_packages"] = [_package((copy * 7) % packages, {})["package_uid"]]
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
