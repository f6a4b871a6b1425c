"""Worker side of the scan engine: what one pool process does with one file, via ``scancode.api``.

Results are shaped like a ScanCode 4.x JSON ``files[]`` entry (``-clpi --license-text``), minus
everything that depends on where the file sits (path, name, ``from_file``): those are filled in
when the scan is assembled, so one cached result serves every copy of the same content.
"""

from __future__ import annotations

import gc
import os
import posixpath
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from ospo_tui.services.ingest.file_flags import INFO_FLAGS

# Part of every cache key: bump it when the shape of a cached result changes.
RESULT_LAYOUT_VERSION = 2  # 2: package_data (manifests), for package assembly
DEFAULT_TIMEOUT = 120.0
# Private key on cached results: rule-referenced file names ("see LICENSE") to resolve later.
REFERENCES_KEY = "_referenced_filenames"

# The options a result depends on; they go into the cache key and the scan header.
SCAN_OPTIONS: dict[str, Any] = {
    "--copyright": True,
    "--info": True,
    "--license": True,
    "--license-text": True,
    "--license-score": 0,
    "--unknown-licenses": False,
}

_INFO_KEYS = (
    "size",
    "sha1",
    "md5",
    "sha256",
    "sha1_git",
    "mime_type",
    "file_type",
    "programming_language",
    *INFO_FLAGS,
)


# Scanned once at warm-up: initialises the detectors' lazy state before the first real file.
_WARM_UP_SAMPLE = b"# Copyright 2020 Example Inc.\n# SPDX-License-Identifier: MIT\nprint(1)\n"
_warmed_up = False


def warm_up() -> None:
    """Load ScanCode's license index and detectors once per process, before the first file.

    The cyclic garbage collector is off while the index is unpickled (it would walk the growing
    heap again and again: 3.6 s instead of 1.5 s), and the loaded objects are then frozen out of
    its reach, so that later collections neither walk them nor dirty the pages that forked
    workers share with the fork server.
    """
    global _warmed_up
    if _warmed_up:
        return
    gc.disable()
    try:
        import scancode.api  # noqa: F401
        from licensedcode.cache import get_index

        get_index()
        with tempfile.TemporaryDirectory(prefix="ospo-tui-warm-up-") as directory:
            sample = os.path.join(directory, "sample.py")
            with open(sample, "wb") as handle:
                handle.write(_WARM_UP_SAMPLE)
            _run_scanners(sample, DEFAULT_TIMEOUT)
    finally:
        gc.enable()
    gc.freeze()
    _warmed_up = True


def _run_scanners(location: str, timeout: float) -> tuple[dict[str, Any], list[str]]:
    from scancode.api import get_copyrights, get_file_info, get_licenses, get_package_data
    from scancode.interrupt import interruptible

    scanners: list[tuple[str, Callable[..., dict[str, Any]], dict[str, Any]]] = [
        ("info", get_file_info, {}),
        ("licenses", get_licenses, {"include_text": True, "min_score": 0}),
        ("copyrights", get_copyrights, {}),
        # Cheap for a file no package handler claims; kept whether or not the scan assembles
        # packages, so that one cached result serves both (``ManifestCollector`` drops it).
        ("packages", get_package_data, {}),
    ]
    results: dict[str, Any] = {}
    errors: list[str] = []
    started = time.monotonic()
    for name, function, kwargs in scanners:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            errors.append(
                f"ERROR: for scanner: {name}:\n"
                f"ERROR: Processing interrupted: timeout after {int(timeout)} seconds."
            )
            continue
        # Like the scancode CLI: a soft deadline the detectors honour, and a hard alarm.
        deadline = time.time() + remaining / 2.5
        error, values = interruptible(
            function, args=(location,), kwargs={**kwargs, "deadline": deadline}, timeout=remaining
        )
        if error:
            errors.append(f"ERROR: for scanner: {name}:\n{error}")
        if values:
            results.update(values)
    return results, errors


def _referenced_filenames(license_detections: list[dict[str, Any]]) -> list[str]:
    from licensedcode.detection import (
        LicenseDetectionFromResult,
        get_referenced_filenames,
        has_resolved_referenced_file,
    )

    names: list[str] = []
    for mapping in license_detections:
        detection = LicenseDetectionFromResult.from_license_detection_mapping(
            license_detection_mapping=mapping, file_path=None
        )
        if has_resolved_referenced_file(detection.matches):
            continue
        for name in get_referenced_filenames(detection.matches):
            if name not in names:
                names.append(name)
    return names


