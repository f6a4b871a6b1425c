"""Raw SQL against the tables the queue and the exports read: `audit verify` replays the chain,
names the first row that differs from it, and exits 1. One attack per case, on both backends."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.services.access.members import add_member
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.questions import answer, ask
from ospo_tui.services.trail.chain import GENESIS_HASH, canonical_json, chain_hash, event_body
from tests.conftest import TEST_ADMIN, admin_reading
from tests.decision_helpers import RITA, ZLIB, events, import_zlib, item
from tests.team_support import acting_as

FAQ = "zlib-1.2.11/FAQ"
ADLER = "zlib-1.2.11/adler32.c"


def record_history(db: Database) -> int:
    """An import, two decisions, an engineer and an answered question; returns the scan id."""
    scan = import_zlib(db)
    decide(db, RITA, item(db, scan, FAQ).id, 1, "Zlib", "identified", "code", "ok", "mine")
    decide(db, RITA, item(db, scan, ADLER).id, 1, "Zlib", "identified")
    add_member(db, TEST_ADMIN, "ed", "engineer")
    add_member(db, TEST_ADMIN, TEST_ADMIN.name, "admin")
    question = ask(db, RITA, item(db, scan, FAQ).id, "ed", "Is this shipped?")
    answer(db, TEST_ADMIN, question.id, "Yes, unchanged.")
    return scan


def without_triggers(conn: Connection, table: str) -> None:
    """What an owner of the database can always do: switch the append-only triggers off."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    else:
        for verb in ("update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def problem_after(
    db: Database, db_url: str, conn_work: str, capsys: pytest.CaptureFixture[str]
) -> str:
    """Run ``conn_work`` (statements separated by ';'), then `audit verify`: its one line."""
    with db.engine.begin() as conn:
        for statement in conn_work.split(";"):
            if statement.startswith("!"):
                without_triggers(conn, statement[1:].strip())
            elif statement.strip():
                conn.execute(text(statement))
    capsys.readouterr()
    assert main([*acting_as(db_url, TEST_ADMIN.name), "audit", "verify"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


ATTACKS = {
    "concluded expression, no trigger needed": (
        f"UPDATE review_items SET concluded_expression = 'GPL-3.0-only' WHERE path = '{FAQ}'",
        "review_items row {faq} ('zlib-1.2.11/FAQ'): concluded_expression is 'GPL-3.0-only' "
        "but the audit trail says 'Zlib' (event {faq_decision})",
    ),
    "review state of an undecided file": (
        "UPDATE review_items SET state = 'decided' WHERE path = 'zlib-1.2.11/crc32.c'",
        "state is 'decided' but no event changed it",
    ),
    "decision row, trigger dropped": (
        "!decisions; UPDATE decisions SET concluded_expression = 'MIT' WHERE id = 1",
        "decisions row 1: concluded_expression is 'MIT' but the audit trail says 'Zlib'",
    ),
    "private comment, trigger dropped": (
        "!decisions; UPDATE decisions SET private_comment = 'theirs' WHERE id = 1",
        "decisions row 1: private_comment does not hash to what event",
    ),
    "member's role": (
        "UPDATE members SET role = 'admin' WHERE name = 'ed'",
        "members row 'ed': role is 'admin' but the audit trail says 'engineer'",
    ),
    "question reassigned": (
        "UPDATE questions SET assigned_to = 'mallory'",
        "questions row 1: assigned_to is 'mallory' but the audit trail says 'ed'",
    ),
    "question reopened": (
        "UPDATE questions SET state = 'resolved'",
        "questions row 1: state is 'resolved' but the audit trail says 'answered'",
    ),
    "message rewritten, trigger dropped": (
        "!question_messages; UPDATE question_messages SET body = 'No.' WHERE kind = 'answer'",
        "question_messages row 2: body is 'No.' but the audit trail says 'Yes, unchanged.'",
    ),
    "policy renamed": (
        "UPDATE policies SET name = 'relaxed'",
        "policies version 1: name is 'relaxed'",
    ),
    "policy rule softened": (
        "UPDATE policy_rules SET compliance_alert = '' WHERE compliance_alert = 'error'",
        "policies version 1: rules_sha256 is",
    ),
    "scan relabelled": (
        "UPDATE scans SET label = 'release 2'",
        "scans row {scan}: the scan row no longer match the digest event",
    ),
    "file's findings": (
        "UPDATE files SET detected_license_expression_spdx = 'MIT' WHERE path = 'zlib-1.2.11/FAQ'",
        "scans row {scan}: its files rows no longer match the digest event",
    ),
    "file added": (
        "INSERT INTO files (scan_id, path, name, type, is_synthetic, is_binary, is_text, "
        "is_archive, is_media, is_source, is_script, is_legal, is_readme, is_manifest, "
        "is_key_file) VALUES ({scan}, 'x', 'x', 'file', false, false, false, false, false, "
        "false, false, false, false, false, false)",
        "scans row {scan}: its files rows no longer match",
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_verify_names_the_row_that_differs(
    db: Database, db_url: str, attack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = record_history(db)
    assert main([*acting_as(db_url, TEST_ADMIN.name), "audit", "verify"]) == 0
    assert "the tables agree with it" in capsys.readouterr().out
    faq = item(db, scan, FAQ)
    names = {
        "scan": scan,
        "faq": faq.id,
        "faq_decision": events(db, "decision.record")[0].seq,
    }
    statements, expected = ATTACKS[attack]
    line = problem_after(db, db_url, statements.format(**names), capsys)
    assert line.startswith("ospo-tui: the tables differ from the audit trail: ")
    assert expected.format(**names) in line
    with admin_reading(db) as snapshot:
        result = verify_trail(snapshot)
    assert result.first_break is None and result.difference is not None
    assert not result.ok


def test_cutting_the_last_events_shows_in_the_rows_they_wrote(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The answer was the last event: cut it, and the file's state was set by no event."""
    record_history(db)
    last = events(db)[-1]
    assert last.action == "question.answer"
    line = problem_after(
        db, db_url, f"!audit_events; DELETE FROM audit_events WHERE seq = {last.seq}", capsys
    )
    assert "('zlib-1.2.11/FAQ'): state is 'decided' but the audit trail says 'question'" in line
    assert main([*acting_as(db_url, TEST_ADMIN.name), "audit", "verify", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["first_break"] is None
    assert result["difference"] == result["problem"] == line.removeprefix("ospo-tui: ")


def test_a_replayed_history_of_every_kind_verifies(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bulk, undo, reuse on a rescan, a policy load: the tables agree with the replay."""
    from ospo_tui.services.ingest.importer import import_scan_file
    from ospo_tui.services.policy.versions import load_policy
    from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, undo_bulk

    scan = record_history(db)
    bulk = apply_bulk(db, RITA, BulkSelection(scan, path_glob="*.c"), "Zlib", "identified")
    undo_bulk(db, RITA, bulk.bulk_id)
    apply_bulk(db, RITA, BulkSelection(scan, path_glob="*.h"), "Zlib", "irrelevant")
    policy = tmp_path / "policies.yml"
    policy.write_text("license_policies:\n  - license_key: zlib\n    compliance_alert: warning\n")
    load_policy(db, TEST_ADMIN, policy)
    import_scan_file(db, ZLIB, project="zlib", actor=RITA, force=True)  # reuses the decisions
    assert main([*acting_as(db_url, TEST_ADMIN.name), "audit", "verify"]) == 0, (
        capsys.readouterr().err
    )


@given(
    text=st.text(),
    subject=st.one_of(st.none(), st.text()),
    project=st.one_of(st.none(), st.integers()),
    seq=st.integers(min_value=1),
)
@settings(max_examples=300, deadline=None)
def test_event_hashes_are_over_canonical_json_however_it_is_written(
    text: str, subject: str | None, project: int | None, seq: int
) -> None:
    """Verification writes an event's JSON directly, for speed: it must be canonical_json's."""
    body = event_body(
        seq=seq,
        occurred_at=text,
        actor=text[::-1],
        role="reviewer",
        action="decision.record",
        subject_type="review_item",
        subject_id=subject,
        project_id=project,
        payload=canonical_json({"text": text, "n": project}),
    )
    expected = hashlib.sha256(
        (GENESIS_HASH + canonical_json(body)).encode("utf-8", "surrogatepass")
    )
    try:
        assert chain_hash(GENESIS_HASH, body) == expected.hexdigest()
    except UnicodeEncodeError:  # a lone surrogate: no event can hold one, either way
        pass


def test_digests_and_replay_agree_after_a_copy_to_the_other_backend(
    sqlite_db: Database, pg_url: str, tmp_path: Path
) -> None:
    """Digests are over values as each driver returns them: SQLite's and PostgreSQL's agree."""
    from ospo_tui.services.database.copy import copy_database

    record_history(sqlite_db)
    team = Database(pg_url)
    copy_database(sqlite_db, team, TEST_ADMIN)
    with admin_reading(team) as snapshot:
        result = verify_trail(snapshot)
    assert result.ok, result.problem
    team.dispose()
