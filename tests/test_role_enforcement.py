"""Every action of ``roles.PERMISSIONS``, attempted by every role through the real service.

An allowed role gets past the check (the service does its work, or fails later for a reason
that is not the role); a refused role gets PermissionDenied, exactly one ``access.denied`` audit
event naming the action, and no other change to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.errors import InputError, NotFoundError, OspoError, PermissionDenied
from ospo_tui.models import AuditEvent
from ospo_tui.services.access.members import add_member, list_members
from ospo_tui.services.access.roles import PERMISSIONS, allowed
from ospo_tui.services.audit.verify import verify_audit_trail
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.policy.versions import load_policy
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.bulk import undo_bulk
from ospo_tui.services.review.custom_licenses import register_custom_license
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.false_positives import mark_false_positive
from ospo_tui.services.review.question_threads import QuestionFilter, list_questions
from ospo_tui.services.scanning.runner import ScanRequest, run_scan
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES
from tests.team_support import (
    ADMIN,
    AUDITOR,
    ENGINEER,
    GUEST,
    REVIEWER,
    Team,
    make_team,
)

ROLES = (REVIEWER, ENGINEER, AUDITOR, ADMIN, GUEST)
POLICY = "license_policies:\n  - {license_key: zlib, label: Approved, compliance_alert: ''}\n"

# What each role may do, written out by hand from the issue so a change to PERMISSIONS that
# widens a role shows up here as a failure, not as silently granted power.
EXPECTED: dict[str, set[str]] = {
    "import": {"reviewer", "admin"},
    "scan": {"reviewer", "admin"},
    "decide": {"reviewer", "admin"},
    "undo": {"reviewer", "admin"},
    "ask": {"reviewer", "admin"},
    "resolve_question": {"reviewer", "admin"},
    "reopen_question": {"reviewer", "admin"},
    "answer": {"engineer", "admin"},
    "comment": {"reviewer", "engineer", "admin"},
    "load_policy": {"reviewer", "admin"},
    "register_license": {"reviewer", "admin"},
    "mark_copyright": {"reviewer", "admin"},
    "manage_members": {"admin"},
    "export": {"reviewer", "auditor", "admin"},
    "read_private": {"reviewer", "admin"},
    "verify": {"reviewer", "engineer", "auditor", "admin"},
    "read": {"reviewer", "engineer", "auditor", "admin"},
}


class World:
    """The team plus what an attempt needs, prepared by an admin before the attempt."""

    def __init__(self, db: Database, team: Team, tmp: Path) -> None:
        self.db, self.team, self.tmp = db, team, tmp

    def question(self, *, answered: bool = False) -> int:
        view = q.ask(self.db, ADMIN, self.team.item_id, ENGINEER.name, "Shipped?")
        if answered:
            q.answer(self.db, ENGINEER, view.id, "Yes.")
        return view.id


Attempt = Callable[[World, Actor], Any]


def _policy(world: World, actor: Actor) -> Any:
    path = world.tmp / f"policy-{actor.name}.yml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(world.db, actor, path)


ATTEMPTS: dict[str, Attempt] = {
    "import": lambda w, a: import_scan_file(
        w.db,
        SCANCODE_FIXTURES / "asgiref-3.3.0_toolkit_scan.json",
        project=f"asgiref-{a.name}",
        actor=a,
    ),
    # A missing root fails right after the role check, before any worker process starts.
    "scan": lambda w, a: run_scan(w.db, ScanRequest(root=str(w.tmp / "absent"), project="s"), a),
    "decide": lambda w, a: decide(w.db, a, w.team.item_id, None, "Zlib", "identified"),
    "undo": lambda w, a: undo_bulk(w.db, a, "no-such-bulk"),
    "ask": lambda w, a: q.ask(w.db, a, w.team.item_id, ENGINEER.name, "Copied from zlib?"),
    "answer": lambda w, a: q.answer(w.db, a, w.question(), "Yes, unchanged."),
    "comment": lambda w, a: q.comment(w.db, a, w.question(), "See the vendoring commit."),
    "resolve_question": lambda w, a: q.resolve(w.db, a, w.question()),
    "reopen_question": lambda w, a: q.reopen(w.db, a, w.question(answered=True), "Not clear."),
    "load_policy": _policy,
    "register_license": lambda w, a: register_custom_license(
        w.db, a, f"LicenseRef-acme-{a.name}", "ACME EULA", "May be used inside ACME only."
    ),
    "mark_copyright": lambda w, a: mark_false_positive(w.db, a, 999_999),
    "manage_members": lambda w, a: add_member(w.db, a, f"new-{a.name}", "engineer"),
    "export": lambda w, a: run_export(
        w.db, a, "decision-log", w.tmp / f"log-{a.name}.csv", project="zlib"
    ),
    "read_private": lambda w, a: run_export(
        w.db, a, "decision-log", w.tmp / f"private-{a.name}.csv", include_private=True
    ),
    "verify": lambda w, a: verify_audit_trail(w.db, a),
    "read": lambda w, a: (
        list_questions(w.db, a, QuestionFilter()),
        list_members(w.db, a),
    ),
}
# Allowed attempts that stop after the role check, and the reason they stop.
STOPS_AFTER_CHECK: dict[str, tuple[type[OspoError], str]] = {
    "scan": (InputError, "no such file or directory"),
    "undo": (NotFoundError, "no bulk operation 'no-such-bulk'"),
    "mark_copyright": (NotFoundError, "no copyright detection 999999"),
}


def test_every_action_has_an_attempt_and_an_expectation() -> None:
    assert set(ATTEMPTS) == set(PERMISSIONS) == set(EXPECTED)
    for action, roles in EXPECTED.items():
        assert {
            r
            for r in ("reviewer", "engineer", "auditor", "admin")
            if allowed(Actor("x", r), action)
        } == roles, action
        assert not allowed(GUEST, action), action


def _events(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as s:
        return [
            (e.action, e.actor, e.subject_id)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


@pytest.mark.parametrize("action", sorted(PERMISSIONS))
def test_role_enforcement(db: Database, tmp_path: Path, action: str) -> None:
    world = World(db, make_team(db), tmp_path)
    attempt = ATTEMPTS[action]
    for actor in ROLES:
        if actor.role in EXPECTED[action]:
            stop = STOPS_AFTER_CHECK.get(action)
            if stop is None:
                assert attempt(world, actor) is not None, (action, actor)
            else:
                with pytest.raises(stop[0], match=stop[1]):
                    attempt(world, actor)
            continue
        if action in ("answer", "comment", "resolve_question", "reopen_question"):
            prepared = world.question(answered=action == "reopen_question")
            refused: Attempt = _with_question(action, prepared)
        else:
            refused = attempt
        before = _events(db)
        with pytest.raises(PermissionDenied) as denied:
            refused(world, actor)
        message = str(denied.value)
        assert message.startswith(actor.name), message
        if actor.role == "guest":
            assert "not a member of this database" in message
            assert f"ospo-tui members add {actor.name} --role" in message
        else:
            assert f"({actor.role}) may not" in message and "it needs the role" in message
        after = _events(db)
        assert after[: len(before)] == before
        assert after[len(before) :] == [("access.denied", actor.name, action)], (action, actor)


def _with_question(action: str, question_id: int) -> Attempt:
    calls: dict[str, Attempt] = {
        "answer": lambda w, a: q.answer(w.db, a, question_id, "Yes."),
        "comment": lambda w, a: q.comment(w.db, a, question_id, "Hm."),
        "resolve_question": lambda w, a: q.resolve(w.db, a, question_id),
        "reopen_question": lambda w, a: q.reopen(w.db, a, question_id, "Why?"),
    }
    return calls[action]
