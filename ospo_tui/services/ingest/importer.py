"""Importing a ScanCode JSON (or ``--json-lines``) output file, streamed and atomic.

ScanCode writes ``files`` last and a 100k-file scan is over 100 MB, so the document is read as a
stream of parser events: each file entry is built, written in a batch and dropped. A large file
is decoded and parsed by a worker process while this one writes (parse_worker). Everything
happens in one transaction; any error rolls it all back and is reported as one line naming the
record and the byte offset.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.errors import InputError, OspoError
from ospo_tui.models import Scan
from ospo_tui.services.access.roles import require
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.ingest.json_stream import JsonSyntaxError
from ospo_tui.services.ingest.package_writer import PackageIngest
from ospo_tui.services.ingest.page_cache import larger_page_cache
from ospo_tui.services.ingest.parse_worker import WorkerOffset, values_from_worker
from ospo_tui.services.ingest.rare_collections import rare_collections
from ospo_tui.services.ingest.scan_values import (
    CountingReader,
    ProgressCallback,
    is_json_lines,
    parsed_values,
)
from ospo_tui.services.ingest.scancode_format import FileRecord
from ospo_tui.services.ingest.writer import ScanHeader, ScanIngest, get_or_create_project
from ospo_tui.services.trail.chain import Actor

# Top-level lists that belong to the scan, not to one file.
_EXTRAS = ("todo", "license_references")
# From this size on a worker process decodes and parses while this one writes (parse_worker);
# below it the worker's start (~0.1 s) costs more than the overlap saves.
WORKER_MIN_BYTES = 8 << 20

_PACKAGE_KINDS: dict[str, Callable[[PackageIngest, Any], None]] = {
    "package": PackageIngest.add_package,
    "dependency": PackageIngest.add_dependency,
    "summary": PackageIngest.add_summary,
}


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
    packages: int = 0
    dependencies: int = 0


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


@dataclass(frozen=True)
class _Source:
    """The file to import, as read before anything is written."""

    path: Path
    size: int
    sha256: str
    json_lines: bool


def _checked_source(path: Path, json_lines: bool | None) -> _Source:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{path}: the file is empty")
        lines_mode = is_json_lines(path) if json_lines is None else json_lines
        return _Source(path, size, file_sha256(path), lines_mode)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _imported_before(session: Session, source: _Source, project: str, force: bool) -> bool:
    """Whether the same file was imported into ``project`` before; refused unless ``force``."""
    existing = session.scalar(
        select(Scan.id)
        .where(Scan.project_id == get_or_create_project(session, project).id)
        .where(Scan.input_sha256 == source.sha256, Scan.state == "complete")
        .limit(1)
    )
    if existing is not None and not force:
        raise InputError(
            f"{source.path}: this scan was already imported as scan {existing} (use --force to import it again)"
        )
    return existing is not None


class _ScanFeed:
    """Hands the streamed values to a ``ScanIngest``, made at the first file from the header
    values read before it; remembers the last path read, for error messages."""

    def __init__(
        self,
        session: Session,
        *,
        project: str,
        actor: Actor,
        source: _Source,
        root: str | None,
        label: str,
    ) -> None:
        self.session = session
        self.project = project
        self.actor = actor
        self.source = source
        self.root = root
        self.label = label
        self.values: dict[str, Any] = {}
        self.ingest: ScanIngest | None = None
        self.last_path = "(none yet)"

    def take(self, kind: str, value: FileRecord | Any) -> None:
        if kind in _PACKAGE_KINDS:
            if self.ingest is None:
                self.ingest = self._start()
            _PACKAGE_KINDS[kind](self.ingest.packages, value)
            return
        if kind != "file":
            self.values[kind] = value
            if self.ingest is not None and kind in _EXTRAS:
                _add_extras(self.ingest, kind, value)
            return
        if self.ingest is None:
            self.ingest = self._start()
        self.ingest.add_record(value)
        self.last_path = value.path

    def _start(self) -> ScanIngest:
        header = _header_from(self.values)
        header.input_sha256 = self.source.sha256
        header.root = self.root
        header.label = self.label
        ingest = ScanIngest(
            self.session,
            project_name=self.project,
            source="import",
            header=header,
            actor=self.actor,
        )
        for extra in _EXTRAS:
            if extra in self.values:
                _add_extras(ingest, extra, self.values[extra])
        return ingest

    def finish(self, extra_event: dict[str, Any]) -> ScanIngest:
        if self.ingest is None:
            raise InputError("the scan lists no files")
        self.ingest.finish(extra_event=extra_event)
        return self.ingest


class _Offset(Protocol):
    offset: int


@contextmanager
def _named_errors(path: Path, feed: _ScanFeed, reader: _Offset) -> Iterator[None]:
    """Any failure as one line naming the file and how far the import got."""
    try:
        yield
    except JsonSyntaxError as exc:
        raise InputError(f"{path}: {exc} (last file read: {feed.last_path})") from None
    except OspoError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    except DBAPIError as exc:
        raise InputError(
            f"{path}: the database refused a value (last file read: {feed.last_path}): "
            f"{_first_line(exc.orig or exc)}"
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: near byte {reader.offset}: {_first_line(exc)}") from None


@contextmanager
def _source_values(
    source: _Source, progress: ProgressCallback | None
) -> Iterator[tuple[_Offset, Iterator[tuple[str, Any]]]]:
    """The file's values, parsed here or, for a large file, by a worker process beside this
    one; the worker is stopped at once if the import ends early."""
    if source.size >= WORKER_MIN_BYTES:
        position = WorkerOffset()
        values = values_from_worker(source.path, source.size, source.json_lines, position, progress)
        try:
            yield position, values
        finally:
            values.close()
        return
    with source.path.open("rb") as raw:
        reader = CountingReader(raw, progress, source.size)
        yield reader, parsed_values(reader, source.json_lines)


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
    source = _checked_source(Path(path), json_lines)
    with db.session() as session, rare_collections():
        forced = _imported_before(session, source, project, force)
        label = label or source.path.name
        feed = _ScanFeed(
            session, project=project, actor=actor, source=source, root=root, label=label
        )
        with _source_values(source, progress) as (reader, values), larger_page_cache(session):
            with _named_errors(source.path, feed, reader):
                for kind, value in values:
                    feed.take(kind, value)
                ingest = feed.finish({"file": source.path.name, "forced": forced})
        scan = ingest.scan
        result = ImportResult(
            scan_id=scan.id,
            project=project,
            files=scan.files_count,
            dirs=scan.dirs_count,
            detections=scan.detections_count,
            matches=scan.matches_count,
            copyrights=scan.copyrights_count,
            synthetic_dirs=ingest.synthetic_dirs,
            packages=ingest.packages.counts["packages"],
            dependencies=ingest.packages.counts["dependencies"],
        )
    db.refresh_statistics()  # committed: the planner may now see the new rows
    return result


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
