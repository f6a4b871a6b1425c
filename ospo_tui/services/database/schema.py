"""Schema downgrades: admins only, audited, and never dropping data unless told to.

A downgrade drops what the newer revisions added: to ``base`` every table, to an older
revision its columns (0002's event origin fields, whose loss also breaks the hashes of every
event that recorded them). So a database holding rows is refused without ``force``, and the
``db.downgrade`` event is appended first: it survives a partial downgrade, and to ``base``
nothing survives anyway.
"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.migrate import alembic_config, current_revision, downgrade_to
from ospo_tui.services.access.roles import require
from ospo_tui.services.database.copy import MANAGE_DATABASE, review_tables, row_counts
from ospo_tui.services.trail.chain import Actor, append_event

BASE = "base"


def checked_target(db: Database, revision: str) -> str:
    """``revision`` if it is ``base`` or a revision older than the database's; else InputError."""
    current = current_revision(db.engine)
    if current is None:
        raise InputError("the database has no schema to downgrade")
    if revision == BASE:
        return revision
    scripts = ScriptDirectory.from_config(alembic_config(db.engine))
    try:
        found = scripts.get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        raise InputError(f"unknown schema revision {revision!r} (see 'ospo-tui db info')")
    older = {script.revision for script in scripts.iterate_revisions(current, BASE)}
    if found.revision == current or found.revision not in older:
        raise InputError(f"the database is at {current}: {revision} is not older")
    return found.revision


def _rows(db: Database) -> int:
    present = set(inspect(db.engine).get_table_names())
    if not {table.name for table in review_tables()} <= present:
        return 0  # a partly downgraded schema: the ORM tables cannot all be counted
    with db.reader() as session:
        return sum(row_counts(session.connection()).values())


def downgrade_database(db: Database, actor: Actor, revision: str, *, force: bool = False) -> str:
    """Downgrade to ``revision`` (admins only); returns the revision it started from."""
    require(db, actor, MANAGE_DATABASE, f"downgrade to {revision}")
    target = checked_target(db, revision)
    current = current_revision(db.engine) or BASE
    rows = _rows(db)
    if rows and not force:
        raise InputError(
            f"downgrading to {target} drops data held in {rows} rows and breaks the audit "
            "trail: take a backup first ('ospo-tui db backup FILE'), then use --force"
        )
    if rows:
        with db.session() as session:
            append_event(
                session,
                actor,
                "db.downgrade",
                "database",
                None,
                {"from": current, "to": target, "rows": rows, "forced": force},
            )
    db.dispose()
    downgrade_to(db.engine, target)
    return current
