"""Moving a whole review database to another backend (SQLite <-> PostgreSQL), chain intact.

Tables are copied verbatim in foreign-key order, ids included, from one consistent snapshot of
the source into one transaction on the target; the audit chain hashes text and integers only, so
it verifies the same on either backend. The target is verified before the commit: a copy that
would not verify is rolled back, never left half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.migrate import current_revision, head_revision, upgrade_to_head
from ospo_tui.models import Base
from ospo_tui.models.search import is_search_table
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.trail.chain import SYSTEM_ACTOR, Actor

BATCH_ROWS = 5000
ALEMBIC_TABLE = "alembic_version"

CopyProgress = Callable[[str, int], None]  # (table name, rows copied so far)

# Copying, backing up and restoring hand over every private comment: an action no role is given,
# so only admins may do it.
MANAGE_DATABASE = "manage_database"


@dataclass(frozen=True)
class CopyResult:
    rows: dict[str, int]  # table name -> rows copied
    events: int
    head_hash: str

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def review_tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def row_counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: conn.scalar(select(func.count()).select_from(table)) or 0
        for table in review_tables()
    }


def _sqlite_reader(connection: Any, _record: Any) -> None:
    connection.isolation_level = None  # we issue BEGIN ourselves
    connection.execute("PRAGMA busy_timeout=30000")


def _sqlite_deferred_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of ``db`` while others keep writing.

    PostgreSQL: REPEATABLE READ, READ ONLY. SQLite in WAL mode: a deferred read transaction sees
    one snapshot from its first read on; our engine's ``BEGIN IMMEDIATE`` would block writers
    for the whole copy, so reads go through a small engine of their own.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as conn:
            with conn.begin():
                yield conn
        return
    reader = create_engine(db.engine.url, connect_args={"timeout": 30}, poolclass=NullPool)
    event.listen(reader, "connect", _sqlite_reader)
    event.listen(reader, "begin", _sqlite_deferred_begin)
    try:
        with reader.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT count(*) FROM {ALEMBIC_TABLE}").fetchall()
            yield conn
    finally:
        reader.dispose()


def check_same_schema(source: Database, target: Database) -> None:
    head = head_revision(source.engine)
    source_rev = current_revision(source.engine)
    if source_rev != head:
        raise InputError(
            f"the source database is at schema revision {source_rev or 'none'}, not {head}: "
            "run 'ospo-tui --db SOURCE db upgrade' first"
        )
    upgrade_to_head(target.engine)
    known = {t.name for t in review_tables()} | {ALEMBIC_TABLE}
    for db, side in ((source, "source"), (target, "target")):
        tables = set(inspect(db.engine).get_table_names())
        unknown = sorted(t for t in tables - known if not is_search_table(t))
        if unknown:
            raise InputError(
                f"the {side} database has tables this version does not know: {unknown}"
            )


def _check_empty(conn: Connection) -> None:
    filled = {name: n for name, n in row_counts(conn).items() if n}
    if filled:
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(filled.items()))
        raise InputError(f"the target database is not empty: {listed}")


def _copy_table(
    source: Connection, target: Connection, table: Table, progress: CopyProgress | None
) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = source.execute(
        select(*table.columns).order_by(*order).execution_options(yield_per=BATCH_ROWS)
    )
    copied = 0
    for batch in result.mappings().partitions(BATCH_ROWS):
        target.execute(table.insert(), [dict(row) for row in batch])
        copied += len(batch)
        if progress is not None:
            progress(table.name, copied)
    return copied


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL sequences do not move when ids are inserted explicitly; move them past max(id)."""
    if conn.dialect.name != "postgresql":
        return
    for table in review_tables():
        if "id" not in table.c:
            continue
        conn.execute(
            text(
                f"SELECT setval(seq, coalesce((SELECT max(id) FROM {table.name}), 1), "
                f"(SELECT max(id) FROM {table.name}) IS NOT NULL) "
                "FROM pg_get_serial_sequence(:table, 'id') AS seq WHERE seq IS NOT NULL"
            ),
            {"table": table.name},
        )


def copy_rows(
    source: Connection, target: Connection, progress: CopyProgress | None = None
) -> CopyResult:
    """Copy every table from ``source`` into the empty ``target`` (both already in a
    transaction), then check the target's chain matches the source's. Raises on any mismatch."""
    _check_empty(target)
    rows = {table.name: _copy_table(source, target, table, progress) for table in review_tables()}
    reset_sequences(target)
    with Session(bind=source) as session:
        # What ``audit verify`` checks, so that "verified" never covers a trail it rejects.
        expected = verify_trail(Reading(session, SYSTEM_ACTOR))
    if not expected.ok:
        raise InputError(f"the source's audit trail does not verify ({expected.problem})")
    with Session(bind=target) as session:
        copied = verify_trail(session)
    if not copied.ok:
        raise InputError(f"the copied audit trail does not verify ({copied.problem})")
    if (copied.events, copied.head_hash) != (expected.events, expected.head_hash):
        raise InputError(
            f"the copied audit chain differs from the source: {copied.events} events ending "
            f"{copied.head_hash[:12]}, expected {expected.events} ending {expected.head_hash[:12]}"
        )
    counts = row_counts(target)
    if counts != rows:
        raise InputError(f"row counts differ after the copy: {counts} != {rows}")
    return CopyResult(rows=rows, events=copied.events, head_hash=copied.head_hash)


def copy_database(
    source: Database, target: Database, actor: Actor, *, progress: CopyProgress | None = None
) -> CopyResult:
    """``db copy``: the whole source into an empty target at the same schema revision.

    One transaction on the target; on any failure nothing is left there. Admins only.
    """
    require(source, actor, MANAGE_DATABASE, "copy")
    if source.url == target.url:
        raise InputError("the source and the target are the same database")
    check_same_schema(source, target)
    try:
        with snapshot(source) as src, target.engine.begin() as dst:
            return copy_rows(src, dst, progress)
    except DBAPIError as exc:
        first = str(exc.orig or exc).strip().splitlines()
        raise InputError(
            f"the target refused the copy, nothing was written: {first[0] if first else exc}"
        ) from None
