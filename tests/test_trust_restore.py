"""``db restore`` checks the whole backup on a private copy before it touches the target.

Tampered, corrupt and foreign backups, and a restore killed half-way, leave a SQLite target's
bytes unchanged (a PostgreSQL target's rows and chain); a restore that goes through records the
chain it replaced. Leftover temporary files are removed by the next run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.services.database.backup import backup_database
from tests.decision_helpers import events, payload
from tests.reliability_support import Fingerprint, fill_workbench, fingerprint
from tests.team_support import ADMIN, login_url


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One verified backup of a filled workbench, shared by the tests (copied before changes)."""
    folder = tmp_path_factory.mktemp("backup")
    db = open_database(f"sqlite:///{folder / 'source.sqlite'}")
    fill_workbench(db)
    result = backup_database(db, folder / "good.backup", ADMIN)
    db.dispose()
    return result.path


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def _tampered(good: Path, folder: Path) -> Path:
    """An edited event in the backup, triggers dropped first as a forger would."""
    path = _copy(good, folder / "tampered.backup")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET actor = 'forger' WHERE seq = 3")
    conn.close()
    return path


def _corrupt(good: Path, folder: Path) -> Path:
    """Bytes flipped in the middle of the file: still a SQLite header, broken pages."""
    data = bytearray(good.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 4096, 7):
        data[offset] ^= 0xFF
    path = folder / "corrupt.backup"
    path.write_bytes(bytes(data))
    return path


def _foreign(_good: Path, folder: Path) -> Path:
    """Another application's SQLite database that also uses Alembic."""
    path = folder / "foreign.backup"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('9f1c2e7a0b3d')")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.close()
    return path


@pytest.fixture
def filled(db_url: str) -> tuple[str, Fingerprint]:
    db = open_database(db_url)
    fill_workbench(db)
    before = fingerprint(db)
    db.dispose()
    return login_url(db_url, "root"), before


def _target_bytes(url: str) -> bytes | None:
    if not url.startswith("sqlite"):
        return None
    Database(url).dispose()
    return Path(url.removeprefix("sqlite:///")).read_bytes()


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_tampered, "does not verify"),
        (_corrupt, "integrity check"),
        (_foreign, "unknown to this version"),
    ],
)
def test_a_refused_restore_leaves_the_target_as_it_was(
    filled: tuple[str, Fingerprint],
    good_backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: object,
    problem: str,
) -> None:
    url, before = filled
    bad = make(good_backup, tmp_path)  # type: ignore[operator]
    original = _target_bytes(url)
    assert main(["--db", url, "--user", "root", "db", "restore", "--force", str(bad)]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1, err
    assert _target_bytes(url) == original
    db = Database(url)
    assert fingerprint(db) == before
    db.dispose()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".part", "-wal", "-journal"))]


def test_a_restore_records_the_chain_it_replaced(
    filled: tuple[str, Fingerprint], good_backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, before = filled
    assert main(["--db", url, "--user", "root", "db", "restore", "--force", str(good_backup)]) == 0
    assert "verified" in capsys.readouterr().out
    db = Database(url)
    last = events(db)[-1]
    assert (last.action, last.actor) == ("db.restore", "root")
    assert payload(last)["replaced_events"] == before.events
    assert payload(last)["replaced_head_hash"] == before.head_hash
    assert fingerprint(db).ok
    db.dispose()


def test_a_killed_restore_leaves_the_target_and_the_next_run_cleans_up(
    sqlite_url: str, good_backup: Path, tmp_path: Path
) -> None:
    db = open_database(sqlite_url)
    fill_workbench(db)
    db.dispose()
    target = Path(sqlite_url.removeprefix("sqlite:///"))
    original = _target_bytes(sqlite_url)
    argv = ["--db", sqlite_url, "--user", "root", "db", "restore", "--force", str(good_backup)]
    process = subprocess.Popen([sys.executable, "-m", "ospo_tui", *argv])
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(f".{target.name}.*.part")) and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the restore ended before its temporary copy was seen")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _target_bytes(sqlite_url) == original
    leftovers = list(tmp_path.glob(f".{target.name}.*.part"))
    assert leftovers and all(p.stat().st_mode & 0o077 == 0 for p in leftovers)
    # The next run (refused here: no --force) removes what the killed one left.
    assert main(argv[:-2] + [str(good_backup)]) == 2
    assert not list(tmp_path.glob(f".{target.name}.*.part*"))
    assert _target_bytes(sqlite_url) == original


def test_backups_are_private_and_admin_only(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(sqlite_url)
    fill_workbench(db)
    db.dispose()
    backup = tmp_path / "team.backup"
    assert main(["--db", sqlite_url, "--user", "rita", "db", "backup", str(backup)]) == 3
    assert not backup.exists()
    (tmp_path / ".team.backup.abc123.part").write_bytes(b"left by a killed backup")
    assert main(["--db", sqlite_url, "--user", "root", "db", "backup", str(backup)]) == 0
    assert backup.stat().st_mode & 0o077 == 0  # it holds every private comment
    assert not list(tmp_path.glob(".team.backup.*"))
