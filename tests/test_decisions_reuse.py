"""Reuse of decisions onto a rescan by sha256, the stale case, and the file history view."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from ospo_tui.db import Database, open_database
from ospo_tui.models import Decision, ReviewItem, Scan
from ospo_tui.services.access.members import add_member
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review import reuse
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, undo_bulk
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.history import file_history
from ospo_tui.services.review.questions import ask
from ospo_tui.services.review.reuse import STALE_REASON, stale_difference
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.conftest import admin_reading
from tests.decision_helpers import BOB, RITA, ZLIB, events, import_zlib, item, payload, rescan

FAQ = "zlib-1.2.11/FAQ"  # decided, findings change in the rescan: stale
ADLER = "zlib-1.2.11/adler32.c"  # decided, unchanged: reused as decided
CRC = "zlib-1.2.11/crc32.c"  # decided, content changed: not reused
README = "zlib-1.2.11/README"  # never decided


def test_rescan_reuses_by_sha256_and_marks_changed_findings_stale(
    db: Database, tmp_path: Path
) -> None:
    first = import_zlib(db)
    faq, adler, crc = (item(db, first, p) for p in (FAQ, ADLER, CRC))
    decide(db, RITA, faq.id, 1, "GPL-1.0-or-later", "identified", "reference", "FAQ text")
    kept = decide(db, BOB, adler.id, 1, "Zlib", "non_functional", "code")
    decide(db, RITA, crc.id, 1, "Zlib", "identified")

    second = import_zlib(db, rescan(tmp_path, changed_findings=FAQ, changed_content=CRC))
    with db.session() as session:
        assert session.get(Scan, second).reused_count == 2

    reused = item(db, second, ADLER)
    assert (reused.state, reused.concluded_expression) == ("decided", "Zlib")
    with db.session() as session:
        decision = session.get(Decision, reused.current_decision_id)
        assert decision is not None
        assert (decision.origin, decision.reused_from_id, decision.decision_type) == (
            "reuse",
            kept.decision.id,
            "non_functional",
        )
    stale = item(db, second, FAQ)
    assert (stale.state, stale.concluded_expression) == ("stale", "GPL-1.0-or-later")
    assert (stale.priority, stale.priority_reason) == (1, STALE_REASON)
    assert item(db, second, CRC).current_decision_id is None
    assert item(db, second, CRC).state == "open"

    reuse_events = events(db, "decision.reuse")
    assert len(reuse_events) == 2
    assert all(e.actor == "rita" for e in reuse_events)  # who imported the rescan
    stale_event = payload(next(e for e in reuse_events if e.subject_id == str(stale.id)))
    assert stale_event["stale"] is True
    assert stale_event["difference"]["old_detected"] == "GPL-1.0-or-later"
    assert stale_event["difference"]["new_detected"] == "Zlib AND MIT"
    with admin_reading(db) as snapshot:
        difference = stale_difference(snapshot, stale.id)
        assert stale_difference(snapshot, reused.id) is None
        assert verify_chain(snapshot.session).ok
    assert difference is not None
    assert difference.reused_from_scan_id == first
    assert difference.matches_added == ("MIT (mit_14.RULE) lines 40-41",)
    assert difference.matches_removed == ()

    # Re-confirming the stale decision clears it; a third scan then reuses it as fresh.
    confirmed = decide(db, RITA, stale.id, stale.version, "GPL-1.0-or-later", "identified")
    assert confirmed.state == "decided"
    again = rescan(tmp_path, changed_findings=FAQ, changed_content=CRC)
    third = import_scan_file(db, again, project="zlib", actor=RITA, force=True).scan_id
    assert item(db, third, FAQ).state == "decided"


def test_history_shows_import_decision_question_bulk_undo_and_reuse(
    db: Database, tmp_path: Path
) -> None:
    first = import_zlib(db)
    adler = item(db, first, ADLER)
    decide(db, BOB, adler.id, 1, "zlib", "to_discuss", None, None, "ask legal")
    add_member(db, Actor("ada", "admin"), "erin", "engineer")
    ask(db, RITA, adler.id, "erin", "Is adler32.c shipped?")
    bulk = apply_bulk(db, RITA, BulkSelection(first, same_expression="Zlib"), "Zlib", "identified")
    undo_bulk(db, BOB, bulk.bulk_id)
    import_zlib(db, rescan(tmp_path, changed_findings=FAQ, changed_content=CRC))

    with admin_reading(db) as snapshot:
        history = file_history(snapshot, ADLER)
    actions = [(h.action, h.actor) for h in history]
    assert actions == [
        ("scan.import", "rita"),
        ("decision.record", "bob"),
        ("question.ask", "rita"),
        ("decision.bulk", "rita"),
        ("decision.undo", "bob"),
        ("scan.import", "rita"),
        ("decision.reuse", "rita"),
    ]
    summaries = [h.summary for h in history]
    assert summaries[1] == (
        "(no decision) → Zlib [To be discussed]; state open → to_discuss; private comment added"
    )
    assert summaries[3].startswith(
        "Zlib [To be discussed] → Zlib [Identified]; state question → decided; bulk "
    )
    assert f"undoing {bulk.bulk_id}" in summaries[4]
    assert "Zlib [Identified] → Zlib [To be discussed]; state decided → question" in summaries[4]
    assert summaries[6].startswith("(no decision) → Zlib [To be discussed]")
    assert "reused from scan" in summaries[6]
    assert all(h.occurred_at.endswith("Z") for h in history)
    # The event proves the private comment by its digest; the text stays on the decision row.
    digest = hashlib.sha256(b"ask legal").hexdigest()
    assert history[1].payload["new"]["private_comment_sha256"] == digest
    assert "private_comment" not in history[1].payload["new"]
    assert summaries[3].endswith("; private comment removed")  # the bulk had none
    assert summaries[4].endswith("; private comment added")  # the undo gave it back
    assert summaries[2].endswith("(rita → erin): Is adler32.c shipped?")
    with admin_reading(db) as snapshot:
        assert file_history(snapshot, "no/such/file") == []
        assert verify_chain(snapshot.session).ok


def test_a_file_that_gains_findings_stays_stale_until_confirmed(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """Decided with no findings; a later scanner finds a license in the same content."""
    changelog = "zlib-1.2.11/ChangeLog"
    first = import_zlib(sqlite_db)
    decide(sqlite_db, RITA, item(sqlite_db, first, changelog).id, 1, "NONE", "identified")
    doc = json.loads(ZLIB.read_text())
    donor = next(e for e in doc["files"] if e["path"] == ADLER)
    for entry in doc["files"]:
        if entry["path"] == changelog:
            entry["license_detections"] = donor["license_detections"]
            entry["detected_license_expression"] = "zlib"
            entry["detected_license_expression_spdx"] = "Zlib"
    for number in (2, 3):
        doc["headers"][0]["notice"] = f"rescan {number}"  # another input file each time
        path = tmp_path / f"scan{number}.json"
        path.write_text(json.dumps(doc))
        scan = import_zlib(sqlite_db, path)
        again = item(sqlite_db, scan, changelog)
        assert (again.state, again.concluded_expression) == ("stale", "NONE")
        with admin_reading(sqlite_db) as snapshot:
            difference = stale_difference(snapshot, again.id)
        assert difference is not None
        assert (difference.old_detected, difference.new_detected) == (None, "Zlib")


def test_a_rescan_plans_its_reuse_with_its_own_uncommitted_rows(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ANALYZE from outside the import (autovacuum's) counts none of the rescan's rows, which
    only its own transaction sees. Planned from that count, the reuse join ran for over 30
    minutes at 10,000 files; the import must count its own rows before it asks."""
    db = open_database(pg_url)
    first = import_zlib(db)
    decide(db, BOB, item(db, first, ADLER).id, 1, "Zlib", "non_functional", "code")
    outside = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    seen: dict[str, float] = {}
    carry_over = reuse.carry_over_decisions

    def analyzed_from_outside_first(session: Session, scan: Scan, actor: Actor) -> int:
        with outside.connect() as conn:
            conn.exec_driver_sql("ANALYZE review_items")
        reused = carry_over(session, scan, actor)
        seen["planned"] = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = 'review_items'")
        )
        seen["rows"] = session.scalar(select(func.count()).select_from(ReviewItem))
        return reused

    monkeypatch.setattr(reuse, "carry_over_decisions", analyzed_from_outside_first)
    second = import_zlib(db, rescan(tmp_path, changed_findings=FAQ, changed_content=CRC))
    outside.dispose()
    with db.session() as session:
        assert session.get(Scan, second).reused_count == 1
        committed = session.scalar(select(func.count()).select_from(ReviewItem))
    assert seen["planned"] == seen["rows"] == committed
    db.dispose()
