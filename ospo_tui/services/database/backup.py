"""Online backups of the review database and restoring them, with the audit chain checked.

A backup is always one SQLite file, whichever backend it came from:
- SQLite: the SQLite online backup API, a page-consistent copy taken while others keep writing
  (WAL readers do not block writers).
- PostgreSQL: a logical copy of every table from one REPEATABLE READ, READ ONLY snapshot,
  through the same verified path as ``db copy``. This needs no ``pg_dump`` matching the
  server's major version on the reviewer's machine, and the file restores onto either backend.
The backup is written to a temporary file, its chain verified, then renamed into place, so a
half-written backup never carries the final name.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from ospo_tui.db import Database, resolve_db_url
from ospo_tui.errors import InputError
from ospo_tui.migrate import upgrade_to_head
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.roles import require
from ospo_tui.services.database.copy import (
    ALEMBIC_TABLE,
    MANAGE_DATABASE,
    check_same_schema,
    copy_rows,
    review_tables,
    row_counts,
    snapshot,
)
from ospo_tui.services.trail.chain import Actor, append_event, verify_chain


@dataclass(frozen=True)
class BackupResult:
    path: Path
    events: int
    head_hash: str
    rows: int


def _sqlite_path(db: Database) -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise InputError("an in-memory database cannot be backed up or restored")
    return Path(database)


@contextmanager
def _temporary_next_to(path: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm"), Path(f"{temp}-journal")):
            leftover.unlink(missing_ok=True)


@contextmanager
def _online_copy(
    source: sqlite3.Connection, target: Path | str, *, timeout: float = 5.0
) -> Iterator[sqlite3.Connection]:
    """Copy ``source`` onto the SQLite file ``target`` with the online backup API (all pages in
    one step); yields the target's connection, and closes both."""
    destination = sqlite3.connect(target, timeout=timeout)
    try:
        source.backup(destination)
        yield destination
    finally:
        destination.close()
        source.close()


def _sqlite_url(path: Path) -> str:
    return resolve_db_url(str(path))


def _verified(path: Path) -> tuple[int, str, int]:
    """(events, head hash, rows) of a backup file; InputError if its chain does not verify."""
    db = Database(_sqlite_url(path))
    try:
        with db.reader() as session:
            result = verify_chain(session)
            rows = sum(row_counts(session.connection()).values())
    finally:
        db.dispose()
    if not result.ok:
        raise InputError(f"the backup's audit chain does not verify ({result.first_break})")
    return result.events, result.head_hash, rows


def backup_database(
    db: Database, target: str | os.PathLike[str], actor: Actor, *, force: bool = False
) -> BackupResult:
    """Write a consistent backup of ``db`` to the SQLite file ``target`` (admins only)."""
    require(db, actor, MANAGE_DATABASE, "backup")
    path = Path(target).absolute()
    if path.exists() and not force:
        raise InputError(f"{path} already exists (use --force to replace it)")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such directory")
    with _temporary_next_to(path) as temp:
        if db.engine.dialect.name == "sqlite":
            with _online_copy(sqlite3.connect(_sqlite_path(db), timeout=30), temp) as copy:
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        else:
            backup = Database(_sqlite_url(temp))
            try:
                upgrade_to_head(backup.engine)
                check_same_schema(db, backup)
                with snapshot(db) as src, backup.engine.begin() as dst:
                    copy_rows(src, dst)
            finally:
                backup.dispose()
        events, head_hash, rows = _verified(temp)
        os.replace(temp, path)
    return BackupResult(path=path, events=events, head_hash=head_hash, rows=rows)


def _is_backup(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (ALEMBIC_TABLE,)
            ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return found is not None


def restore_database(
    backup: str | os.PathLike[str],
    target: Database,
    actor: Actor,
    *,
    force: bool = False,
    audited: bool = False,
) -> BackupResult:
    """Replace the contents of ``target`` with the backup, in one transaction.

    A non-empty target is refused unless ``force``, which only an admin may use. The backup file
    itself is never modified: it is copied and the copy upgraded to the current schema first.
    With ``audited``, a ``db.restore`` event records who restored which chain head: events
    written after the backup are gone, and the trail says so.
    """
    if force:
        require(target, actor, MANAGE_DATABASE, "restore")
    source_path = Path(backup).absolute()
    if not source_path.is_file():
        raise InputError(f"{source_path}: no such file")
    if not _is_backup(source_path):
        raise InputError(f"{source_path}: not an ospo-tui backup (no SQLite review database)")
    with _temporary_next_to(source_path) as temp:
        with _online_copy(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True), temp):
            pass  # the schema upgrade below works on this copy, never on the backup itself
        staged = Database(_sqlite_url(temp))
        try:
            upgrade_to_head(staged.engine)
            check_same_schema(staged, target)
            if target.engine.dialect.name == "sqlite":
                _restore_sqlite(temp, target, force=force)
            else:
                with snapshot(staged) as src, target.engine.begin() as dst:
                    _clear_target(dst, force=force)
                    copy_rows(src, dst)
        finally:
            staged.dispose()
    return _check_restored(target, source_path, force=force, audited_as=actor if audited else None)


def _check_restored(
    target: Database, source_path: Path, *, force: bool, audited_as: Actor | None
) -> BackupResult:
    """Verify the restored chain and, with ``audited_as``, append the ``db.restore`` event."""
    with target.session() as session:
        result = verify_chain(session)
        if not result.ok:  # pragma: no cover - both paths verify before they commit
            raise InputError(f"the restored audit chain does not verify ({result.first_break})")
        if audited_as is not None:
            append_event(
                session,
                resolve_actor(session, audited_as.name),
                "db.restore",
                "database",
                None,
                {
                    "backup": source_path.name,
                    "restored_events": result.events,
                    "restored_head_hash": result.head_hash,
                    "forced": force,
                },
            )
        rows = sum(row_counts(session.connection()).values())
    return BackupResult(
        path=source_path, events=result.events, head_hash=result.head_hash, rows=rows
    )


def _refuse_filled(conn: Connection, *, force: bool) -> int:
    """The target's row count; InputError when it holds rows and ``force`` was not given."""
    filled = sum(row_counts(conn).values())
    if filled and not force:
        raise InputError(
            f"the target database is not empty ({filled} rows): use --force to replace it"
        )
    return filled


def _restore_sqlite(staged: Path, target: Database, *, force: bool) -> None:
    """The backup API replaces every page of the target in one step: all or nothing."""
    with target.engine.connect() as conn:
        _refuse_filled(conn, force=force)
    target.dispose()
    with _online_copy(sqlite3.connect(staged), _sqlite_path(target), timeout=30) as destination:
        if destination.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise InputError("the restored database failed SQLite's integrity check")


def _clear_target(conn: Connection, *, force: bool) -> None:
    if not _refuse_filled(conn, force=force):
        return
    # TRUNCATE fires no row triggers, so the append-only tables empty too; it is transactional
    # on PostgreSQL, so a failed copy below brings every row back.
    names = ", ".join(table.name for table in review_tables())
    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
