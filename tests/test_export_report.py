"""XLSX report: five sheets read back with openpyxl, values stored as text, never as formulas."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from ospo_tui.db import Database
from ospo_tui.services.access.members import add_member
from ospo_tui.services.export.run import run_export
from ospo_tui.services.review.questions import ask
from tests.conftest import TEST_ADMIN
from tests.decision_helpers import RITA, events, item
from tests.export_helpers import FAQ, HOSTILE_NOTE, PRIVATE, ZLIB_H, reviewed_zlib


def test_report_has_every_sheet_and_the_review(db: Database, tmp_path: Path) -> None:
    reviewed = reviewed_zlib(db)
    add_member(db, TEST_ADMIN, "eve", "engineer")
    ask(db, RITA, item(db, reviewed.scan_id, FAQ).id, "eve", "=1+1 is this shipped?")
    target = tmp_path / "review.xlsx"
    result = run_export(db, RITA, "report", target, project="zlib")
    assert result.format == "xlsx" and result.rows == 253

    book = load_workbook(target)
    assert book.sheetnames == ["files", "decisions", "open questions", "todo items", "licenses"]
    files = list(book["files"].iter_rows(values_only=True))
    assert files[0] == ("path", "detected", "concluded", "state", "alert", "decider", "date")
    assert len(files) == 254
    by_path = {row[0]: row for row in files[1:]}
    zlib_h = by_path[ZLIB_H]
    assert zlib_h[1] == "Zlib" and zlib_h[2] == "Zlib AND LicenseRef-scancode-public-domain"
    assert zlib_h[3] == "decided" and zlib_h[5] == "rita" and zlib_h[6]
    assert by_path["zlib-1.2.11/crc32.c"][2:4] == (None, "open")

    decisions = list(book["decisions"].iter_rows(values_only=True))
    decision_events = [e for e in events(db) if e.action.startswith("decision.")]
    assert len(decisions) - 1 == len(decision_events)
    # A note that a spreadsheet would run as a formula stays text, verbatim.
    notes = [row[5] for row in decisions[1:]]
    assert HOSTILE_NOTE.replace("\x1b", "\ufffd") in notes
    for row in book["decisions"].iter_rows():
        assert all(cell.data_type != "f" for cell in row)
    assert PRIVATE not in str(decisions)

    questions = list(book["open questions"].iter_rows(values_only=True))
    assert len(questions) == 2 and questions[1][1] == FAQ
    assert questions[1][7] == "=1+1 is this shipped?"
    licenses = {row[0]: row for row in book["licenses"].iter_rows(min_row=2, values_only=True)}
    assert licenses["zlib"][1] == "Zlib" and licenses["zlib"][4] > 50
    (event,) = events(db, "export.report")
    assert event.payload and result.sha256 in event.payload


def test_todo_items_sheet_lists_scancodes_todos(sqlite_db: Database, tmp_path: Path) -> None:
    from ospo_tui.services.ingest.importer import import_scan_file
    from tests.conftest import SCANCODE_FIXTURES

    scan = SCANCODE_FIXTURES / "aws-java-sdk-core-v32rc4-todo.json"
    import_scan_file(sqlite_db, scan, project="aws", actor=RITA)
    target = tmp_path / "aws.xlsx"
    run_export(sqlite_db, RITA, "report", target, project="aws")
    todos = list(load_workbook(target)["todo items"].iter_rows(min_row=2, values_only=True))
    assert todos and all(path and comments for path, _, comments in todos)
