"""``db copy``: a whole workbench moves SQLite -> PostgreSQL -> SQLite with every row and a chain
that still verifies; a refused copy leaves nothing behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.errors import InputError
from ospo_tui.services.database.copy import copy_database
from ospo_tui.services.review.decisions import decide
from tests.reliability_support import fill_workbench, fingerprint, first_open_item
from tests.team_support import ADMIN, REVIEWER


def test_round_trip_sqlite_postgresql_sqlite(tmp_path: Path, pg_url: str) -> None:
    origin = open_database(f"sqlite:///{tmp_path / 'origin.sqlite'}")
    scan_id = fill_workbench(origin)
    before = fingerprint(origin)
    assert before.ok and before.events > 10 and before.rows["decisions"] > 10

    team = Database(pg_url)
    result = copy_database(origin, team, ADMIN)
    assert result.rows == before.rows
    assert fingerprint(team) == before

    # The sequences moved past the copied ids: the team server takes new work at once.
    item_id, version = first_open_item(team, scan_id)
    decide(team, REVIEWER, item_id, version, "MIT", "identified")
    after_team_work = fingerprint(team)
    assert after_team_work.ok and after_team_work.events == before.events + 1

    back = Database(f"sqlite:///{tmp_path / 'back.sqlite'}")
    copy_database(team, back, ADMIN)
    assert fingerprint(back) == after_team_work
    for db in (origin, team, back):
        db.dispose()


def test_refuses_a_target_that_holds_data(db: Database, tmp_path: Path) -> None:
    source = open_database(f"sqlite:///{tmp_path / 'source.sqlite'}")
    fill_workbench(source)
    fill_workbench(db)
    before = fingerprint(db)
    with pytest.raises(InputError, match="target database is not empty"):
        copy_database(source, db, ADMIN)
    assert fingerprint(db) == before
    source.dispose()


def test_a_refused_row_rolls_the_whole_copy_back(tmp_path: Path, pg_url: str) -> None:
    """SQLite stores a NUL in text, PostgreSQL refuses it: the copy fails and leaves no row."""
    path = tmp_path / "origin.sqlite"
    origin = open_database(f"sqlite:///{path}")
    fill_workbench(origin)
    origin.dispose()
    with sqlite3.connect(path) as conn:  # written behind the app's back, as a corrupt file might
        conn.execute("UPDATE projects SET name = 'zlib' || char(0) || 'x'")
    origin = Database(f"sqlite:///{path}")
    team = Database(pg_url)
    with pytest.raises(InputError, match="nothing was written"):
        copy_database(origin, team, ADMIN)
    assert sum(fingerprint(team).rows.values()) == 0
    origin.dispose()
    team.dispose()


def test_a_tampered_chain_is_not_copied(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "origin.sqlite"
    origin = open_database(f"sqlite:///{path}")
    fill_workbench(origin)
    with origin.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    with pytest.raises(InputError, match="does not verify"):
        copy_database(origin, db, ADMIN)
    assert sum(fingerprint(db).rows.values()) == 0
    origin.dispose()


def test_cli_copy(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source = open_database(source_url)
    fill_workbench(source)
    expected = fingerprint(source)
    source.dispose()
    assert main(["--db", source_url, "--user", "root", "db", "copy", "--to", db_url]) == 0
    assert "audit events" in capsys.readouterr().out
    target = Database(db_url)
    assert fingerprint(target) == expected
    target.dispose()
    # Copying again onto the now filled target is one clear line and exit 2.
    assert main(["--db", source_url, "--user", "root", "db", "copy", "--to", db_url]) == 2
    assert "not empty" in capsys.readouterr().err
