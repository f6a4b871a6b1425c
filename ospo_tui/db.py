"""Opening the review database: URL resolution, SQLite pragmas, sessions and Alembic upgrades.

Engines are built on demand (never at import time) so tests and the CLI can point at any URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.settings import current_settings

APP_NAME = "ospo-tui"


def default_db_path() -> Path:
    """Where the database lives when no URL is given: the user's data dir, as XDG says."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "ospo-tui.sqlite"


def resolve_db_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``OSPO_TUI_DB``, then a SQLite file in the user's data dir.

    A bare filesystem path is accepted and turned into a SQLite URL.
    """
    raw = explicit or current_settings().db_url or str(default_db_path())
    if "://" not in raw:
        return URL.create(
            "sqlite", database=str(Path(raw).expanduser().absolute())
        ).render_as_string()
    return raw


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The stdlib driver opens transactions lazily; we issue BEGIN IMMEDIATE ourselves so that
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Connection execution option of read-only work (``Database.reader``).
READ_ONLY = "ospo_read_only"


def _sqlite_begin(conn: Connection) -> None:
    # A read takes no lock: in WAL mode a deferred transaction reads one snapshot while writers
    # go on, so a reviewer's screen never waits behind (or stalls) someone's decision.
    read_only = conn.get_execution_options().get(READ_ONLY)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see ``resolve_db_url``); bad URLs and missing drivers are InputError."""
    resolved = resolve_db_url(url)
    try:
        parsed = make_url(resolved)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types here
        raise InputError(f"invalid database URL {resolved!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(resolved, pool_pre_ping=True)
    except Exception as exc:  # noqa: BLE001 - missing driver, bad URL
        raise InputError(f"cannot open database {parsed.render_as_string()}: {exc}") from None


def require_existing(url: str | None) -> None:
    """For commands that only read: a SQLite path that names no file is an error, not a new
    empty database (``audit verify`` on a typo must not answer "ok: 0 events")."""
    parsed = make_url(resolve_db_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if not Path(database).is_file():
        raise NotFoundError(
            f"{database}: no such database (nothing created; 'ospo-tui import' or "
            "'ospo-tui db upgrade' makes one)"
        )


def database_failure(exc: BaseException) -> str | None:
    """The one line to show for a database or migration failure, or None if ``exc`` is not one.

    An unreachable server, a refused login, a permission the login lacks or a schema revision
    this version does not know are the user's to fix: they get a sentence, not a traceback.
    """
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, CommandError):
        return f"schema migration failed: {exc} (is this database from a newer ospo-tui?)"
    if isinstance(exc, DBAPIError):
        lines = str(exc.orig or exc).strip().splitlines()
        line = f"database error: {lines[0] if lines else type(exc.orig).__name__}"
        if "must be owner" in line or "permission denied" in line:
            line += " (schema changes, restores and logins are the owner login's to run)"
        return line
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {str(exc).strip().splitlines()[0]}"
    return None


def is_sqlite(engine: Engine) -> bool:
    """SQLite needs its own locking and batch migrations; callers ask here, not the URL."""
    return engine.dialect.name == "sqlite"


class Database:
    """An engine plus a session factory; the one object services receive."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=False)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The write path: commits on success, rolls back on any exception.

        On SQLite it begins with ``BEGIN IMMEDIATE`` (the write lock), so writers queue on the
        busy timeout instead of failing halfway. Reads use ``reader`` and never take that lock.
        """
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """The read path: one consistent snapshot that neither waits for nor blocks a writer.

        SQLite (WAL): a deferred transaction, which reads one snapshot and takes no lock.
        PostgreSQL: REPEATABLE READ, READ ONLY, so every query of the read (an export's
        pages, a queue window and its count) sees the same state. Never committed: closing
        the session rolls the transaction back, and what it loaded stays readable afterwards.
        """
        options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with self._sessions() as session:
            session.connection(execution_options=options)
            yield session

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (a no-op when it is there)."""
        from ospo_tui.migrate import upgrade_to_head

        upgrade_to_head(self.engine)

    def refresh_statistics(self) -> None:
        """After a bulk write (an import, a scan), let PostgreSQL's planner see the new rows.

        Until autovacuum gets round to it, a freshly filled table plans as if empty: a search
        over 100k paths then walked every row (1.3 s instead of 10 ms). ANALYZE samples each
        table, so it costs about a second whatever the size. Tables a member login does not
        own are skipped with a notice. SQLite plans well enough without statistics.
        """
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        """Close every pooled connection (before a file is copied or a database dropped)."""
        self.engine.dispose()


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """The database the CLI and the TUI work on, at the newest schema unless told otherwise."""
    db = Database(url)
    if upgrade:
        db.upgrade()
    return db
