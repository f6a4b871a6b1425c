"""kill -9 in the middle of ``ospo-tui scan``: nothing half-written is visible, and a rerun resumes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from scan_support import findings_by_path
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ospo_tui.db import open_database
from ospo_tui.models import Scan, ScanResultCache
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.scanning.runner import ScanRequest, run_scan
from ospo_tui.services.trail.chain import Actor

DATA = Path(__file__).parents[1] / "ospo_tui" / "data"


def cached_results(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(ScanResultCache)) or 0
    except OperationalError:  # the scan process is still creating the schema
        return 0
    finally:
        db.dispose()


def test_a_killed_scan_leaves_no_scan_and_the_rerun_reuses_finished_files(tmp_path: Path) -> None:
    tree = tmp_path / "sample"
    shutil.copytree(DATA / "sample", tree)
    db_path = tmp_path / "review.sqlite"
    command = [sys.executable, "-m", "ospo_tui", "--db", str(db_path), "scan", str(tree)]
    process = subprocess.Popen(
        [*command, "--processes", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "OSPO_TUI_USER": "tester"},
    )
    try:
        deadline = time.monotonic() + 120
        while cached_results(db_path) < 5:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the scan stored no results in two minutes"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finished = cached_results(db_path)
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Scan)) == 0
        assert 5 <= finished < 43

        summary = run_scan(
            db, ScanRequest(root=str(tree), project="sample", processes=2), Actor("tester", "admin")
        )
        assert (summary.files, summary.reused, summary.scanned) == (43, finished, 43 - finished)
        imported = import_scan_file(
            db, DATA / "sample-scan.json", project="cli", actor=Actor("tester", "admin")
        )
        assert findings_by_path(db, summary.scan_id) == findings_by_path(db, imported.scan_id)
    finally:
        db.dispose()
