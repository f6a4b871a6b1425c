"""Importing a ScanCode JSON (or ``--json-lines``) output file, streamed and atomic.

ScanCode writes ``files`` last and a 100k-file scan is over 100 MB, so the document is read as a
stream of parser events: each file entry is built, written in a batch and dropped. Everything
happens in one transaction; any error rolls it all back and is reported as one line naming the
record and the byte offset.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ospo_tui.db import Database
from ospo_tui.errors import InputError, OspoError
from ospo_tui.models import Scan
from ospo_tui.services.access.roles import require
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.ingest.json_nesting import NestingGuard
from ospo_tui.services.ingest.json_stream import JsonSyntaxError, stream_document
from ospo_tui.services.ingest.writer import ScanHeader, ScanIngest, get_or_create_project
from ospo_tui.services.trail.chain import Actor

# Top-level values we keep; the rest (packages, dependencies, summaries) are skipped unbuilt.
_WANTED = frozenset(
    {"headers", "todo", "license_references", "scancode_version", "scancode_options"}
)
_CHUNK = 1 << 18

ProgressCallback = Callable[[int, int], None]  # (bytes read, total bytes)


@dataclass(frozen=True)
class ImportResult:
    scan_id: int
    project: str
    files: int
    dirs: int
    detections: int
    matches: int
    copyrights: int
    synthetic_dirs: int


class _CountingReader(io.RawIOBase):
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


def _is_json_lines(path: Path) -> bool:
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


def _stream_document(
    path: Path, progress: ProgressCallback | None, total: int, state: dict[str, Any]
) -> Iterator[tuple[str, Any]]:
    """Yields the wanted top-level values and ("file", entry) per file, in document order."""
    with path.open("rb") as raw:
        reader = _CountingReader(raw, progress, total)
        state["reader"] = reader
        yield from stream_document(reader, _WANTED, chunk=_CHUNK)


def _stream_json_lines(reader: _CountingReader) -> Iterator[tuple[str, Any]]:
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
            elif key in _WANTED:
                yield key, item


def _header_from(values: dict[str, Any]) -> ScanHeader:
    headers = values.get("headers")
    header: dict[str, Any] = {}
    if isinstance(headers, list) and headers and isinstance(headers[0], dict):
        header = headers[0]
    elif headers is not None and not isinstance(headers, list):
        raise InputError("'headers' must be a list")
    options = header.get("options") or values.get("scancode_options") or {}
    return ScanHeader(
        tool_name=str(header.get("tool_name") or "scancode-toolkit"),
        tool_version=_opt_str(header.get("tool_version") or values.get("scancode_version")),
        output_format_version=_opt_str(header.get("output_format_version")),
        options=options if isinstance(options, dict) else {"options": options},
        started_at=_opt_str(header.get("start_timestamp")),
        finished_at=_opt_str(header.get("end_timestamp")),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)[:100]


def import_scan_file(
    db: Database,
    path: str | os.PathLike[str],
    *,
    project: str,
    actor: Actor,
    root: str | None = None,
    force: bool = False,
    label: str | None = None,
    json_lines: bool | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import one ScanCode output file into ``project`` in a single transaction."""
    require(db, actor, "import", str(path))
    source = Path(path)
    if not source.is_file():
        raise InputError(f"{source}: no such file")
    try:
        total = source.stat().st_size
        if total == 0:
            raise InputError(f"{source}: the file is empty")
        input_sha256 = file_sha256(source)
        lines_mode = _is_json_lines(source) if json_lines is None else json_lines
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror}") from None

    with db.session() as session:
        existing = session.scalar(
            select(Scan.id)
            .where(Scan.project_id == get_or_create_project(session, project).id)
            .where(Scan.input_sha256 == input_sha256, Scan.state == "complete")
            .limit(1)
        )
        if existing is not None and not force:
            raise InputError(
                f"{source}: this scan was already imported as scan {existing} (use --force to import it again)"
            )
        state: dict[str, Any] = {}
        with source.open("rb") as raw:
            if lines_mode:
                state["reader"] = _CountingReader(raw, progress, total)
                stream = _stream_json_lines(state["reader"])
            else:
                stream = _stream_document(source, progress, total, state)
            ingest = None
            values: dict[str, Any] = {}
            last_path = "(none yet)"
            try:
                for kind, value in stream:
                    if kind != "file":
                        values[kind] = value
                        if ingest is not None and kind in ("todo", "license_references"):
                            _add_extras(ingest, kind, value)
                        continue
                    if ingest is None:
                        header = _header_from(values)
                        header.input_sha256 = input_sha256
                        header.root = root
                        header.label = label or source.name
                        ingest = ScanIngest(
                            session,
                            project_name=project,
                            source="import",
                            header=header,
                            actor=actor,
                        )
                        for extra in ("todo", "license_references"):
                            if extra in values:
                                _add_extras(ingest, extra, values[extra])
                    ingest.add_file(value)
                    if isinstance(value, dict) and isinstance(value.get("path"), str):
                        last_path = value["path"]
                if ingest is None:
                    raise InputError("the scan lists no files")
                scan = ingest.finish(
                    extra_event={"file": source.name, "forced": force and existing is not None}
                )
            except JsonSyntaxError as exc:
                raise InputError(f"{source}: {exc} (last file read: {last_path})") from None
            except OspoError as exc:
                raise type(exc)(f"{source}: {exc}") from None
            except DBAPIError as exc:
                raise InputError(
                    f"{source}: the database refused a value (last file read: {last_path}): "
                    f"{_first_line(exc.orig or exc)}"
                ) from None
            except (UnicodeDecodeError, ValueError) as exc:
                raise InputError(
                    f"{source}: near byte {state['reader'].offset}: {_first_line(exc)}"
                ) from None
        return ImportResult(
            scan_id=scan.id,
            project=project,
            files=scan.files_count,
            dirs=scan.dirs_count,
            detections=scan.detections_count,
            matches=scan.matches_count,
            copyrights=scan.copyrights_count,
            synthetic_dirs=getattr(ingest, "synthetic_dirs", 0),
        )


def _add_extras(ingest: ScanIngest, kind: str, value: Any) -> None:
    if not isinstance(value, list):
        raise InputError(f"'{kind}' must be a list")
    for item in value:
        if kind == "todo":
            ingest.add_todo(item)
        else:
            ingest.add_license_reference(item)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