def scan_file(location: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Scan one file for info, licenses (with matched text) and copyrights; never raises."""
    results, errors = _run_scanners(location, timeout)
    entry: dict[str, Any] = {"type": "file"}
    for key in _INFO_KEYS:
        entry[key] = results.get(key)
    for flag in INFO_FLAGS:
        entry[flag] = bool(entry[flag])
    entry["detected_license_expression"] = results.get("detected_license_expression")
    entry["detected_license_expression_spdx"] = results.get("detected_license_expression_spdx")
    entry["license_detections"] = results.get("license_detections") or []
    entry["license_clues"] = results.get("license_clues") or []
    entry["percentage_of_license_text"] = results.get("percentage_of_license_text") or 0
    entry["copyrights"] = results.get("copyrights") or []
    entry["holders"] = results.get("holders") or []
    entry["authors"] = results.get("authors") or []
    entry["package_data"] = results.get("package_data") or []
    entry["scan_errors"] = errors
    if entry["license_detections"]:
        try:
            references = _referenced_filenames(entry["license_detections"])
        except Exception as exc:  # noqa: BLE001 - a lookup failure must not lose the file's scan
            entry["scan_errors"].append(f"ERROR: resolving license references: {exc}")
            references = []
        if references:
            entry[REFERENCES_KEY] = references
    return entry


class _Resource:
    """Just enough of a commoncode Resource for ScanCode's reference-following code."""

    is_file = True

    def __init__(self, path: str, entry: dict[str, Any]) -> None:
        self.path = path
        self.license_detections = entry.get("license_detections") or []
        self.detected_license_expression = entry.get("detected_license_expression")
        self.detected_license_expression_spdx = entry.get("detected_license_expression_spdx")

    def parent_path(self) -> str | None:
        parent = posixpath.dirname(self.path)
        return parent or None


class _Codebase:
    """Just enough of a commoncode Codebase: look-up by path among the candidate files."""

    def __init__(self, root_path: str, resources: dict[str, _Resource]) -> None:
        self.root = _Resource(root_path, {})
        self._resources = resources

    def get_resource(self, path: str) -> _Resource | None:
        return self._resources.get(path)

    def save_resource(self, resource: _Resource) -> None:
        self._resources[resource.path] = resource


def resolve_references(
    entry: dict[str, Any], path: str, root_path: str, candidates: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Follow "see LICENSE"-style references to sibling or root files, as the CLI's post-scan does.

    ``path`` and the ``candidates`` keys are codebase paths (root name first), like the CLI's.
    """
    from licensedcode.plugin_license import add_referenced_filenames_license_matches_for_detections

    for match_path, candidate in candidates.items():
        fill_from_file(candidate, match_path)
    resolved = {**entry, "license_detections": _copy_detections(entry)}
    fill_from_file(resolved, path)
    resources = {p: _Resource(p, c) for p, c in candidates.items()}
    resource = _Resource(path, resolved)
    resources[path] = resource
    codebase = _Codebase(root_path, resources)
    add_referenced_filenames_license_matches_for_detections(resource, codebase)
    resolved["license_detections"] = resource.license_detections
    resolved["detected_license_expression"] = resource.detected_license_expression
    resolved["detected_license_expression_spdx"] = resource.detected_license_expression_spdx
    resolved.pop(REFERENCES_KEY, None)
    return resolved


def _copy_detections(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**detection, "matches": [dict(match) for match in detection.get("matches", [])]}
        for detection in entry.get("license_detections") or []
    ]


def fill_from_file(entry: dict[str, Any], path: str) -> None:
    """Matches found in this file name it as their origin (``from_file``), like the CLI."""
    for detection in entry.get("license_detections") or []:
        for match in detection.get("matches", []):
            if not match.get("from_file"):
                match["from_file"] = path
    for match in entry.get("license_clues") or []:
        if not match.get("from_file"):
            match["from_file"] = path


def worker_main(connection: Any) -> None:
    """Pool worker loop: warm up once, then answer ``(task_id, kind, args)`` until told to stop."""
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the scan
        connection.send(("warm-up-failed", None, f"{type(exc).__name__}: {exc}"))
        return
    connection.send(("ready", None, None))
    while True:
        try:
            message = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        task_id, kind, args = message
        try:
            if kind == "scan":
                result: Any = scan_file(*args)
            elif kind == "resolve":
                result = resolve_references(*args)
            else:
                raise ValueError(f"unknown task kind {kind!r}")
            connection.send(("done", task_id, result))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the worker
            connection.send(("failed", task_id, f"{type(exc).__name__}: {exc}"))
        sys.stdout.flush()
