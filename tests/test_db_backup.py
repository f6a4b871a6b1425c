"""``db backup`` / ``db restore``: a consistent online backup taken while someone keeps deciding,
restored onto either backend with a chain that verifies; a filled database is only replaced with
--force."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.errors import InputError
from ospo_tui.models import ReviewItem
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.database.backup import backup_database
from ospo_tui.services.database.restore import restore_database
from ospo_tui.services.review.decisions import decide
from tests.conftest import admin_reading
from tests.decision_helpers import events, payload
from tests.reliability_support import fill_workbench, fingerprint
from tests.team_support import ADMIN, REVIEWER, login_url


def _keep_deciding(url: str, scan_id: int, stop: threading.Event, done: list[int]) -> None:
    db = Database(url)
    with db.session() as session:
        ids = list(session.scalars(select(ReviewItem.id).where(ReviewItem.scan_id == scan_id)))
    while not stop.is_set():
        item_id = ids[len(done) % len(ids)]
        decide(db, REVIEWER, item_id, None, "Zlib OR MIT", "identified")
        done.append(item_id)
    db.dispose()


def test_online_backup_while_writing_then_restore(db: Database, tmp_path: Path) -> None:
    scan_id = fill_workbench(db)
    stop, done = threading.Event(), []  # type: ignore[var-annotated]
    writer = threading.Thread(target=_keep_deciding, args=(db.url, scan_id, stop, done))
    writer.start()
    try:
        while len(done) < 5:
            threading.Event().wait(0.01)
        backup = backup_database(db, tmp_path / "backup.ospo", ADMIN)
        after_backup = len(done)
        while len(done) < after_backup + 3:  # the backup left no lock behind: writes go on
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
    # The backup is one consistent moment: a verified chain, behind the live one.
    assert 10 < backup.events < fingerprint(db).events

    # Restore onto a fresh SQLite file (the other backend for the PostgreSQL run).
    target = open_database(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    restored = restore_database(backup.path, target, ADMIN)
    assert (restored.events, restored.head_hash) == (backup.events, backup.head_hash)
    with admin_reading(target) as snapshot:
        assert verify_trail(snapshot).ok
    with admin_reading(db) as snapshot:
        assert verify_trail(snapshot).ok
    target.dispose()


def test_restore_round_trip_same_backend(db: Database, tmp_path: Path) -> None:
    fill_workbench(db)
    before = fingerprint(db)
    backup = backup_database(db, tmp_path / "backup.ospo", ADMIN)
    with pytest.raises(InputError, match="already exists"):
        backup_database(db, backup.path, ADMIN)
    with pytest.raises(InputError, match="not empty.*--force"):
        restore_database(backup.path, db, ADMIN)
    assert fingerprint(db) == before

    decide(db, REVIEWER, 1, None, "MIT", "identified")  # work after the backup...
    assert fingerprint(db).events == before.events + 1
    restore_database(backup.path, db, ADMIN, force=True)  # ...is gone after a forced restore
    assert fingerprint(db) == before
    # The restored database keeps working (ids and sequences are past the restored rows).
    decide(db, REVIEWER, 2, None, "MIT", "identified")
    assert fingerprint(db).ok


def test_restore_refuses_what_is_not_a_backup(db: Database, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 100)
    with pytest.raises(InputError, match="not an ospo-tui backup"):
        restore_database(junk, db, ADMIN)
    with pytest.raises(InputError, match="no such file"):
        restore_database(tmp_path / "missing.ospo", db, ADMIN)
    assert sum(fingerprint(db).rows.values()) == 0


def test_cli_backup_and_restore(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(db_url)
    fill_workbench(db)
    expected = fingerprint(db)
    db.dispose()
    backup = tmp_path / "team.backup"
    as_root = login_url(db_url, "root")
    assert main(["--db", as_root, "--user", "root", "db", "backup", str(backup)]) == 0
    assert "verified" in capsys.readouterr().out
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert main(["--db", fresh, "--user", "root", "db", "restore", str(backup)]) == 0
    restored = Database(fresh)
    after = fingerprint(restored)
    # Everything restored, plus one event saying who restored which chain head.
    assert after.ok and after.events == expected.events + 1
    assert {k: n for k, n in after.rows.items() if k != "audit_events"} == {
        k: n for k, n in expected.rows.items() if k != "audit_events"
    }
    last = events(restored)[-1]
    assert (last.action, last.actor) == ("db.restore", "root")
    assert payload(last)["restored_head_hash"] == expected.head_hash
    restored.dispose()
    assert main(["--db", fresh, "--user", "root", "db", "restore", str(backup)]) == 2
    assert "--force" in capsys.readouterr().err
    # A non-admin may not replace the database.
    code = main(["--db", fresh, "--user", "rita", "db", "restore", "--force", str(backup)])
    assert code == 3
