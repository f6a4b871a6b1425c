"""Where an export goes: a file that appears only once complete, and its audit event.

Output goes to a temporary file beside the target that replaces it only when complete, so a
killed export never leaves a partial file behind. Only then is the ``export.*`` event written,
in a write transaction of its own, with the SHA-256 of the file as written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar, cast

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.services.export.json_document import InertJson
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.trail.chain import Actor, append_event
from ospo_tui.staging import remove_leftovers

Progress = Callable[[int, int], None]  # (done, total)
PARTIAL_SUFFIX = ".partial"
T = TypeVar("T")


def reporting(
    items: Iterable[T], total: int, progress: Progress | None, *, every: int = 500
) -> Iterator[T]:
    """``items`` passed on, telling ``progress`` after every ``every`` of them and at the end."""
    done = 0
    for item in items:
        yield item
        done += 1
        if progress and done % every == 0:
            progress(done, total)
    if progress:
        progress(done, total)


@dataclass(frozen=True)
class ExportResult:
    kind: str
    format: str
    path: Path
    sha256: str
    rows: int
    size: int
    event_seq: int


@contextmanager
def atomic_output(
    target: Path, *, newline: str | None = None, json_text: bool = False, binary: bool = False
) -> Iterator[Any]:
    """A file that appears at ``target`` only once completely written.

    Text unless ``binary``; ``json_text``: the writer produces JSON; control and bidi characters
    get escaped."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        if target.is_dir():
            raise InputError(f"{target}: is a directory")
        if not target.parent.is_dir():
            raise InputError(f"{target.parent}: no such directory")
        remove_leftovers(target, PARTIAL_SUFFIX)  # from a run that was killed
        # 0600 while written: a decision log may hold private comments.
        raw = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        handle: IO[Any] = (
            open(raw, "wb") if binary else open(raw, "w", encoding="utf-8", newline=newline)
        )
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with handle:
            yield cast(TextIO, InertJson(cast(TextIO, handle))) if json_text else handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:  # disk full, target became a directory...
        tmp.unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def record_export(
    db: Database,
    actor: Actor,
    *,
    kind: str,
    fmt: str,
    scope: ExportScope,
    target: Path,
    rows: int,
    extra: dict[str, Any] | None = None,
) -> ExportResult:
    """The ``export.<kind>`` audit event, holding the SHA-256 of the file as written."""
    digest = file_sha256(target)
    size = target.stat().st_size
    payload = {
        "kind": kind,
        "format": fmt,
        "project": scope.project,
        "scan_id": scope.scan_id,
        "file": target.name,
        "sha256": digest,
        "bytes": size,
        "rows": rows,
        **(extra or {}),
    }
    with db.session() as session:
        seq = append_event(
            session, actor, f"export.{kind}", "scan", scope.scan_id, payload, scope.project_id
        )
    return ExportResult(kind, fmt, target, digest, rows, size, seq)
