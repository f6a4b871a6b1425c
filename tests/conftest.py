"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when one is available.

``OSPO_TUI_TEST_PG_URL`` names a server (``scripts/test.sh`` starts one); each test gets its own
database there, dropped afterwards. In CI a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, closing
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url

from ospo_tui.db import Database, open_database
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.trail.chain import Actor

DATA_DIR = Path(__file__).parent / "data"
SCANCODE_FIXTURES = DATA_DIR / "scancode"
PG_URL_ENV = "OSPO_TUI_TEST_PG_URL"
TEST_ADMIN = Actor("tester", "admin")


def admin_reading(db: Database) -> AbstractContextManager[Reading]:
    """A checked read for tests about what a service returns, not about who may see it."""
    return reading(db, TEST_ADMIN, "the test's data")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user data dir; the license catalog cache is shared per session."""
    home = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("OSPO_TUI_USER", "tester")
    monkeypatch.delenv("OSPO_TUI_DB", raising=False)


def pg_server_url() -> str | None:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_URL_ENV} is not set in CI: the PostgreSQL server did not start")
        pytest.skip(f"no PostgreSQL server ({PG_URL_ENV} unset)")
    return url


class _SpareDatabases:
    """Test databases cloned from the template one test ahead, on a thread of their own.

    CREATE DATABASE ... TEMPLATE is the server's work (a file copy), so it overlaps the test
    before instead of delaying the next; the drops after each test go the same way. Every
    test still gets a database no other test has touched.
    """

    def __init__(self, server: URL, template: str) -> None:
        self._admin = create_engine(server, isolation_level="AUTOCOMMIT")
        self._template = template
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._drops: list[Future[None]] = []
        self._next = self._thread.submit(self._create)

    def _sql(self, statement: str) -> None:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(statement)

    def _create(self) -> str:
        name = f"ospo_test_{uuid.uuid4().hex[:12]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return name

    def _drop(self, name: str) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        """A fresh database's name; the next one starts being made at once."""
        name = self._next.result()
        self._next = self._thread.submit(self._create)
        return name

    def give_back(self, name: str) -> None:
        self._drops.append(self._thread.submit(self._drop, name))

    def close(self) -> None:
        """Drop the spare and wait for every drop (a failed one fails here, not silently)."""
        try:
            self.give_back(self._next.result())
            for drop in self._drops:
                drop.result()
        finally:
            self._thread.shutdown()
            self._admin.dispose()


@pytest.fixture(scope="session")
def _pg_databases() -> Iterator[_SpareDatabases]:
    """A database migrated to head once per run; each test's database is cloned from it.

    CREATE DATABASE ... TEMPLATE copies files, which is much faster than migrating every time.
    """
    server = make_url(pg_server_url())
    name = f"ospo_tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    template = Database(server.set(database=name).render_as_string(hide_password=False))
    template.upgrade()
    template.dispose()  # a template must have no open connections when it is copied
    spares = _SpareDatabases(server, name)
    try:
        yield spares
    finally:
        try:
            spares.close()
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


@pytest.fixture
def pg_url(_pg_databases: _SpareDatabases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database at the newest schema and with no rows, dropped after the test.

    On PostgreSQL the acting name is the login, so the CLI's user is the server's login here.
    """
    server = make_url(pg_server_url())
    monkeypatch.setenv("OSPO_TUI_USER", str(server.username))
    name = _pg_databases.take()
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _pg_databases.give_back(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'review.sqlite'}"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; the upgraded SQLite fixtures copy it.

    A file copy takes milliseconds where the migrations take about half a second, and the
    copy is what the migrations wrote: ``open_database`` finds it at head and does nothing.
    """
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite"
    template = open_database(f"sqlite:///{path}")
    template.dispose()
    with closing(sqlite3.connect(path)) as conn:  # everything into the main file, WAL empty
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def migrated_sqlite(template: Path, url: str) -> Database:
    """The database at ``url`` (a SQLite file not yet there), at head, from the template."""
    shutil.copyfile(template, make_url(url).database or "")
    return open_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An upgraded database on each backend."""
    if db_url.startswith("sqlite"):
        database = migrated_sqlite(request.getfixturevalue("_sqlite_template"), db_url)
    else:
        database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str, _sqlite_template: Path) -> Iterator[Database]:
    """An upgraded SQLite database, for tests where the backend does not matter."""
    database = migrated_sqlite(_sqlite_template, sqlite_url)
    yield database
    database.dispose()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``) the tests of a module that shares a
    module-scoped fixture (a built wheel, a full scan, a Dask cluster) run on one worker, so
    that setup is made once, not once per worker."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info else ()
        if any(d.scope == "module" for chain in defs for d in chain):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
