"""kill -9 in the middle of ``ospo-tui scan``: nothing half-written is visible, and a rerun resumes."""

from __future__ import annotations

import shutil
from pathlib import Path

from scan_support import cached_results, findings_by_path, scan_killed_after
from sqlalchemy import func, select

from ospo_tui.db import open_database
from ospo_tui.models import Scan
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.scanning.runner import ScanRequest, run_scan
from ospo_tui.services.trail.chain import Actor

DATA = Path(__file__).parents[1] / "ospo_tui" / "data"


def test_a_killed_scan_leaves_no_scan_and_the_rerun_reuses_finished_files(tmp_path: Path) -> None:
    tree = tmp_path / "sample"
    shutil.copytree(DATA / "sample", tree)
    db_path = tmp_path / "review.sqlite"
    scan_killed_after(tree, db_path, 5, "--processes", "1")
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
