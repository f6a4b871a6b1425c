"""Decision log export: CSV that opens cleanly, JSON that verifies offline and catches tampering."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from ospo_tui.db import Database
from ospo_tui.errors import PermissionDenied
from ospo_tui.safe_text import clean
from ospo_tui.services.export.decision_log import COLUMNS, verify_exported_log
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.trail.chain import Actor
from tests.decision_helpers import RITA, events, payload
from tests.export_helpers import ADLER, HOSTILE_NOTE, PRIVATE, ZLIB_H, reviewed_zlib

AUDITOR = Actor("alice", "auditor")
# Private comments are exported only for reviewers and admins.
REVIEWER = Actor("rita", "reviewer")


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader)
        rows = [row for row in reader]
    assert all(len(row) == len(header) for row in rows)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_has_every_field_one_row_per_decision_event(db: Database, tmp_path: Path) -> None:
    reviewed = reviewed_zlib(db)
    target = tmp_path / "log.csv"
    result = run_export(db, AUDITOR, "decision-log", target, project="zlib")

    header, rows = _csv_rows(target)
    assert header == [c for c in COLUMNS if c != "private_comment"]
    decision_events = [e for e in events(db) if e.action.startswith("decision.")]
    assert result.rows == len(rows) == len(decision_events) > 6
    assert [int(r["event_seq"]) for r in rows] == [e.seq for e in decision_events]
    assert {r["event_hash"] for r in rows} == {e.hash for e in decision_events}

    first, second = [r for r in rows if r["path"] == ZLIB_H]
    assert first["concluded_expression"] == "Zlib"
    assert second["supersedes_id"] == first["decision_id"]
    assert second["reason"] == "code"
    # A cell a spreadsheet would run as a formula is defused, and terminal controls are made
    # visible (U+FFFD); the JSON log keeps the exact text.
    assert second["public_note"] == "'" + clean(HOSTILE_NOTE)
    assert second["detected_expression"] == "Zlib"
    assert "zlib" in second["evidence"] and "score" in second["evidence"]
    assert PRIVATE not in target.read_text(encoding="utf-8")
    bulk = [r for r in rows if r["origin"] == "bulk"]
    assert bulk and {r["bulk_id"] for r in bulk} == {reviewed.bulk_id}
    assert {r["actor"] for r in rows} == {RITA.name} and {r["role"] for r in rows} == {"reviewer"}
    assert all(r["decided_at"].endswith("Z") for r in rows)
    assert any(r["path"] == ADLER and r["decision_type"] == "non_functional" for r in rows)


def test_private_comments_only_on_request(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    target = tmp_path / "log.csv"
    run_export(sqlite_db, REVIEWER, "decision-log", target, project="zlib", include_private=True)
    header, rows = _csv_rows(target)
    assert "private_comment" in header
    assert [r["private_comment"] for r in rows if r["private_comment"]] == [PRIVATE]


def test_export_writes_an_audit_event_with_the_file_hash(db: Database, tmp_path: Path) -> None:
    reviewed_zlib(db)
    target = tmp_path / "log.json"
    result = run_export(db, AUDITOR, "decision-log", target, project="zlib")
    (event,) = events(db, "export.decision-log")
    assert event.seq == result.event_seq and event.actor == "alice" and event.role == "auditor"
    body = payload(event)
    assert body["sha256"] == file_sha256(target) == result.sha256
    assert body["format"] == "json" and body["rows"] == result.rows
    assert body["include_private"] is False


def test_json_log_verifies_offline(db: Database, tmp_path: Path) -> None:
    reviewed_zlib(db)
    target = tmp_path / "log.json"
    run_export(db, REVIEWER, "decision-log", target, project="zlib", include_private=True)
    doc = json.loads(target.read_text(encoding="utf-8"))
    last = events(db)[-2]  # the chain head at export time (the export event came after)
    assert doc["chain_head"] == {"seq": last.seq, "hash": last.hash}
    db.dispose()  # no database from here on

    result = verify_exported_log(target)
    assert result.ok, result.problems
    assert result.rows == result.verified == doc["count"] == len(doc["decisions"])


def _tampered(source: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    doc = json.loads(source.read_text(encoding="utf-8"))
    change(doc["decisions"])
    doc["count"] = len(doc["decisions"])
    target.write_text(json.dumps(doc), encoding="utf-8")
    return target


def _zlib_h_row(rows: list[dict]) -> dict:  # type: ignore[type-arg]
    return [r for r in rows if r["path"] == ZLIB_H][-1]


def test_verify_detects_tampered_rows(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    source = tmp_path / "log.json"
    run_export(sqlite_db, REVIEWER, "decision-log", source, project="zlib", include_private=True)
    assert verify_exported_log(source).ok

    def concluded(rows):  # type: ignore[no-untyped-def]
        _zlib_h_row(rows)["concluded_expression"] = "MIT"

    def payload_too(rows):  # type: ignore[no-untyped-def]
        row = _zlib_h_row(rows)
        row["concluded_expression"] = "MIT"
        row["event"]["payload"] = row["event"]["payload"].replace(
            '"Zlib AND LicenseRef-scancode-public-domain"', '"MIT"'
        )

    def dropped(rows):  # type: ignore[no-untyped-def]
        rows.remove([r for r in rows if r["path"] == ZLIB_H][0])

    def actor(rows):  # type: ignore[no-untyped-def]
        rows[0]["actor"] = "mallory"

    expected = {
        concluded: "concluded_expression differs from what its audit event recorded",
        payload_too: "does not match its hash",
        dropped: "supersedes",
        actor: "actor differs from its audit event",
    }
    for change, problem in expected.items():
        result = verify_exported_log(_tampered(source, tmp_path / "bad.json", change))
        assert not result.ok
        assert any(problem in p for p in result.problems), (change.__name__, result.problems)


def test_withheld_private_comments_still_verify(db: Database, tmp_path: Path) -> None:
    """Events hold a private comment's digest only, so a log without them re-hashes fully."""
    reviewed_zlib(db)
    target = tmp_path / "log.json"
    run_export(db, AUDITOR, "decision-log", target, project="zlib")
    text = target.read_text(encoding="utf-8")
    assert PRIVATE not in text and PRIVATE[:20] not in text
    doc = json.loads(text)
    assert "private_comment" not in doc["columns"]
    assert not any("private_comment" in row for row in doc["decisions"])
    digest = hashlib.sha256(PRIVATE.encode("utf-8")).hexdigest()
    assert digest in _zlib_h_row(doc["decisions"])["event"]["payload"]
    db.dispose()

    result = verify_exported_log(target)
    assert result.ok, result.problems
    assert result.verified == result.rows == doc["count"] > 6


