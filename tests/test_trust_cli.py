"""Admin commands that could destroy data, and the CLI's failures, on both backends.

``db downgrade`` is refused to non-admins, refused without --force when it would drop data, and
audited; a read command on a missing SQLite file creates nothing; an unreachable server or an
unknown schema revision is one line, never a traceback. Events say where they came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.migrate import current_revision, head_revision
from ospo_tui.services.audit.verify import verify_trail
from tests.conftest import admin_reading
from tests.decision_helpers import events, payload
from tests.reliability_support import fill_workbench, fingerprint
from tests.team_support import login_url


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("ospo-tui: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_downgrade_is_admin_only_refuses_data_loss_and_is_audited(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(db_url)
    fill_workbench(db)  # root is the admin, rita a reviewer
    before = fingerprint(db)
    db.dispose()
    as_rita, as_root = login_url(db_url, "rita"), login_url(db_url, "root")
    assert main(["--db", as_rita, "--user", "rita", "db", "downgrade", "base", "--force"]) == 3
    assert "may not manage database" in _one_line_error(capsys)
    assert main(["--db", as_root, "--user", "root", "db", "downgrade", "base"]) == 2
    assert "--force" in _one_line_error(capsys)
    assert main(["--db", as_root, "--user", "root", "db", "downgrade", "nosuch"]) == 2
    assert "unknown schema revision" in _one_line_error(capsys)
    db = Database(db_url)
    assert current_revision(db.engine) == head_revision(db.engine)
    after = fingerprint(db)
    assert after.ok and after.rows["decisions"] == before.rows["decisions"]
    assert events(db)[-1].action == "access.denied"  # rita's refusal is on the record
    db.dispose()

    assert main(["--db", as_root, "--user", "root", "db", "downgrade", "0001", "--force"]) == 0
    db = Database(db_url)
    assert current_revision(db.engine) == "0001"
    with db.reader() as session:
        action, body = session.execute(
            text("SELECT action, payload FROM audit_events ORDER BY seq DESC LIMIT 1")
        ).one()
    assert action == "db.downgrade" and '"to":"0001"' in body
    db.upgrade()
    db.dispose()


READ_COMMANDS = [
    ["audit", "verify"],
    ["audit", "log"],
    ["projects"],
    ["queue"],
    ["scans"],
    ["questions"],
    ["members", "list"],
    ["db", "info"],
    ["db", "downgrade", "base"],
    ["export", "spdx", "-o", "out.spdx.json"],
]


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_read_command_on_a_missing_sqlite_file_creates_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "sub" / "typo.sqlite"
    assert main(["--db", str(missing), *argv]) == 2
    assert "no such database" in _one_line_error(capsys)
    assert not (tmp_path / "sub").exists() and not list(tmp_path.iterdir())


def test_an_unreachable_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    assert main(["--db", url, "projects"]) == 2
    assert "database error" in _one_line_error(capsys)


def test_an_unknown_schema_revision_is_one_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9f1c2e7a0b3d'"))
    db.dispose()
    assert main(["--db", db_url, "projects"]) == 2
    assert "9f1c2e7a0b3d" in _one_line_error(capsys)
    assert main(["--db", db_url, "db", "upgrade"]) == 2
    _one_line_error(capsys)


def test_events_record_where_they_came_from_and_the_hash_covers_it(db_url: str) -> None:
    db = open_database(db_url)
    fill_workbench(db)
    last = events(db)[-1]
    assert last.os_user and last.host
    assert (last.db_login is None) == db_url.startswith("sqlite")
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER ALL")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.execute(
            text("UPDATE audit_events SET host = 'elsewhere' WHERE seq = :s"), {"s": last.seq}
        )
    with admin_reading(db) as snapshot:
        result = verify_trail(snapshot)
    assert result.first_break is not None and result.first_break.seq == last.seq
    assert payload(last) is not None
    db.dispose()


def _tamper(db: Database) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER ALL")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'forger' WHERE seq = 2")


def test_copy_and_backup_never_call_a_rejected_trail_verified(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(db_url)
    fill_workbench(db)
    _tamper(db)
    db.dispose()
    as_root = login_url(db_url, "root")
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    assert main(["--db", as_root, "--user", "root", "db", "copy", "--to", target]) == 2
    assert "does not verify" in _one_line_error(capsys)
    backup = tmp_path / "b.backup"
    assert main(["--db", as_root, "--user", "root", "db", "backup", str(backup)]) == 2
    assert "does not verify" in _one_line_error(capsys)
    assert not backup.exists() and not list(tmp_path.glob(".b.backup.*"))
    copied = Database(target)
    assert fingerprint(copied).events == 0
    copied.dispose()


def test_an_export_removes_what_a_killed_one_left_and_writes_privately(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = open_database(sqlite_url)
    fill_workbench(db)
    db.dispose()
    target = tmp_path / "log.json"
    leftover = tmp_path / ".log.json.4242.partial"
    leftover.write_text('{"half": ')
    argv = ["--db", sqlite_url, "--user", "rita", "export", "decision-log", "-o", str(target)]
    assert main([*argv, "--include-private"]) == 0
    assert not leftover.exists() and target.is_file()
    assert target.stat().st_mode & 0o077 == 0  # it may hold private comments
