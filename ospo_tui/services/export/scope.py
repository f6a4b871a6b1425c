"""What an export covers (one scan of a project), and the one consistent read it makes of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.models import Project
from ospo_tui.services.review.catalog import resolve_scan


@dataclass(frozen=True)
class ExportScope:
    """The project and scan an export covers."""

    project_id: int
    project: str
    scan_id: int
    scan_label: str | None
    tool_name: str | None
    tool_version: str | None
    scan_created_at: str


def resolve_scope(session: Session, project: str | None, scan_id: int | None) -> ExportScope:
    scan = resolve_scan(session, project, scan_id)
    name = session.scalar(select(Project.name).where(Project.id == scan.project_id))
    return ExportScope(
        project_id=scan.project_id,
        project=name or "",
        scan_id=scan.id,
        scan_label=scan.label,
        tool_name=scan.tool_name,
        tool_version=scan.tool_version,
        scan_created_at=scan.created_at,
    )


@contextmanager
def snapshot_session(db: Database) -> Iterator[Session]:
    """One read-only transaction for the whole export, so every page sees the same state.

    ``Database.reader`` is that snapshot on both backends (REPEATABLE READ on PostgreSQL) and
    neither takes nor waits for SQLite's write lock, so reviewers go on deciding meanwhile.
    """
    with db.reader() as session:
        yield session
