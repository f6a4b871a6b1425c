"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when one is available.

``OSPO_TUI_TEST_PG_URL`` names a server (``scripts/test.sh`` starts one); each test gets its own
database there, dropped afterwards. In CI a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

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


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
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
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_url(_pg_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database at the newest schema and with no rows, dropped after the test.

    On PostgreSQL the acting name is the login, so the CLI's user is the server's login here.
    """
    server = make_url(pg_server_url())
    monkeypatch.setenv("OSPO_TUI_USER", str(server.username))
    name = f"ospo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'review.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An upgraded database on each backend."""
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """An upgraded SQLite database, for tests where the backend does not matter."""
    database = open_database(sqlite_url)
    yield database
    database.dispose()
