"""kill -9 mid-way through an import, a scan, a bulk decision and an export, on both backends.

Each case starts the real CLI in its own process group, waits until it is visibly half done
(the database grew inside an open write transaction, scan results are being cached, or the
export's temporary file is filling), kills the whole group, then checks: no partial data is
visible, the audit chain verifies, and a rerun completes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from benchmarks.synthetic_scan import write_synthetic_scan
from ospo_tui.db import Database
from ospo_tui.models import Decision, ReviewItem, Scan, ScannedFile, ScanResultCache
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor
from tests.conftest import admin_reading
from tests.team_support import login_url

ADMIN = Actor("tester", "admin")
SAMPLE_TREE = Path(__file__).parents[1] / "ospo_tui" / "data" / "sample"
FILES = 10_000
SCANNED = 12
GROWTH = 1 << 20  # bytes written inside the open transaction before we pull the plug


@pytest.fixture(scope="module")
def big_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "big-scan.json"
    write_synthetic_scan(path, FILES)
    return path


def cli(db: Database, *args: str) -> list[str]:
    url = login_url(db.url, "tester")  # on PostgreSQL the name is the login
    return [sys.executable, "-m", "ospo_tui", "--db", url, "--user", "tester", *args]


def written_bytes(db: Database) -> int:
    """How much the database has grown: the SQLite WAL, or PostgreSQL's files on disk
    (uncommitted rows extend the tables at once)."""
    if db.engine.dialect.name == "sqlite":
        wal = Path(f"{db.engine.url.database}-wal")
        return wal.stat().st_size if wal.exists() else 0
    with db.engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)


def writing(db: Database) -> bool:
    """Another connection holds an open write transaction right now."""
    if db.engine.dialect.name == "sqlite":
        probe = sqlite3.connect(str(db.engine.url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": the writer is mid-transaction
            return True
        finally:
            probe.close()
    with db.engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                )
            )
        )


def midway(db: Database, start: int) -> Callable[[int], bool]:
    """Grown by GROWTH bytes, with the transaction that wrote them still open (not committed)."""
    return lambda _pid: written_bytes(db) > start + GROWTH and writing(db)


def read_position(pid: int, path: Path) -> int:
    """How far process ``pid`` has read the open file ``path`` (0 if it has not opened it)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        for fd in fds.iterdir():
            if os.path.realpath(fd) == str(path.resolve()):
                info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
                return int(info.split("pos:", 1)[1].split()[0])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        pass
    return 0


def with_descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, pending = [], [pid]
    while pending:
        found.append(pending.pop())
        try:
            children = Path(f"/proc/{found[-1]}/task/{found[-1]}/children").read_text()
        except OSError:
            continue
        pending.extend(map(int, children.split()))
    return found


def importing_past_half(db: Database, scan_file: Path) -> Callable[[int], bool]:
    """The import has read half its input, inside its open write transaction. The reader is
    the importer or, for a scan this large, its parse worker (a batch or two ahead of the
    writes). (The growth of SQLite's WAL is no sign: the import's 32 MB page cache holds a
    small scan's pages until the commit, and a kill on that sign landed after it.)"""
    half = scan_file.stat().st_size // 2
    return lambda pid: (
        max(read_position(p, scan_file) for p in with_descendants(pid)) > half and writing(db)
    )


