"""Restoring a backup: checked completely on a private copy first, then swapped in at once.

The backup is copied to a 0600 temporary file, and only that copy is examined: SQLite's
integrity check, a schema revision this version knows, then the audit trail verified by the
same entry point as ``audit verify``. A SQLite target is replaced by renaming the checked copy
over it (``os.replace``), so a refused or killed restore leaves the target's bytes as they were.
A PostgreSQL target is replaced in one transaction, rolled back on any failure.
The ``db.restore`` event records the chain the restore replaced (its length and head), so the
trail says which events a restore threw away.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.migrate import alembic_config, current_revision, upgrade_to_head
from ospo_tui.models import APPEND_ONLY_TABLES
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.reading import reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.database.backup import (
    BackupResult,
    is_backup,
    online_copy,
    sqlite_path,
    sqlite_url,
)
from ospo_tui.services.database.copy import (
    MANAGE_DATABASE,
    check_same_schema,
    copy_rows,
    review_tables,
    row_counts,
    snapshot,
)
from ospo_tui.services.trail.chain import SYSTEM_ACTOR, Actor, append_event, chain_head
from ospo_tui.services.trail.chain import event_count as count_events
from ospo_tui.staging import temporary_next_to


@dataclass(frozen=True)
class _Replaced:
    """The target's chain before the restore: what the db.restore event says was replaced."""

    rows: int
    events: int
    head_hash: str


def _check_staged(staged: Database) -> tuple[int, str]:
    """Integrity, known revision, upgrade, trail: (events, head hash), or InputError."""
    try:
        return _checked(staged)
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        cause = getattr(exc, "orig", None) or exc
        raise InputError(f"the backup fails SQLite's integrity check ({cause})") from None


def _checked(staged: Database) -> tuple[int, str]:
    with staged.engine.connect() as conn:
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        raise InputError(f"the backup fails SQLite's integrity check ({integrity[0][0]})")
    revision = current_revision(staged.engine)
    scripts = ScriptDirectory.from_config(alembic_config(staged.engine))
    try:
        known = revision is not None and scripts.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise InputError(f"the backup is at schema revision {revision!r}, unknown to this version")
    upgrade_to_head(staged.engine)
    with reading(staged, SYSTEM_ACTOR, "the backup", action="verify") as snapshot_:
        result = verify_trail(snapshot_)
    if not result.ok:
        raise InputError(f"the backup's audit trail does not verify ({result.problem})")
    return result.events, result.head_hash


def _replaced(target: Database, *, force: bool) -> _Replaced:
    with target.reader() as session:
        rows = sum(row_counts(session.connection()).values())
        events, (_, head) = count_events(session), chain_head(session)
    if rows and not force:
        raise InputError(
            f"the target database is not empty ({rows} rows): use --force to replace it"
        )
    return _Replaced(rows, events, head)


def _restore_event(
    session: Session, actor: Actor, backup: Path, restored: tuple[int, str], old: _Replaced
) -> None:
    append_event(
        session,
        resolve_actor(session, actor.name),
        "db.restore",
        "database",
        None,
        {
            "backup": backup.name,
            "restored_events": restored[0],
            "restored_head_hash": restored[1],
            "replaced_events": old.events,
            "replaced_head_hash": old.head_hash,
            "replaced_rows": old.rows,
            "forced": old.rows > 0,
        },
    )


def restore_database(
    backup: str | os.PathLike[str],
    target: Database,
    actor: Actor,
    *,
    force: bool = False,
    audited: bool = False,
) -> BackupResult:
    """Replace the contents of ``target`` with the backup (see the module docstring).

    A non-empty target is refused unless ``force``, which only an admin may use. The backup file
    itself is never modified. With ``audited``, the restored trail ends with a ``db.restore``
    event naming who restored which chain head over which one.
    """
    if force:
        require(target, actor, MANAGE_DATABASE, "restore")
    source = Path(backup).absolute()
    if not source.is_file():
        raise InputError(f"{source}: no such file")
    if not is_backup(source):
        raise InputError(f"{source}: not an ospo-tui backup (no SQLite review database)")
    sqlite_target = target.engine.dialect.name == "sqlite"
    beside = sqlite_path(target) if sqlite_target else source
    with temporary_next_to(beside) as temp:
        with online_copy(sqlite3.connect(f"{source.as_uri()}?mode=ro&immutable=1", uri=True), temp):
            pass  # every check below works on this private copy, never on the backup itself
        staged = Database(sqlite_url(temp))
        try:
            restored = _check_staged(staged)
            check_same_schema(staged, target)
            old = _replaced(target, force=force)
            if sqlite_target:
                if audited:
                    with staged.session() as session:
                        _restore_event(session, actor, source, restored, old)
                staged.dispose()
                _swap_sqlite(temp, target)
            else:
                _restore_postgresql(staged, target, (actor, source, restored, old), audited)
        finally:
            staged.dispose()
    with target.reader() as session:
        rows = sum(row_counts(session.connection()).values())
    return BackupResult(path=source, events=restored[0], head_hash=restored[1], rows=rows)


def _swap_sqlite(staged: Path, target: Database) -> None:
    """Rename the checked copy over the target: the old file or the new one, nothing between."""
    path = sqlite_path(target)
    with sqlite3.connect(staged) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename
    conn.close()
    target.dispose()
    live = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:  # fold the WAL into the old file, so no old page outlives the rename
        busy = live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        live.close()
    if busy and busy[0]:
        raise InputError(f"{path} is in use by another process: close it and restore again")
    os.chmod(staged, path.stat().st_mode & 0o777)
    os.replace(staged, path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)


def _restore_postgresql(
    staged: Database,
    target: Database,
    event: tuple[Actor, Path, tuple[int, str], _Replaced],
    audited: bool,
) -> None:
    """One transaction: empty the target, copy the checked rows, record the restore."""
    with snapshot(staged) as src, target.engine.begin() as dst:
        _clear_target(dst)
        copy_rows(src, dst)
        if audited:
            with Session(bind=dst) as session:
                _restore_event(session, *event)
                session.flush()


def _clear_target(conn: Connection) -> None:
    # The append-only tables refuse TRUNCATE (migration 0002); the owner lifts that for this
    # one transaction, which a failed copy below rolls back with everything else.
    guarded: list[Any] = [t.name for t in review_tables() if t.name in APPEND_ONLY_TABLES]
    for name in guarded:
        conn.execute(text(f"ALTER TABLE {name} DISABLE TRIGGER {name}_no_truncate"))
    names = ", ".join(table.name for table in review_tables())
    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    for name in guarded:
        conn.execute(text(f"ALTER TABLE {name} ENABLE TRIGGER {name}_no_truncate"))
