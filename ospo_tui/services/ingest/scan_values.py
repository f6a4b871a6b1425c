"""The values of a ScanCode output file in document order, each ``files`` entry parsed.

Shared by the importer, which reads small files itself, and the parse worker, which reads large
ones beside it (parse_worker): both see the same values, records and errors.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.json_nesting import NestingGuard
from ospo_tui.services.ingest.json_stream import stream_document
from ospo_tui.services.ingest.package_format import parse_file_with_packages

# Top-level values we keep; the rest (license_detections, rule references) are skipped unbuilt.
WANTED = frozenset(
    {"headers", "todo", "license_references", "scancode_version", "scancode_options", "summary"}
)
# Top-level lists read and written one item at a time, like files.
ITEMISED = {"packages": "package", "dependencies": "dependency"}
_CHUNK = 1 << 18

ProgressCallback = Callable[[int, int], None]  # (bytes read, total bytes)


class CountingReader(io.RawIOBase):
    """Reports how far the parser got, for progress and for error messages; refuses JSON nested
    deep enough to exhaust the parser's memory (see json_nesting)."""

    def __init__(self, raw: IO[bytes], progress: ProgressCallback | None, total: int) -> None:
        self.raw = raw
        self.offset = 0
        self.progress = progress
        self.total = total
        self.nesting = NestingGuard()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.nesting.feed(data)
        buffer[: len(data)] = data
        self.offset += len(data)
        if self.progress is not None:
            self.progress(self.offset, self.total)
        return len(data)


def is_json_lines(path: Path) -> bool:
    """``--json-lines`` output: a first line holding only ``{"headers": ...}``."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 22).strip()
    if not first.startswith(b"{"):
        return False
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and set(value) == {"headers"}


def parsed_values(reader: CountingReader, json_lines: bool) -> Iterator[tuple[str, Any]]:
    """The wanted top-level values and ("file", FileRecord) per file, in document order."""
    if json_lines:
        values = _stream_json_lines(reader)
    else:
        values = stream_document(reader, WANTED, chunk=_CHUNK, itemised=ITEMISED)
    index = 0
    for kind, value in values:
        if kind == "file":
            yield kind, parse_file_with_packages(value, index)
            index += 1
        else:
            yield kind, value


def _stream_json_lines(reader: CountingReader) -> Iterator[tuple[str, Any]]:
    buffered = io.BufferedReader(reader, _CHUNK)
    for number, line in enumerate(buffered, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"line {number}: invalid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise InputError(f"line {number}: expected a JSON object")
        for key, item in value.items():
            if key == "files":
                if not isinstance(item, list):
                    raise InputError(f"line {number}: 'files' must be a list")
                for entry in item:
                    yield "file", entry
            elif key in ITEMISED and isinstance(item, list):
                for entry in item:
                    yield ITEMISED[key], entry
            elif key in WANTED:
                yield key, item