def settle(db: Database) -> None:
    """Start from an empty WAL, so growth means the process under test is writing."""
    db.dispose()
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(str(db.engine.url.database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def kill_midway(command: list[str], midway: Callable[[int], bool], timeout: float = 120) -> None:
    """Run ``command`` until ``midway(its pid)`` holds, then SIGKILL its whole process group."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "OSPO_TUI_USER": "tester"},
    )
    deadline = time.monotonic() + timeout
    try:
        while not midway(process.pid):
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(
                    f"the process ended (exit {process.returncode}) before mid-way: {error}"
                )
            assert time.monotonic() < deadline, "the process never got mid-way"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the process finished before the kill"


def count(db: Database, model: type, *where: object) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def make_tester_admin(db: Database) -> None:
    """The CLI's first user becomes admin in a transaction of its own; do it up front so the
    event counts below are exact."""
    with db.session() as session:
        resolve_actor(session, ADMIN.name)


def assert_chain_verifies(db: Database) -> int:
    with admin_reading(db) as snapshot:
        result = verify_trail(snapshot)
    assert result.ok, result.first_break
    return result.events


def test_killed_import(db: Database, big_scan: Path) -> None:
    make_tester_admin(db)
    assert_chain_verifies(db)
    kill_midway(
        cli(db, "import", str(big_scan), "--project", "big"), importing_past_half(db, big_scan)
    )
    assert count(db, Scan) == 0 and count(db, ScannedFile) == 0 and count(db, ReviewItem) == 0
    events = assert_chain_verifies(db)

    result = import_scan_file(db, big_scan, project="big", actor=ADMIN)
    assert result.files == count(db, ReviewItem) >= FILES
    assert assert_chain_verifies(db) > events


def test_killed_bulk_decision_then_killed_export(
    db: Database, big_scan: Path, tmp_path: Path
) -> None:
    make_tester_admin(db)
    files = import_scan_file(db, big_scan, project="big", actor=ADMIN).files
    events = assert_chain_verifies(db)
    bulk = ("bulk", "--glob", "*", "--license", "MIT", "--type", "identified", "--yes")

    settle(db)
    start = written_bytes(db)
    kill_midway(cli(db, *bulk), midway(db, start))
    assert count(db, Decision) == 0
    assert count(db, ReviewItem, ReviewItem.state != "open") == 0
    assert assert_chain_verifies(db) == events

    assert subprocess.run(cli(db, *bulk), capture_output=True, check=False).returncode == 0
    assert count(db, Decision) == count(db, ReviewItem, ReviewItem.state == "decided") == files
    events = assert_chain_verifies(db)

    target = tmp_path / "out" / "bom.spdx.json"
    target.parent.mkdir()

    def partial_file_growing(_pid: int) -> bool:
        return any(p.stat().st_size > 256 * 1024 for p in target.parent.glob(".*partial"))

    kill_midway(cli(db, "export", "spdx", "-o", str(target)), partial_file_growing)
    assert not target.exists()  # never a half-written export under the real name
    assert assert_chain_verifies(db) == events

    done = subprocess.run(cli(db, "export", "spdx", "-o", str(target)), capture_output=True)
    assert done.returncode == 0, done.stderr
    document = json.loads(target.read_text())
    assert len(document["files"]) >= files
    assert assert_chain_verifies(db) > events


def test_killed_scan(db: Database, tmp_path: Path) -> None:
    make_tester_admin(db)
    # The twelve smallest files of the bundled sample: ScanCode's start-up dominates anyway.
    tree = tmp_path / "sample"
    smallest = sorted(
        (p for p in SAMPLE_TREE.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size
    )[:SCANNED]
    for source in smallest:
        copy = tree / source.relative_to(SAMPLE_TREE)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
    kill_midway(
        cli(db, "scan", str(tree), "--project", "sample", "--processes", "1"),
        # The first result is stored on its own (ScanCode's start-up outlasts the 2 s between
        # stores); the rest wait for the next store, which for twelve small files can be the
        # last one, right before the publish: waiting for two raced the publish.
        lambda _pid: count(db, ScanResultCache) >= 1,
        timeout=240,
    )
    assert count(db, Scan) == 0 and count(db, ScannedFile) == 0
    events = assert_chain_verifies(db)
    done = subprocess.run(
        cli(db, "scan", str(tree), "--project", "sample", "--processes", "2"), capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert count(db, Scan, Scan.state == "complete") == 1
    assert count(db, ReviewItem) == SCANNED
    assert assert_chain_verifies(db) > events
