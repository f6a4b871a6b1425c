"""A large scan is decoded and parsed in a worker process beside the importer (parse_worker):
the same records, rows and error messages as parsing in the importing process, nothing written
when the worker dies, and no worker left running when the importer dies."""

from __future__ import annotations

import marshal
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.synthetic_scan import write_synthetic_scan
from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.models import AuditEvent, LicenseMatch, ReviewItem, Scan, ScannedFile
from ospo_tui.services.ingest import importer
from ospo_tui.services.ingest.file_findings import findings_summary
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.ingest.parse_worker import record_from_wire, record_to_wire
from ospo_tui.services.ingest.scan_values import CountingReader, parsed_values
from ospo_tui.services.trail.chain import Actor
from tests import test_import as import_tests
from tests.conftest import SCANCODE_FIXTURES
from tests.test_import import _bad_inputs, count

REVIEWER = Actor("rita", "reviewer")
FIXTURES = sorted(SCANCODE_FIXTURES.glob("*.json"))


def children_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def through_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import, however small, parsed by a worker process."""
    monkeypatch.setattr(importer, "WORKER_MIN_BYTES", 0)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_records_cross_the_pipe_unchanged(fixture: Path) -> None:
    with fixture.open("rb") as raw:
        reader = CountingReader(raw, None, fixture.stat().st_size)
        records = [v for kind, v in parsed_values(reader, False) if kind == "file"]
    assert records
    for record in records:
        received = record_from_wire(marshal.loads(marshal.dumps(record_to_wire(record))))
        assert received == record
        # What ranking needs, worked out in the worker: the same as the writer would.
        assert received.summary == (findings_summary(record) if record.is_file else None)


def _rows(db: Database, scan_id: int) -> list[tuple[object, ...]]:
    """What the scan wrote, without the ids that differ between two imports."""
    with db.session() as session:
        files = session.execute(
            select(ScannedFile.path, ScannedFile.sha256, ScannedFile.findings_hash)
            .where(ScannedFile.scan_id == scan_id)
            .order_by(ScannedFile.path)
        ).all()
        items = session.execute(
            select(
                ReviewItem.path,
                ReviewItem.priority,
                ReviewItem.priority_reason,
                ReviewItem.detected_spdx,
                ReviewItem.best_score,
            )  # fmt: skip
            .where(ReviewItem.scan_id == scan_id)
            .order_by(ReviewItem.path)
        ).all()
        matches = session.execute(
            select(ScannedFile.path, LicenseMatch.position, LicenseMatch.matched_text)
            .join(ScannedFile, ScannedFile.id == LicenseMatch.file_id)
            .where(ScannedFile.scan_id == scan_id)
            .order_by(ScannedFile.path, LicenseMatch.detection_id, LicenseMatch.position)
        ).all()
    return [*map(tuple, files), *map(tuple, items), *map(tuple, matches)]


def test_a_worker_parsed_import_writes_what_a_local_one_does(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number, fixture in enumerate(FIXTURES):
        monkeypatch.setattr(importer, "WORKER_MIN_BYTES", 1 << 60)
        local = import_scan_file(db, fixture, project=f"local{number}", actor=REVIEWER)
        monkeypatch.setattr(importer, "WORKER_MIN_BYTES", 0)
        worker = import_scan_file(db, fixture, project=f"worker{number}", actor=REVIEWER)
        assert worker.files == local.files > 0, fixture.name
        assert (worker.detections, worker.matches, worker.copyrights, worker.packages) == (
            local.detections, local.matches, local.copyrights, local.packages
        ), fixture.name  # fmt: skip
        assert _rows(db, worker.scan_id) == _rows(db, local.scan_id), fixture.name


def test_a_worker_reports_bad_input_in_the_same_words(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _bad_inputs(tmp_path)
    invalid_utf8 = tmp_path / "invalid_utf8.json"
    invalid_utf8.write_bytes(b'{"files": [{"path": "a\xff.c", "type": "file"}]}')
    lines = tmp_path / "bad_line.jsonl"
    lines.write_text('{"headers": [{}]}\n{"files": [{"path": "a.c"}]}\n{"files": [\n')
    for path in [*(p for p, _ in cases.values()), invalid_utf8, lines]:
        errors = []
        for threshold in (1 << 60, 0):
            monkeypatch.setattr(importer, "WORKER_MIN_BYTES", threshold)
            with pytest.raises(InputError) as caught:
                import_scan_file(sqlite_db, path, project="x", actor=REVIEWER)
            errors.append(str(caught.value))
        assert errors[0] == errors[1], path.name
    with sqlite_db.session() as session:
        assert count(session, Scan) == count(session, AuditEvent) == 0


def test_a_killed_worker_fails_the_import_and_nothing_is_written(
    db: Database, tmp_path: Path, through_worker: None
) -> None:
    scan = tmp_path / "scan.json"
    write_synthetic_scan(scan, 3000)

    def kill_the_worker(_done: int, _total: int) -> None:
        for pid in children_of(os.getpid()):
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(InputError, match="the parsing process stopped"):
        import_scan_file(db, scan, project="p", actor=REVIEWER, progress=kill_the_worker)
    with db.session() as session:
        assert count(session, Scan) == count(session, ScannedFile) == 0
    assert import_scan_file(db, scan, project="p", actor=REVIEWER).files >= 3000


def test_a_worker_whose_importer_was_killed_stops(sqlite_db: Database, tmp_path: Path) -> None:
    scan = tmp_path / "scan.json"
    write_synthetic_scan(scan, 20_000)
    assert scan.stat().st_size >= importer.WORKER_MIN_BYTES  # the real CLI uses a worker
    command = [sys.executable, "-m", "ospo_tui", "--db", sqlite_db.url, "import", str(scan)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (workers := children_of(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline, "no worker started"
        time.sleep(0.01)
    time.sleep(0.5)  # well into the file
    process.kill()  # the importer alone, not its process group
    process.wait()
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, "the worker outlived its importer"
        time.sleep(0.01)
    with sqlite_db.session() as session:
        assert count(session, Scan) == 0


def test_json_lines_through_a_worker(
    sqlite_db: Database, tmp_path: Path, through_worker: None
) -> None:
    import_tests.test_json_lines_output_imports_like_json(sqlite_db, tmp_path)
