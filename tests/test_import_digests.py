"""The digests the importer records as it writes (files, review items) equal the digests
``audit verify`` reads back from the tables, on real scans and awkward values, on both backends;
a raw change to an imported row still shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.models import AuditEvent, ReviewItem, ScannedFile
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor
from ospo_tui.services.trail.digests import WrittenRowsDigest, scan_digests
from tests.conftest import SCANCODE_FIXTURES

REVIEWER = Actor("rita", "reviewer")

# Values whose stored form could differ from the Python value that was bound.
AWKWARD_FILES = [
    {"path": "deep/er/a.c", "type": "file", "percentage_of_license_text": -0.0, "size": 0},
    {"path": "deep/b.c", "type": "file", "percentage_of_license_text": 100, "size": 2**31 - 1},
    {"path": "deep/c.c", "type": "file", "percentage_of_license_text": 5e-324},
    {"path": "deep/d.c", "type": "file", "percentage_of_license_text": 1.7976931348623157e308},
    {"path": "deep/é\u202e\ud800.c", "type": "file", "name": "x\x00y", "is_text": True},
    {"path": "deep/f.c", "type": "file", "sha1": "A" * 40, "mime_type": "", "size": 3.0},
    {"path": "deep", "type": "directory", "is_binary": False},
    {
        "path": "deep/g.c",
        "type": "file",
        "detected_license_expression": "mit",
        "license_detections": [
            {
                "license_expression": "mit",
                "matches": [{"license_expression": "mit", "score": 99.5, "start_line": 1}],
            }
        ],
        "scan_errors": ["boom"],
    },
]


def recorded_digest(db: Database, scan_id: int) -> dict[str, str]:
    with db.session() as session:
        payload = session.scalar(
            select(AuditEvent.payload).where(
                AuditEvent.subject_type == "scan", AuditEvent.subject_id == str(scan_id)
            )
        )
    assert payload is not None
    digest: dict[str, str] = json.loads(payload)["digest"]
    return digest


def read_back(db: Database, scan_id: int) -> dict[str, str]:
    with db.session() as session:
        return scan_digests(session, scan_id)


@pytest.fixture
def awkward_scan(tmp_path: Path) -> Path:
    path = tmp_path / "awkward.json"
    path.write_text(
        json.dumps({"headers": [{"tool_name": "scancode-toolkit"}], "files": AWKWARD_FILES})
    )
    return path


def test_written_digests_equal_the_read_back_ones(db: Database, awkward_scan: Path) -> None:
    scans = [
        SCANCODE_FIXTURES / name
        for name in sorted(p.name for p in SCANCODE_FIXTURES.glob("*.json"))
    ]
    for number, path in enumerate([*scans, awkward_scan]):
        scan_id = import_scan_file(db, path, project=f"p{number}", actor=REVIEWER).scan_id
        assert recorded_digest(db, scan_id) == read_back(db, scan_id), path.name


def test_a_raw_change_to_an_imported_file_row_still_shows(db: Database, awkward_scan: Path) -> None:
    scan_id = import_scan_file(db, awkward_scan, project="p", actor=REVIEWER).scan_id
    with db.session() as session:
        session.execute(
            ScannedFile.__table__.update()
            .where(ScannedFile.scan_id == scan_id, ScannedFile.path == "deep/b.c")
            .values(size=2**31 - 2)
        )
    recorded = recorded_digest(db, scan_id)
    assert recorded["files"] != read_back(db, scan_id)["files"]
    assert recorded["review_items"] == read_back(db, scan_id)["review_items"]


def test_the_written_digest_refuses_rows_out_of_id_order_or_missing_a_defaulted_column() -> None:
    digest = WrittenRowsDigest(ReviewItem.__table__)
    row = {"id": 2, "dir_path": "", "needs_review": None}  # a NULL boolean is spelled out
    digest.add([row])
    with pytest.raises(ValueError, match="id order"):
        digest.add([{**row, "id": 1}])
    with pytest.raises(ValueError, match="id order"):
        digest.add([{**row, "id": 4}, {**row, "id": 3}])
    with pytest.raises(KeyError):  # dir_path has a server default the plain INSERT would skip
        digest.add([{"id": 5}])


def test_the_import_puts_the_page_cache_back(sqlite_db: Database, awkward_scan: Path) -> None:
    """The import's larger SQLite cache is the import's own: the pooled connection gets the
    size it had back, after a good import and after a refused one."""

    def cache_size() -> int:
        with sqlite_db.session() as session:
            return int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar() or 0)

    before = cache_size()
    import_scan_file(sqlite_db, awkward_scan, project="p", actor=REVIEWER)
    assert cache_size() == before
    with pytest.raises(InputError):
        import_scan_file(sqlite_db, awkward_scan, project="p", actor=REVIEWER)  # imported before
    awkward_scan.write_text('{"files": [{"path": "a", "size": "big"}]}')
    with pytest.raises(InputError):
        import_scan_file(sqlite_db, awkward_scan, project="p", actor=REVIEWER)
    assert cache_size() == before
