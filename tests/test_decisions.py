"""Decisions on a real zlib scan: every type, NONE/NOASSERTION, bad input, conflicts, roles."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.models import Decision, ReviewItem
from ospo_tui.services.licenses.spdx_validation import complete_last_token, normalise_spdx
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, undo_bulk
from ospo_tui.services.review.decision_fields import DECISION_TYPES
from ospo_tui.services.review.decision_records import current_decision
from ospo_tui.services.review.decisions import DecisionConflict, decide
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.conftest import SCANCODE_FIXTURES
from tests.decision_helpers import (
    BOB,
    RITA,
    event_count,
    events,
    import_zlib,
    item,
    payload,
    rescan,
)

FAQ = "zlib-1.2.11/FAQ"
ADLER = "zlib-1.2.11/adler32.c"
CRC = "zlib-1.2.11/crc32.c"


@pytest.mark.parametrize(
    ("decision_type", "state"),
    [
        ("identified", "decided"),
        ("to_discuss", "to_discuss"),
        ("irrelevant", "decided"),
        ("do_not_use", "decided"),
        ("non_functional", "decided"),
    ],
)
def test_every_decision_type_is_recorded_with_its_event(
    sqlite_db: Database, decision_type: str, state: str
) -> None:
    scan = import_zlib(sqlite_db)
    target = item(sqlite_db, scan, ADLER)
    result = decide(
        sqlite_db,
        RITA,
        target.id,
        target.version,
        "zlib",
        decision_type,
        "code",
        "Zlib as in the header",
        "checked against upstream",
    )
    assert result.state == state
    assert result.version == target.version + 1
    after = item(sqlite_db, scan, ADLER)
    assert (after.state, after.concluded_expression, after.version) == (state, "Zlib", 2)
    assert after.current_decision_id == result.decision.id
    (event,) = events(sqlite_db, "decision.record")
    body = payload(event)
    assert (event.actor, event.role, event.subject_id) == ("rita", "reviewer", str(target.id))
    assert body["old"]["state"] == "open" and body["old"]["concluded_expression"] is None
    assert body["new"] == {
        "concluded_expression": "Zlib",
        "decision_type": decision_type,
        "reason": "code",
        "public_note": "Zlib as in the header",
        "private_comment_sha256": hashlib.sha256(b"checked against upstream").hexdigest(),
        "state": state,
        "decision_id": result.decision.id,
        "version": 2,
    }
    assert result.decision.event_seq == event.seq
    assert set(DECISION_TYPES) >= {decision_type}


@pytest.mark.parametrize("special", ["NONE", "noassertion"])
def test_none_and_noassertion_are_accepted_alone(db: Database, special: str) -> None:
    scan = import_zlib(db)
    target = item(db, scan, FAQ)
    result = decide(db, RITA, target.id, 1, special, "identified", "not_detected")
    assert result.decision.fields.concluded_expression == special.upper()
    assert item(db, scan, FAQ).concluded_expression == special.upper()


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "a concluded license is required"),
        ("MTI", "unknown license key 'MTI' (did you mean 'MIT'"),
        ("MIT AND not-a-license", "unknown license key 'not-a-license'"),
        ("MIT AND", "invalid license expression 'MIT AND'"),
        ("(MIT OR Apache-2.0", "invalid license expression"),
        ("MIT WITH Apache-2.0", "'Apache-2.0' is a license, not an exception"),
        ("Classpath-exception-2.0", "is an exception: it must follow a license and WITH"),
        ("MIT OR NONE", "NONE must stand alone"),
        ("MIT\x1b[31m", "control characters"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_written(
    sqlite_db: Database, expression: str, message: str
) -> None:
    scan = import_zlib(sqlite_db)
    target = item(sqlite_db, scan, FAQ)
    before = event_count(sqlite_db)
    with pytest.raises(InputError, match=None) as raised:
        decide(sqlite_db, RITA, target.id, 1, expression, "identified")
    assert message in str(raised.value)
    assert event_count(sqlite_db) == before
    assert item(sqlite_db, scan, FAQ).version == 1


def test_unknown_type_and_reason_are_refused(sqlite_db: Database) -> None:
    scan = import_zlib(sqlite_db)
    target = item(sqlite_db, scan, FAQ)
    with pytest.raises(InputError, match="unknown decision type 'approved'"):
        decide(sqlite_db, RITA, target.id, 1, "MIT", "approved")
    with pytest.raises(InputError, match="unknown reason 'because'"):
        decide(sqlite_db, RITA, target.id, 1, "MIT", "identified", "because")


def test_expressions_are_normalised_to_spdx_over_scancode_keys() -> None:
    assert normalise_spdx("gpl-2.0-plus with gnat-exception") == (
        "GPL-2.0-or-later WITH GNAT-exception"
    )
    assert normalise_spdx("(mit or bsd-new) and apache-2.0") == (
        "(MIT OR BSD-3-Clause) AND Apache-2.0"
    )
    assert (
        normalise_spdx("LicenseRef-scancode-public-domain") == "LicenseRef-scancode-public-domain"
    )
    assert normalise_spdx("public-domain") == "LicenseRef-scancode-public-domain"
    assert normalise_spdx("GPL-2.0+") == "GPL-2.0-or-later"
    assert normalise_spdx("mit AND mit") == "MIT"
    # SPDX BSL-1.0 is the Boost license, not ScanCode's key bsl-1.0 (Business Source).
    assert normalise_spdx("BSL-1.0") == "BSL-1.0"
    assert complete_last_token("MIT OR apache-2") == "MIT OR apache-2.0"
    assert complete_last_token("(gpl-2.0-or-l") == "(gpl-2.0-or-later"
    assert complete_last_token("MIT AND") is None


@pytest.mark.parametrize(
    "fixture", ["zlib-v32rc3.json", "python-libs-boolean-license_expression-click_v32.5.0.json"]
)
def test_every_detected_expression_prefills_a_valid_decision(
    sqlite_db: Database, fixture: str
) -> None:
    """Agreeing with the scanner is one keystroke, except where ScanCode's expression is not
    valid SPDX (a bare exception ANDed in): then the reviewer is told why."""
    scan = import_zlib(sqlite_db, SCANCODE_FIXTURES / fixture, project=fixture)
    with sqlite_db.session() as session:
        detected = session.scalars(
            select(ReviewItem.detected_spdx)
            .where(ReviewItem.scan_id == scan, ReviewItem.detected_spdx.is_not(None))
            .distinct()
        ).all()
    assert len(detected) >= 5
    refused = []
    for expression in detected:
        try:
            assert normalise_spdx(expression)
        except InputError as err:
            assert "is an exception: it must follow a license and WITH" in str(err)
            refused.append(expression)
    assert len(refused) < len(detected) / 2


def test_two_reviewers_at_once_second_is_told_and_shown_the_other(db: Database) -> None:
    scan = import_zlib(db)
    seen = item(db, scan, FAQ)  # both reviewers opened the file at version 1
    first = decide(db, RITA, seen.id, seen.version, "GPL-1.0-or-later", "identified")
    with pytest.raises(DecisionConflict) as raised:
        decide(db, BOB, seen.id, seen.version, "MIT", "do_not_use")
    conflict = raised.value
    assert conflict.current is not None and conflict.current.id == first.decision.id
    assert "rita decided GPL-1.0-or-later (Identified)" in str(conflict)
    assert conflict.exit_code == 4
    # Bob sees Rita's decision, decides again on the new version: nothing is lost.
    second = decide(db, BOB, seen.id, conflict.actual_version, "MIT", "do_not_use")
    assert second.previous is not None and second.previous.id == first.decision.id
    assert second.decision.supersedes_id == first.decision.id
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 2
        assert current_decision(session, seen.id) == second.decision
        assert verify_chain(session).ok
    old = payload(events(db, "decision.record")[1])["old"]
    assert (old["concluded_expression"], old["decision_type"], old["version"]) == (
        "GPL-1.0-or-later",
        "identified",
        2,
    )


def test_roles_without_decide_are_refused_and_audited(sqlite_db: Database) -> None:
    scan = import_zlib(sqlite_db)
    target = item(sqlite_db, scan, FAQ)
    with pytest.raises(PermissionDenied):
        decide(sqlite_db, Actor("eve", "engineer"), target.id, 1, "MIT", "identified")
    assert item(sqlite_db, scan, FAQ).current_decision_id is None
    assert [e.actor for e in events(sqlite_db, "access.denied")] == ["eve"]


@pytest.mark.parametrize("bulk", [False, True], ids=["single", "bulk"])
def test_a_refused_role_is_refused_before_its_input_is_checked(db: Database, bulk: bool) -> None:
    """An auditor sending a bad expression is refused (and audited), not told what is wrong."""
    scan = import_zlib(db)
    target = item(db, scan, FAQ)
    auditor = Actor("alice", "auditor")
    with pytest.raises(PermissionDenied) as refused:
        if bulk:
            apply_bulk(db, auditor, BulkSelection(scan, path_glob="*"), "MIT AND", "identified")
        else:
            decide(db, auditor, target.id, 1, "MIT AND", "no-such-type")
    (denied,) = events(db, "access.denied")
    assert (denied.actor, denied.role, payload(denied)["action"]) == ("alice", "auditor", "decide")
    if not bulk:  # the refusal names the file, not its database id
        assert repr(FAQ) in str(refused.value) and f"file {target.id}" not in str(refused.value)
        assert payload(denied)["subject"] == f"file {FAQ!r}"
    assert item(db, scan, FAQ).current_decision_id is None
    assert not events(db, "decision.record") and not events(db, "decision.bulk")


def test_no_audit_event_holds_a_private_comment_in_clear(db: Database, tmp_path: Path) -> None:
    """Single, bulk, undo and reuse all record a private comment as its SHA-256 only."""
    secret, bulk_secret = "vendor said MIT on the phone ✓", "bulk: legal agreed ✓"
    scan = import_zlib(db)
    adler = item(db, scan, ADLER)
    decide(db, RITA, adler.id, 1, "Zlib", "identified", private_comment=secret)
    bulk = apply_bulk(
        db,
        RITA,
        BulkSelection(scan, same_expression="Zlib"),
        "Zlib",
        "identified",
        private_comment=bulk_secret,
    )
    undo_bulk(db, BOB, bulk.bulk_id)  # gives adler32.c its own decision back, comment and all
    import_zlib(db, rescan(tmp_path, changed_findings=FAQ, changed_content=CRC))  # reuse

    digests = {hashlib.sha256(s.encode("utf-8")).hexdigest(): s for s in (secret, bulk_secret)}
    recorded: dict[str, set[str]] = {}
    for event in events(db):
        for text in (secret, bulk_secret):
            for form in (text[:12], json.dumps(text)[1:-1]):  # a prefix, and as JSON escapes it
                assert form not in event.payload, (event.action, event.payload)
        body = payload(event)
        for side in ("old", "new"):
            values = body.get(side) or {}
            assert "private_comment" not in values
            if values.get("private_comment_sha256"):
                recorded.setdefault(event.action, set()).add(
                    digests[values["private_comment_sha256"]]
                )
    assert recorded == {
        "decision.record": {secret},
        "decision.bulk": {secret, bulk_secret},  # adler32.c's old value, the bulk's new one
        "decision.undo": {secret, bulk_secret},
        "decision.reuse": {secret},
    }
    with db.session() as session:  # the text is kept on the decision rows, for reviewers
        kept = session.execute(select(Decision.origin, Decision.private_comment)).all()
        assert {(o, c) for o, c in kept if c} == {
            ("manual", secret),
            ("bulk", bulk_secret),
            ("undo", secret),
            ("reuse", secret),
        }
        shown = current_decision(session, adler.id)
        assert shown is not None and shown.fields.private_comment == secret


def test_decisions_are_append_only(db: Database) -> None:
    scan = import_zlib(db)
    target = item(db, scan, FAQ)
    decide(db, RITA, target.id, 1, "MIT", "identified")
    with pytest.raises(Exception, match="append-only"), db.session() as session:
        session.execute(Decision.__table__.update().values(concluded_expression="Apache-2.0"))
    with pytest.raises(Exception, match="append-only"), db.session() as session:
        session.execute(Decision.__table__.delete())


def test_deciding_without_a_version_supersedes_the_current_decision(db: Database) -> None:
    """Scripts that pass no version take a row lock and supersede whatever is current."""
    scan = import_zlib(db)
    target = item(db, scan, FAQ)
    first = decide(db, RITA, target.id, None, "MIT", "identified")
    second = decide(db, BOB, target.id, None, "NOASSERTION", "to_discuss")
    assert second.decision.supersedes_id == first.decision.id
    assert second.previous == first.decision
    assert (second.version, item(db, scan, FAQ).state) == (3, "to_discuss")