def test_verify_detects_a_tampered_private_comment(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    source = tmp_path / "log.json"
    run_export(sqlite_db, REVIEWER, "decision-log", source, project="zlib", include_private=True)
    assert verify_exported_log(source).ok

    def edited(rows):  # type: ignore[no-untyped-def]
        _zlib_h_row(rows)["private_comment"] = PRIVATE.replace("vendor", "lawyer")

    def blanked(rows):  # type: ignore[no-untyped-def]
        _zlib_h_row(rows)["private_comment"] = None

    def invented(rows):  # type: ignore[no-untyped-def]
        [r for r in rows if r["path"] == ADLER][0]["private_comment"] = "cleared by legal"

    for change in (edited, blanked, invented):
        result = verify_exported_log(_tampered(source, tmp_path / "bad.json", change))
        assert not result.ok and result.verified == result.rows - 1, change.__name__
        (problem,) = result.problems
        assert "private_comment differs from what its audit event recorded" in problem, problem


def test_engineer_may_not_export(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    with pytest.raises(PermissionDenied):
        run_export(
            sqlite_db, Actor("ed", "engineer"), "decision-log", tmp_path / "x.csv", project="zlib"
        )
    assert not (tmp_path / "x.csv").exists()
    assert events(sqlite_db, "access.denied")


def test_failed_export_leaves_no_file(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewed_zlib(sqlite_db)
    target = tmp_path / "log.csv"
    target.write_text("the previous export\n")
    import ospo_tui.services.export.decision_log_writer as module

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        args[2].write("half a row")
        raise RuntimeError("disk gone")

    monkeypatch.setattr(module, "write_decision_log", broken)
    with pytest.raises(RuntimeError):
        run_export(sqlite_db, AUDITOR, "decision-log", target, project="zlib")
    assert target.read_text() == "the previous export\n"
    assert not list(tmp_path.glob(".*.partial"))
    assert not events(sqlite_db, "export.decision-log")


def test_export_reads_one_snapshot_and_does_not_block_decisions(db: Database) -> None:
    """A decision made while an export reads goes through at once, and the export misses it."""
    import time

    from ospo_tui.services.export.records import count_decisions
    from ospo_tui.services.export.scope import resolve_scope, snapshot_session
    from ospo_tui.services.review.decisions import decide
    from tests.decision_helpers import item

    reviewed = reviewed_zlib(db)
    with snapshot_session(db) as session:
        scope = resolve_scope(session, "zlib", None)
        before = count_decisions(session, scope)
        started = time.monotonic()
        decide(db, RITA, item(db, reviewed.scan_id, ADLER).id, None, "Zlib", "identified")
        assert time.monotonic() - started < 5  # not queued behind the export's transaction
        assert count_decisions(session, scope) == before
    with snapshot_session(db) as session:
        assert count_decisions(session, scope) == before + 1


def test_rescan_log_shows_reused_decisions(sqlite_db: Database, tmp_path: Path) -> None:
    """Decisions carried over to a rescan by content hash are rows of origin 'reuse' there."""
    from tests.decision_helpers import import_zlib, rescan

    reviewed_zlib(sqlite_db)
    second = import_zlib(
        sqlite_db, rescan(tmp_path, changed_findings=ADLER, changed_content=ZLIB_H)
    )
    target = tmp_path / "rescan.json"
    run_export(
        sqlite_db,
        REVIEWER,
        "decision-log",
        target,
        project="zlib",
        scan_id=second,
        include_private=True,
    )
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["scan_id"] == second
    origins = {r["path"]: r["origin"] for r in doc["decisions"]}
    assert origins and set(origins.values()) == {"reuse"}
    assert ZLIB_H not in origins  # its content changed: nothing to reuse
    assert all(r["reused_from_id"] for r in doc["decisions"])
    assert verify_exported_log(target).ok


def test_undone_bulk_is_logged_and_verifies(sqlite_db: Database, tmp_path: Path) -> None:
    from ospo_tui.services.review.bulk import undo_bulk

    reviewed = reviewed_zlib(sqlite_db)
    undo_bulk(sqlite_db, RITA, reviewed.bulk_id)
    target = tmp_path / "log.json"
    run_export(sqlite_db, REVIEWER, "decision-log", target, project="zlib", include_private=True)
    rows = json.loads(target.read_text(encoding="utf-8"))["decisions"]
    undone = [r for r in rows if r["origin"] == "undo"]
    bulk = [r for r in rows if r["bulk_id"] == reviewed.bulk_id]
    assert undone and len(undone) == len(bulk)
    assert {r["decision_type"] for r in undone} == {"cleared"}
    assert {r["supersedes_id"] for r in undone} == {r["decision_id"] for r in bulk}
    result = verify_exported_log(target)
    assert result.ok, result.problems
