"""Tampering with the audit trail by raw SQL: `audit verify` names the event and exits non-zero."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.review.decisions import decide
from tests.conftest import admin_reading
from tests.decision_helpers import BOB, RITA, events, import_zlib, item


def _record_history(db: Database) -> int:
    """An import and three decisions; returns the seq of the middle decision's event."""
    scan = import_zlib(db)
    for actor, path, expression in (
        (RITA, "zlib-1.2.11/FAQ", "GPL-1.0-or-later"),
        (BOB, "zlib-1.2.11/adler32.c", "Zlib"),
        (RITA, "zlib-1.2.11/crc32.c", "Zlib"),
    ):
        decide(db, actor, item(db, scan, path).id, 1, expression, "identified")
    return events(db, "decision.record")[1].seq


def _drop_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER ALL")
    else:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")


def _edit(conn: Connection, seq: int) -> None:
    conn.execute(
        text("UPDATE audit_events SET payload = replace(payload, 'Zlib', 'MIT') WHERE seq = :s"),
        {"s": seq},
    )


def _delete(conn: Connection, seq: int) -> None:
    conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})


def _reorder(conn: Connection, seq: int) -> None:
    """Swap the sequence numbers of two neighbouring events."""
    for old, new in ((seq, -1), (seq + 1, seq), (-1, seq + 1)):
        conn.execute(text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": new, "o": old})


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (_edit, "content does not match its hash (edited)"),
        (_delete, "is missing"),
        (_reorder, "prev_hash does not match the previous event's hash"),
    ],
    ids=["edit", "delete", "reorder"],
)
def test_verify_names_the_tampered_event(
    db: Database,
    db_url: str,
    tamper: Callable[[Connection, int], None],
    problem: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = _record_history(db)
    assert main(["--db", db_url, "audit", "verify"]) == 0
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        tamper(conn, target)  # the triggers refuse it first
    with db.engine.begin() as conn:
        _drop_triggers(conn)
        tamper(conn, target)
    with admin_reading(db) as snapshot:
        result = verify_trail(snapshot)
    assert result.first_break is not None
    assert result.first_break.seq == target
    assert problem in result.first_break.problem
    capsys.readouterr()
    assert main(["--db", db_url, "audit", "verify"]) == 1
    assert f"audit chain broken at event {target}: " in capsys.readouterr().err
    assert main(["--db", db_url, "audit", "verify", "--json"]) == 1
    assert f'"first_break": {{"problem": "{result.first_break.problem}", "seq": {target}}}' in (
        capsys.readouterr().out
    )


def test_verify_sees_events_cut_from_the_end(sqlite_db: Database, sqlite_url: str) -> None:
    _record_history(sqlite_db)
    last = events(sqlite_db)[-1].seq
    with sqlite_db.engine.begin() as conn:
        _drop_triggers(conn)
        _delete(conn, last)
    with admin_reading(sqlite_db) as snapshot:
        result = verify_trail(snapshot)
    assert result.first_break is not None and result.first_break.seq == last
    assert "deleted from the end of the chain" in result.first_break.problem
    assert main(["--db", sqlite_url, "audit", "verify"]) == 1
