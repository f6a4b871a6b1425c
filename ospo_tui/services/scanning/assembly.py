"""A finished scan put together from the result cache, entry by entry as ScanCode writes them.

Cached results leave out what depends on where a file sits (path, name, ``from_file``), so one
result serves every copy of the same content: each path gets its own entry back here. The
licenses the matches name are then added as ``license_references``, with their texts, as the
ScanCode CLI adds them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from ospo_tui.services.ingest.writer import ScanIngest
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.scanning.cache import ResultCache
from ospo_tui.services.scanning.engine import REFERENCES_KEY, fill_from_file
from ospo_tui.services.scanning.manifest import Manifest
from ospo_tui.services.scanning.package_assembly import ManifestCollector

ASSEMBLY_BATCH = 500
_EXPRESSION_WORDS = re.compile(r"[^\s()]+")


def add_files(
    ingest: ScanIngest,
    session: Session,
    cache: ResultCache,
    manifest: Manifest,
    overrides: dict[str, str],
    root: str,
    manifests: ManifestCollector | None = None,
) -> set[str]:
    """Every path of the manifest as a file entry (``overrides``: path → resolved result key).

    Returns the license keys the entries' matches name. ``root`` is the tree's own name, which
    the ScanCode CLI puts first in ``from_file`` paths.
    """
    license_keys: set[str] = set()
    for lines in _chunks(iter(manifest), ASSEMBLY_BATCH):
        keys = [overrides.get(line["p"], line["k"]) for line in lines if line["k"]]
        results = cache.load(session, keys)
        for line in lines:
            path = line["p"]
            if line["e"] is not None:
                content = line["e"]
            else:
                content = results[overrides.get(path, line["k"])]
            entry = _file_entry(path, content)
            fill_from_file(entry, f"{root}/{path}")
            if manifests is not None:
                manifests.take(path, entry)
            license_keys.update(_license_keys(entry))
            ingest.add_file(entry)
    return license_keys


def add_license_references(ingest: ScanIngest, license_keys: set[str]) -> None:
    """ScanCode's own data and text of each license key its catalog knows."""
    catalog = license_catalog()
    for key in sorted(license_keys):
        info = catalog.get(key)
        if info is None:
            continue
        ingest.add_license_reference(
            {
                "key": info.key,
                "spdx_license_key": info.spdx_license_key,
                "name": info.name,
                "category": info.category,
                "text": catalog.license_text(info.key),
            }
        )


def _chunks(lines: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _file_entry(path: str, content: dict[str, Any]) -> dict[str, Any]:
    """Put the place-dependent fields back, in the order the ScanCode CLI writes them."""
    name = posixpath.basename(path)
    base_name, extension = posixpath.splitext(name)
    entry: dict[str, Any] = {
        "path": path,
        "type": "file",
        "name": name,
        "base_name": base_name,
        "extension": extension,
    }
    entry.update({k: v for k, v in content.items() if k not in entry and k != REFERENCES_KEY})
    entry.setdefault("scan_errors", [])
    return entry


def _license_keys(entry: dict[str, Any]) -> set[str]:
    keys: set[str] = set()
    matches = [m for d in entry.get("license_detections") or [] for m in d.get("matches") or []]
    for match in matches + list(entry.get("license_clues") or []):
        expression = match.get("license_expression") or ""
        for word in _EXPRESSION_WORDS.findall(expression):
            if word.upper() not in ("AND", "OR", "WITH"):
                keys.add(word)
    return keys
