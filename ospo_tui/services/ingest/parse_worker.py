"""Decoding and parsing a large scan in a second process, beside the one that writes it.

JSON decoding and ``parse_file`` are pure Python and took about 45 % of a 100k-file import
(issue 19); the writing process spends most of the rest in the database driver. Run one after
the other they use one core; here the worker reads the file and parses each entry while the
importer writes the entries before them. The records travel as ``marshal`` of plain tuples,
dicts and lists (a tenth of pickle's cost), in batches over a pipe whose bounded buffer keeps
both processes' memory flat. The worker writes nothing anywhere but the pipe: the importer owns
the one transaction, so killing either process leaves nothing behind, a worker that dies makes
the import fail and roll back, and a worker whose importer died fails its next write and exits.
"""

from __future__ import annotations

import marshal
import subprocess
import sys
from collections.abc import Generator
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.file_findings import findings_summary
from ospo_tui.services.ingest.json_stream import JsonSyntaxError
from ospo_tui.services.ingest.package_format import ManifestRecord
from ospo_tui.services.ingest.rare_collections import rare_collections
from ospo_tui.services.ingest.scan_values import CountingReader, ProgressCallback, parsed_values
from ospo_tui.services.ingest.scancode_format import DetectionRow, FileRecord, MatchRow

BATCH_RECORDS = 1000  # about 0.8 MB marshalled: one batch fits the enlarged pipe
PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged F_SETPIPE_SZ
_HEADER = 8  # little-endian length of each message
_MATCH_VALUES = attrgetter(*(f.name for f in fields(MatchRow)))
# Errors the worker reports by name, raised again under the same name by the importer; a
# subclass comes before its base.
_ERRORS: dict[str, type[Exception]] = {
    "JsonSyntaxError": JsonSyntaxError,
    "InputError": InputError,
    "ValueError": ValueError,
}


class WorkerOffset:
    """How far the worker had read the file, as of the last batch (for error messages)."""

    def __init__(self) -> None:
        self.offset = 0


def record_to_wire(record: FileRecord) -> tuple[Any, ...]:
    """A FileRecord as values ``marshal`` writes; ``record_from_wire`` builds it again."""
    return (
        record.columns,
        [
            (
                d.identifier,
                d.license_expression,
                d.license_expression_spdx,
                d.is_clue,
                [_MATCH_VALUES(m) for m in d.matches],
            )  # fmt: skip
            for d in record.detections
        ],
        record.copyrights,
        record.todo_ids,
        record.scan_errors,
        record.for_packages,
        [(m.columns, m.legacy, m.package) for m in record.manifests],
        findings_summary(record) if record.is_file else None,
    )


def record_from_wire(wire: tuple[Any, ...]) -> FileRecord:
    columns, detections, copyrights, todo_ids, scan_errors, for_packages, manifests, summary = wire
    return FileRecord(
        columns,
        [
            DetectionRow(identifier, expression, spdx, is_clue, [MatchRow(*m) for m in matches])
            for identifier, expression, spdx, is_clue, matches in detections
        ],
        copyrights,
        todo_ids,
        scan_errors,
        for_packages,
        [ManifestRecord(*manifest) for manifest in manifests],
        summary,
    )


def _send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    out.write(len(data).to_bytes(_HEADER, "little") + data)
    out.flush()


def _enlarge_pipe(handle: IO[bytes]) -> None:
    """Room for a whole batch in the pipe, so the worker runs a batch ahead (best effort)."""
    try:
        import fcntl

        fcntl.fcntl(handle.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass


def _work(path: Path, json_lines: bool, out: IO[bytes]) -> None:
    """Send ("batch", offset, items) messages, then ("done",) or ("error", name, text, offset)."""
    with path.open("rb") as raw:
        reader = CountingReader(raw, None, path.stat().st_size)
        items: list[tuple[str, Any]] = []
        try:
            for kind, value in parsed_values(reader, json_lines):
                items.append((kind, record_to_wire(value) if kind == "file" else value))
                if len(items) >= BATCH_RECORDS:
                    _send(out, ("batch", reader.offset, items))
                    items = []
        except (InputError, ValueError) as exc:
            _send(out, ("batch", reader.offset, items))
            _send(out, ("error", _error_name(exc), str(exc), reader.offset))
            return
        _send(out, ("batch", reader.offset, items))
        _send(out, ("done",))


def _error_name(exc: Exception) -> str:
    """The name in ``_ERRORS`` of the first kind ``exc`` is (the most specific come first)."""
    return next(name for name, kind in _ERRORS.items() if isinstance(exc, kind))


def _receive(stream: IO[bytes]) -> tuple[Any, ...] | None:
    header = stream.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "little")
    data = stream.read(size)
    if len(data) < size:
        return None
    message: tuple[Any, ...] = marshal.loads(data)
    return message


def values_from_worker(
    path: Path,
    total: int,
    json_lines: bool,
    position: WorkerOffset,
    progress: ProgressCallback | None,
) -> Generator[tuple[str, Any], None, None]:
    """What ``parsed_values`` yields for ``path`` (``total`` bytes), parsed by a worker
    process."""
    worker = subprocess.Popen(
        [sys.executable, "-m", __name__, str(path), "lines" if json_lines else "document"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert worker.stdout is not None
    _enlarge_pipe(worker.stdout)
    try:
        while (message := _receive(worker.stdout)) is not None:
            if message[0] == "done":
                return
            if message[0] == "error":
                _, name, text, position.offset = message
                raise _ERRORS[name](text)
            position.offset = message[1]
            if progress is not None:
                progress(position.offset, total)
            for kind, value in message[2]:
                yield kind, record_from_wire(value) if kind == "file" else value
        raise InputError(f"the parsing process stopped (exit code {worker.wait()})")
    finally:
        worker.stdout.close()
        if worker.poll() is None:
            worker.kill()
        worker.wait()


def main(argv: list[str]) -> int:
    path, mode = argv
    out = sys.stdout.buffer
    _enlarge_pipe(out)
    try:
        with rare_collections():
            _work(Path(path), mode == "lines", out)
    except (BrokenPipeError, KeyboardInterrupt):
        return 1  # the importer has gone: nothing to report to
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
