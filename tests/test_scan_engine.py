"""The scan engine against the ScanCode CLI, and its cache: parity, reuse, timeouts, both backends.

``ospo_tui/data/sample-scan.json`` is what ``scancode -clpi --license-text --strip-root`` wrote
for ``ospo_tui/data/sample`` (ScanCode 32.5.0); the engine must find the same things per file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from scan_support import findings_by_path
from sqlalchemy import func, select

from ospo_tui.db import Database, open_database
from ospo_tui.models import AuditEvent, Scan, ScanResultCache
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.licenses.license_db import scancode_version
from ospo_tui.services.scanning.runner import ScanRequest, ScanSummary, run_scan
from ospo_tui.services.trail.chain import Actor

DATA = Path(__file__).parents[1] / "ospo_tui" / "data"
SAMPLE = DATA / "sample"
CLI_OUTPUT = DATA / "sample-scan.json"
ADMIN = Actor("tester", "admin")


class SampleRun:
    def __init__(self, db: Database, tree: Path, summary: ScanSummary) -> None:
        self.db = db
        self.tree = tree
        self.summary = summary


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleRun]:
    """One full engine scan of a copy of the sample tree, shared by the tests of this module."""
    base = tmp_path_factory.mktemp("engine")
    tree = base / "sample"
    shutil.copytree(SAMPLE, tree)
    db = open_database(f"sqlite:///{base / 'review.sqlite'}")
    summary = run_scan(db, ScanRequest(root=str(tree), project="sample", processes=2), ADMIN)
    yield SampleRun(db, tree, summary)
    db.dispose()


def test_cli_output_is_for_this_scancode() -> None:
    header = json.loads(CLI_OUTPUT.read_text())["headers"][0]
    assert header["tool_version"] == scancode_version()
    assert header["options"]["--license-text"] is True


def test_engine_finds_what_the_scancode_cli_finds(sample_run: SampleRun) -> None:
    imported = import_scan_file(sample_run.db, CLI_OUTPUT, project="cli", actor=ADMIN, force=True)
    engine = findings_by_path(sample_run.db, sample_run.summary.scan_id)
    cli = findings_by_path(sample_run.db, imported.scan_id)
    assert sorted(engine) == sorted(cli)
    assert len(engine) == 43
    for path in sorted(cli):
        assert engine[path] == cli[path], path
    # the comparison is not vacuous: licenses, matched text, copyrights and a followed reference
    detections = [d for f in engine.values() for d in f["detections"]]
    assert sum(1 for d in detections if not d["is_clue"]) >= 40
    assert all(m["matched_text"] for d in detections for m in d["matches"])
    assert sum(len(f["copyrights"]) for f in engine.values()) >= 40
    cited = engine["sortedcontainers/sortedcontainers/__init__.py"]["detections"]
    origins = {m["from_file"] for d in cited for m in d["matches"]}
    assert "sample/sortedcontainers/sortedcontainers/LICENSE" in origins
    assert engine["psycopg/LICENSE.txt"]["detected_license_expression_spdx"] == "LGPL-3.0-only"


def test_full_scan_is_complete_and_keeps_license_texts(sample_run: SampleRun) -> None:
    summary = sample_run.summary
    assert (summary.files, summary.scanned, summary.reused, summary.errors) == (43, 43, 0, 0)
    with sample_run.db.session() as session:
        scan = session.get(Scan, summary.scan_id)
        assert scan is not None
        assert (scan.source, scan.state, scan.files_count) == ("scan", "complete", 43)
        assert json.loads(scan.options_json or "{}")["--license-text"] is True
        from ospo_tui.models import LicenseReference

        texts = dict(
            session.execute(
                select(LicenseReference.key, LicenseReference.text).where(
                    LicenseReference.scan_id == scan.id
                )
            ).all()
        )
    assert "Lesser General Public License" in (texts["lgpl-3.0"] or "")
    assert "Mozilla Public License" in (texts["mpl-2.0"] or "")


def test_rescan_after_a_change_scans_only_the_changed_file(sample_run: SampleRun) -> None:
    changed = sample_run.tree / "six" / "six.py"
    original = changed.read_bytes()
    changed.write_bytes(original + b"\n# SPDX-License-Identifier: GPL-2.0-only\n")
    try:
        summary = run_scan(
            sample_run.db, ScanRequest(root=str(sample_run.tree), project="sample"), ADMIN
        )
    finally:
        changed.write_bytes(original)
    assert (summary.files, summary.scanned, summary.reused) == (43, 1, 42)
    rescanned = findings_by_path(sample_run.db, summary.scan_id)
    first = findings_by_path(sample_run.db, sample_run.summary.scan_id)
    assert rescanned["six/six.py"]["detected_license_expression_spdx"] == ("MIT AND GPL-2.0-only")
    assert {p: f for p, f in rescanned.items() if p != "six/six.py"} == {
        p: f for p, f in first.items() if p != "six/six.py"
    }
    with sample_run.db.session() as session:
        payload = session.scalar(
            select(AuditEvent.payload).where(
                AuditEvent.action == "scan.scan", AuditEvent.subject_id == str(summary.scan_id)
            )
        )
    assert json.loads(payload or "{}")["results_reused"] == 42


def test_a_file_over_the_timeout_is_a_scan_error_and_the_scan_goes_on(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    tree = tmp_path / "slow"
    tree.mkdir()
    shutil.copy(SAMPLE / "boolean.py" / "boolean" / "boolean.py", tree / "boolean.py")
    shutil.copy(SAMPLE / "attrs" / "LICENSE", tree / "LICENSE")
    (tree / "boolean.py").write_text((tree / "boolean.py").read_text() * 40)
    request = ScanRequest(root=str(tree), project="slow", processes=1, timeout=2.0)
    summary = run_scan(sample_run.db, request, ADMIN)
    assert (summary.files, summary.errors) == (2, 1)
    found = findings_by_path(sample_run.db, summary.scan_id)
    assert "timeout after" in (found["boolean.py"]["scan_errors"] or "")
    assert found["LICENSE"]["detected_license_expression_spdx"] == "MIT"
    # a timed-out result is not cached: the next scan tries that file again
    again = run_scan(sample_run.db, request, ADMIN)
    assert (again.scanned, again.reused) == (1, 1)


def test_scan_and_rescan_on_each_backend(db: Database, tmp_path: Path) -> None:
    tree = tmp_path / "tiny"
    (tree / "src").mkdir(parents=True)
    shutil.copy(SAMPLE / "mako" / "mako" / "__init__.py", tree / "src" / "mako.py")
    shutil.copy(SAMPLE / "psycopg" / "LICENSE.txt", tree / "COPYING.LESSER")
    shutil.copy(SAMPLE / "psycopg" / "LICENSE.txt", tree / "src" / "COPYING.LESSER")
    request = ScanRequest(root=str(tree), project="tiny", processes=1)
    first = run_scan(db, request, ADMIN)
    # two copies of one content are scanned once
    assert (first.files, first.scanned, first.reused, first.errors) == (3, 3, 0, 0)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ScanResultCache)) == 2
    second = run_scan(db, request, ADMIN)
    assert (second.scanned, second.reused) == (0, 3)
    assert findings_by_path(db, first.scan_id) == findings_by_path(db, second.scan_id)
    found = findings_by_path(db, second.scan_id)
    assert found["src/COPYING.LESSER"]["detected_license_expression_spdx"] == "LGPL-3.0-only"
    assert found["src/mako.py"]["detected_license_expression_spdx"] == "MIT"
