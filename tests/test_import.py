"""Importing real ScanCode outputs of formats 1.0 to 4.1: exact counts, key drift, atomicity."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.models import (
    AuditEvent,
    CopyrightStatement,
    LicenseDetection,
    LicenseMatch,
    LicenseReference,
    ReviewItem,
    Scan,
    ScannedFile,
    TodoItem,
)
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.policy.priority import base_rank
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.conftest import SCANCODE_FIXTURES

REVIEWER = Actor("rita", "reviewer")
FIXTURES = sorted(p.name for p in SCANCODE_FIXTURES.glob("*.json"))


def expected_counts(path: Path) -> dict[str, int]:
    """Counted straight from the JSON, independently of the importer."""
    doc = json.loads(path.read_text())
    files = [f for f in doc["files"] if f["type"] == "file"]
    if any("licenses" in f for f in doc["files"]):  # format 1.x: one entry per key and match
        groups = {
            (f["path"], lic["matched_rule"]["identifier"], lic["start_line"], lic["end_line"])
            for f in doc["files"]
            for lic in f.get("licenses", [])
        }
        detections = matches = len(groups)
    else:
        detections = sum(len(f.get("license_detections") or []) for f in doc["files"])
        matches = sum(
            len(d["matches"]) for f in doc["files"] for d in f.get("license_detections") or []
        )
    return {
        "files": len(files),
        "detections": detections,
        "matches": matches,
        "clue_matches": sum(len(f.get("license_clues") or []) for f in doc["files"]),
        "copyrights": sum(len(f.get("copyrights") or []) for f in doc["files"]),
        "holders": sum(len(f.get("holders") or []) for f in doc["files"]),
        "todo": len(doc.get("todo") or []),
        "references": len(doc.get("license_references") or []),
    }


def count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_fixture_imports_with_exact_counts(sqlite_db: Database, fixture: str) -> None:
    path = SCANCODE_FIXTURES / fixture
    expected = expected_counts(path)
    result = import_scan_file(sqlite_db, path, project="p", actor=REVIEWER)
    assert (result.files, result.detections, result.matches, result.copyrights) == (
        expected["files"],
        expected["detections"],
        expected["matches"],
        expected["copyrights"],
    )
    with sqlite_db.session() as s:
        files = select(ScannedFile.id).where(ScannedFile.scan_id == result.scan_id)
        assert (
            count(s, ScannedFile, ScannedFile.scan_id == result.scan_id, ScannedFile.type == "file")
            == expected["files"]
        )
        assert (
            count(
                s,
                LicenseDetection,
                LicenseDetection.file_id.in_(files),
                LicenseDetection.is_clue.is_(False),
            )
            == expected["detections"]
        )
        assert (
            count(s, LicenseMatch, LicenseMatch.file_id.in_(files))
            == expected["matches"] + expected["clue_matches"]
        )
        assert (
            count(
                s,
                CopyrightStatement,
                CopyrightStatement.file_id.in_(files),
                CopyrightStatement.kind == "copyright",
            )
            == expected["copyrights"]
        )
        assert (
            count(
                s,
                CopyrightStatement,
                CopyrightStatement.file_id.in_(files),
                CopyrightStatement.kind == "holder",
            )
            == expected["holders"]
        )
        assert count(s, TodoItem, TodoItem.scan_id == result.scan_id) == expected["todo"]
        assert (
            count(s, LicenseReference, LicenseReference.scan_id == result.scan_id)
            == expected["references"]
        )
        assert count(s, ReviewItem, ReviewItem.scan_id == result.scan_id) == expected["files"]
        assert verify_chain(s).ok


def test_import_on_each_backend(db: Database) -> None:
    result = import_scan_file(
        db, SCANCODE_FIXTURES / "zlib-v32rc3.json", project="zlib", actor=REVIEWER
    )
    assert (result.files, result.detections, result.matches) == (253, 106, 156)
    with db.session() as s:
        item = s.scalar(select(ReviewItem).where(ReviewItem.path == "zlib-1.2.11/zlib.h"))
        assert item is not None and item.detected_spdx == "Zlib" and item.state == "open"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "scan.import"))
        assert event is not None and json.loads(event.payload)["counts"]["files"] == 253
        assert verify_chain(s).ok


def test_spdx_expressions_are_derived_for_old_formats(sqlite_db: Database) -> None:
    """Format 1.0 has no SPDX keys and 3.0 matches lack them: both are derived from the catalog."""
    import_scan_file(
        sqlite_db, SCANCODE_FIXTURES / "ort-30.1.0-with-issues.json", project="ort", actor=REVIEWER
    )
    import_scan_file(
        sqlite_db,
        SCANCODE_FIXTURES / "ort-format-3.0.0_mime-types-2.1.18.json",
        project="m",
        actor=REVIEWER,
    )
    with sqlite_db.session() as s:
        mvnw = s.scalar(select(ScannedFile).where(ScannedFile.path == "mvnw"))
        assert mvnw is not None
        assert mvnw.detected_license_expression == "apache-2.0"
        assert mvnw.detected_license_expression_spdx == "Apache-2.0"
        match = s.scalar(select(LicenseMatch).where(LicenseMatch.file_id == mvnw.id))
        assert (
            match is not None
            and match.rule_identifier == "apache-2.0_663.RULE"
            and match.start_line == 3
        )
        spdx = s.scalars(
            select(LicenseMatch.license_expression_spdx).where(
                LicenseMatch.license_expression == "mit"
            )
        ).all()
        assert spdx and set(spdx) == {"MIT"}


def test_missing_parent_directories_are_filled_in(sqlite_db: Database) -> None:
    result = import_scan_file(
        sqlite_db, SCANCODE_FIXTURES / "ort-30.1.0-with-issues.json", project="ort", actor=REVIEWER
    )
    with sqlite_db.session() as s:
        synthetic = s.scalars(
            select(ScannedFile.path).where(
                ScannedFile.scan_id == result.scan_id, ScannedFile.is_synthetic.is_(True)
            )
        ).all()
    assert sorted(synthetic) == [
        "src",
        "src/main",
        "src/main/resources",
        "src/main/resources/static",
    ]


def test_scan_errors_and_todo_raise_priority(sqlite_db: Database) -> None:
    import_scan_file(
        sqlite_db,
        SCANCODE_FIXTURES / "aws-java-sdk-core-v32rc4-todo.json",
        project="aws",
        actor=REVIEWER,
    )
    import_scan_file(
        sqlite_db, SCANCODE_FIXTURES / "ort-30.1.0-with-issues.json", project="ort", actor=REVIEWER
    )
    with sqlite_db.session() as s:
        todo = s.scalars(select(ReviewItem).where(ReviewItem.has_todo.is_(True))).all()
        assert len(todo) == 2 and {t.priority_reason for t in todo} == {"scancode todo"}
        assert {base_rank(t.priority) for t in todo} == {1}
        linked = s.scalars(select(TodoItem.file_id).where(TodoItem.file_id.is_not(None))).all()
        assert len(linked) == 2
        pdf = s.scalar(select(ReviewItem).where(ReviewItem.path.like("%document_with_error.pdf")))
        assert pdf is not None and pdf.needs_review and pdf.priority_reason == "scan error"


def test_json_lines_output_imports_like_json(sqlite_db: Database, tmp_path: Path) -> None:
    doc = json.loads((SCANCODE_FIXTURES / "hazelcast-3293-v32rc3.json").read_text())
    lines = [json.dumps({"headers": doc["headers"]})] + [
        json.dumps({"files": [f]}) for f in doc["files"]
    ]
    jsonl = tmp_path / "scan.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    result = import_scan_file(sqlite_db, jsonl, project="h", actor=REVIEWER)
    assert (result.files, result.detections, result.matches, result.copyrights) == (39, 39, 57, 91)
    with sqlite_db.session() as s:
        scan = s.get(Scan, result.scan_id)
        assert scan is not None and scan.output_format_version == "4.0.0"


def test_same_scan_twice_is_refused_unless_forced(sqlite_db: Database) -> None:
    path = SCANCODE_FIXTURES / "asgiref-3.3.0_toolkit_scan.json"
    first = import_scan_file(sqlite_db, path, project="a", actor=REVIEWER)
    with pytest.raises(InputError, match="already imported as scan"):
        import_scan_file(sqlite_db, path, project="a", actor=REVIEWER)
    second = import_scan_file(sqlite_db, path, project="a", actor=REVIEWER, force=True)
    assert second.scan_id != first.scan_id
    # Another project may hold the same scan.
    import_scan_file(sqlite_db, path, project="b", actor=REVIEWER)


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = (SCANCODE_FIXTURES / "zlib-v32rc3.json").read_bytes()
    cases = {
        "truncated": (good[: len(good) // 2], "invalid JSON near byte"),
        "not json": (b"this is not json at all\n", "invalid JSON"),
        "empty": (b"", "empty"),
        "wrong shape": (b'{"headers": [], "files": {"path": "x"}}', "'files' must be a list"),
        "top-level list": (b"[1, 2, 3]", "not a JSON object"),
        "no files": (b'{"headers": [], "summary": {}}', "no 'files' list"),
        "empty files": (b'{"headers": [], "files": []}', "the scan lists no files"),
        "file not object": (b'{"files": ["a.c"]}', "files[0]: expected an object"),
        "bad score": (
            b'{"files": [{"path": "a.c", "type": "file", "license_detections": [{"license_expression": "mit",'
            b' "matches": [{"score": "high"}]}]}]}',
            "files[0] (a.c): field 'score' must be a number",
        ),
        "duplicate path": (
            b'{"files": [{"path": "a.c", "type": "file"}, {"path": "a.c", "type": "file"}]}',
            "'a.c' twice",
        ),
    }
    out = {}
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.json"
        path.write_bytes(content)
        out[name] = (path, message)
    return out


def test_bad_input_gives_one_line_exit_2_and_leaves_the_database_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "review.sqlite"
    assert (
        main(
            [
                "--db",
                str(db_path),
                "import",
                str(SCANCODE_FIXTURES / "asgiref-3.3.0_toolkit_scan.json"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    # Fold the WAL into the file first: a pooled connection closed later (at garbage collection)
    # checkpoints, which rewrites the file's bytes without changing its content.
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    for name, (path, message) in _bad_inputs(tmp_path).items():
        assert main(["--db", str(db_path), "import", str(path), "--project", "x"]) == 2, name
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1, (name, captured.err)
        assert lines[0].startswith("ospo-tui: error: ") and message in lines[0], (name, lines[0])
        assert str(path) in lines[0]
        assert db_path.read_bytes() == before, name


def test_bad_input_rolls_back_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    db = Database(pg_url)
    db.upgrade()
    for name, (path, _message) in _bad_inputs(tmp_path).items():
        with pytest.raises(InputError):
            import_scan_file(db, path, project="x", actor=REVIEWER)
        with db.session() as s:
            assert count(s, ScannedFile) == 0, name
            assert count(s, Scan) == 0, name
            assert count(s, AuditEvent) == 0, name
    db.dispose()


def test_unknown_file_and_bad_flag_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.sqlite")
    assert main(["--db", db, "import", str(tmp_path / "missing.json")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"ospo-tui: error: {tmp_path / 'missing.json'}: no such file"
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "import", "x.json", "--no-such-flag"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unrecognized arguments: --no-such-flag" in err[0]


def test_cli_listings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "r.sqlite")
    assert (
        main(
            ["--db", db, "import", str(SCANCODE_FIXTURES / "zlib-v32rc3.json"), "--project", "zlib"]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["--db", db, "projects"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("project\tscans") and out[1].startswith("zlib\t1\t1\t253\t")
    assert main(["--db", db, "queue", "--limit", "5"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert rows[0][:3] == ["priority", "state", "path"] and len(rows) == 6
    priorities = [int(r[0]) for r in rows[1:]]
    assert priorities == sorted(priorities)
    assert (
        main(
            [
                "--db",
                db,
                "queue",
                "--license",
                "zlib",
                "--path",
                "zlib-1.2.11/contrib/*",
                "--limit",
                "1000",
            ]
        )
        == 0
    )
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows and all(
        r[2].startswith("zlib-1.2.11/contrib/") and "zlib" in r[3].lower() for r in rows
    )
