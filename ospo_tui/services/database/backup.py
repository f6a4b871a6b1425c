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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ospo_tui.db import Database, resolve_db_url
from ospo_tui.errors import InputError
from ospo_tui.migrate import upgrade_to_head
from ospo_tui.services.access.reading import reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.database.copy import (
    ALEMBIC_TABLE,
    MANAGE_DATABASE,
    check_same_schema,
    copy_rows,
    row_counts,
    snapshot,
)
from ospo_tui.services.trail.chain import SYSTEM_ACTOR, Actor
from ospo_tui.staging import temporary_next_to


@dataclass(frozen=True)
class BackupResult:
    path: Path
    events: int
    head_hash: str
    rows: int


def sqlite_path(db: Database) -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise InputError("an in-memory database cannot be backed up or restored")
    return Path(database)


@contextmanager
def online_copy(
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


def sqlite_url(path: Path) -> str:
    return resolve_db_url(str(path))


def _verified(path: Path) -> tuple[int, str, int]:
    """(events, head hash, rows) of a backup file; InputError unless ``audit verify`` would
    accept its trail, so that "verified" means what it says."""
    db = Database(sqlite_url(path))
    try:
        with reading(db, SYSTEM_ACTOR, "the backup", action="verify") as snapshot_:
            result = verify_trail(snapshot_)
            rows = sum(row_counts(snapshot_.session.connection()).values())
    finally:
        db.dispose()
    if not result.ok:
        raise InputError(f"the audit trail does not verify, no backup written ({result.problem})")
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
    with temporary_next_to(path) as temp:
        if db.engine.dialect.name == "sqlite":
            with online_copy(sqlite3.connect(sqlite_path(db), timeout=30), temp) as copy:
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        else:
            backup = Database(sqlite_url(temp))
            try:
                upgrade_to_head(backup.engine)
                check_same_schema(db, backup)
                with snapshot(db) as src, backup.engine.begin() as dst:
                    copy_rows(src, dst)
            finally:
                backup.dispose()
        events, head_hash, rows = _verified(temp)
        with sqlite3.connect(temp) as conn:  # opening it above turned WAL on again
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        os.replace(temp, path)
    return BackupResult(path=path, events=events, head_hash=head_hash, rows=rows)


def is_backup(path: Path) -> bool:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (ALEMBIC_TABLE,)
            ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return found is not None
