"""Dashboard figures on a real ScanCode scan: every bar's count equals the queue behind it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from ospo_tui.models import ReviewItem
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.policy.versions import load_policy, policy_in_force
from ospo_tui.services.review.dashboard import dashboard
from ospo_tui.services.review.queue import QueueFilter, queue_count, queue_page
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES, admin_reading

ADMIN = Actor("tester", "admin")
PYTHON_LIBS = SCANCODE_FIXTURES / "python-libs-boolean-license_expression-click_v32.5.0.json"
POLICY = """\
license_policies:
  - {license_key: mit, label: Approved, compliance_alert: ''}
  - {license_key: bsd-simplified, label: Approved, compliance_alert: ''}
  - {license_key: GPL-2.0-only, label: Prohibited, compliance_alert: error}
  - {license_key: lgpl-2.1, label: Restricted, compliance_alert: warning}
"""


def test_every_bar_filters_the_queue_to_its_count(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scan_id = import_scan_file(db, PYTHON_LIBS, project="libs", actor=ADMIN).scan_id
    policy_file = tmp_path / "policies.yml"
    policy_file.write_text(POLICY, encoding="utf-8")
    load_policy(db, ADMIN, policy_file)
    with admin_reading(db) as snapshot:
        first = queue_page(snapshot, QueueFilter(scan_id=scan_id), limit=3)
    with db.session() as session:
        # Decide two files and send one to discussion, so progress has several states.
        for row, state in zip(first, ("decided", "decided", "to_discuss"), strict=True):
            session.execute(update(ReviewItem).where(ReviewItem.id == row.id).values(state=state))
    with admin_reading(db) as snapshot:
        board = dashboard(snapshot, scan_id, policy_in_force(snapshot.session))
        base = QueueFilter(scan_id=scan_id)
        bars = board.progress + board.alerts + board.licenses + board.directories
        for bar in bars:
            assert queue_count(snapshot, base.with_changes(**bar.filter)) == bar.count, bar
        progress = {bar.label: bar.count for bar in board.progress}
        assert progress["decided"] == 2 and progress["to be discussed"] == 1
        assert sum(progress.values()) == board.total == queue_count(snapshot, base)
    assert [bar.label for bar in board.alerts] == ["error", "warning", "missing", "ok"]
    assert board.policy_version == 2 and board.notes == []
    licenses = {bar.label: bar for bar in board.licenses}
    # Labels are SPDX ids; colours come from the policy in force.
    assert licenses["BSD-2-Clause"].alert == "ok"
    assert licenses["GPL-2.0-only"].alert == "error"
    assert licenses["LGPL-2.1-only"].alert == "warning"
    counts = [bar.count for bar in board.licenses]
    assert counts == sorted(counts, reverse=True)
    # The fixture's files sit under scan-target/<library>/: the first level that splits.
    assert board.directory_depth == 2
    assert all(bar.label.startswith("scan-target/") for bar in board.directories)


def test_license_bar_matches_whole_keys_only(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    scan_id = import_scan_file(sqlite_db, PYTHON_LIBS, project="libs", actor=ADMIN).scan_id
    with admin_reading(sqlite_db) as snapshot:
        gpl = queue_page(snapshot, QueueFilter(scan_id=scan_id, license_key="gpl-2.0"))
        loose = queue_page(snapshot, QueueFilter(scan_id=scan_id, license="gpl-2.0"))
    assert gpl
    for row in gpl:
        assert "gpl-2.0" in (row.detected_expression or "").replace("(", " ").split()
    # The substring search also finds lgpl-2.0/gpl-2.0-plus-only files; the bar filter must not.
    assert {r.id for r in gpl} <= {r.id for r in loose}


def test_directory_depth_can_be_chosen(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    scan_id = import_scan_file(sqlite_db, PYTHON_LIBS, project="libs", actor=ADMIN).scan_id
    with admin_reading(sqlite_db) as snapshot:
        top = dashboard(snapshot, scan_id, directory_depth=1)
        deep = dashboard(snapshot, scan_id, directory_depth=99)
    assert [bar.label for bar in top.directories] == ["scan-target/"]
    assert top.directories[0].count == top.progress[1].count  # every open file is under it
    assert deep.directory_depth > 2
