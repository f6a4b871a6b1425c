"""One entry point for every export, shared by the CLI and the TUI: check, write, audit.

Reads happen in one snapshot transaction that is closed before the ``export.*`` audit event is
written, so an export never holds the write lock while it streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.errors import InputError, OspoError
from ospo_tui.services.export.output import ExportResult, Progress, atomic_output, record_export
from ospo_tui.services.export.scope import ExportScope, resolve_scope, snapshot_session
from ospo_tui.services.trail.chain import Actor


@dataclass(frozen=True)
class ExportKind:
    name: str
    formats: tuple[str, ...]  # the first is the default
    description: str


EXPORT_KINDS: dict[str, ExportKind] = {
    k.name: k
    for k in (
        ExportKind("decision-log", ("csv", "json"), "one row per decision event, for auditors"),
        ExportKind("spdx", ("json", "tag-value"), "SPDX 2.3 document of the reviewed files"),
        ExportKind("cyclonedx", ("json",), "CycloneDX 1.6 BOM with concluded licenses"),
        ExportKind("attribution", ("text", "html"), "attribution notice of the shipped files"),
        ExportKind("report", ("xlsx",), "spreadsheet: files, decisions, questions, todo, licenses"),
    )
}
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".spdx": "tag-value", ".html": "html"}
_SUFFIX_FORMATS |= {".htm": "html", ".txt": "text", ".xlsx": "xlsx"}


def choose_format(kind: str, fmt: str | None, target: Path) -> str:
    """The format asked for, else the one the file name suggests, else the kind's default."""
    spec = EXPORT_KINDS.get(kind)
    if spec is None:
        raise InputError(f"unknown export {kind!r}: use one of {', '.join(EXPORT_KINDS)}")
    if fmt is None:
        guess = _SUFFIX_FORMATS.get(target.suffix.lower())
        fmt = guess if guess in spec.formats else spec.formats[0]
    if fmt not in spec.formats:
        raise InputError(f"{kind} is written as {' or '.join(spec.formats)}, not {fmt!r}")
    return fmt


def run_export(
    db: Database,
    actor: Actor,
    kind: str,
    target: str | Path,
    *,
    project: str | None = None,
    scan_id: int | None = None,
    fmt: str | None = None,
    include_private: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write one export atomically to ``target`` and record it in the audit trail."""
    from ospo_tui.services.access.roles import require

    path = Path(target)
    fmt = choose_format(kind, fmt, path)
    if include_private and kind != "decision-log":
        raise InputError("--include-private applies to the decision log only")
    if include_private:  # checked first: the refusal names the private comments
        require(db, actor, "read_private", "comments")
    require(db, actor, "export", f"{kind} of {_project_named(db, project, scan_id)}")
    extra: dict[str, Any] = {}
    with snapshot_session(db) as session:
        scope = resolve_scope(session, project, scan_id)
        if fmt == "xlsx":
            from ospo_tui.services.export.report import write_report

            with atomic_output(path, binary=True) as raw:
                rows = write_report(session, scope, raw, progress=progress)
        else:
            newline = "" if fmt == "csv" else None
            with atomic_output(path, newline=newline, json_text=fmt == "json") as out:
                rows = _write(kind, session, scope, out, fmt, actor, include_private, progress)
    if kind == "decision-log":
        extra["include_private"] = include_private
    return record_export(
        db, actor, kind=kind, fmt=fmt, scope=scope, target=path, rows=rows, extra=extra
    )


def _write(
    kind: str,
    session: Session,
    scope: ExportScope,
    out: TextIO,
    fmt: str,
    actor: Actor,
    include_private: bool,
    progress: Progress | None,
) -> int:
    if kind == "decision-log":
        from ospo_tui.services.export.decision_log_writer import write_decision_log

        return write_decision_log(
            session,
            scope,
            out,
            fmt=fmt,
            actor=actor,
            include_private=include_private,
            progress=progress,
        )
    if kind == "spdx":
        from ospo_tui.services.export.spdx import write_spdx

        return write_spdx(session, scope, out, fmt=fmt, actor=actor, progress=progress)
    if kind == "cyclonedx":
        from ospo_tui.services.export.cyclonedx import write_cyclonedx

        return write_cyclonedx(session, scope, out, actor=actor, progress=progress)
    from ospo_tui.services.export.attribution import write_attribution

    return write_attribution(session, scope, out, fmt=fmt, progress=progress)


def _project_named(db: Database, project: str | None, scan_id: int | None) -> str:
    """The project a refusal names: the one given, else the one the export would cover."""
    if project is not None:
        return repr(project)
    try:
        with snapshot_session(db) as session:
            return repr(resolve_scope(session, None, scan_id).project)
    except OspoError:
        return "the project"
