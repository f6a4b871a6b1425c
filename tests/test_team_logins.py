"""Team mode on PostgreSQL: each member connects as their own login, which is their name.

A member's login holds only what ``members login`` grants, so the attacks a shared owner login
allowed (TRUNCATE, DISABLE TRIGGER, ALTER, UPDATE/DELETE of append-only rows) are refused by the
server, and ``--user`` cannot claim someone else. After each attack the trail still verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.exc import DBAPIError

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.models import APPEND_ONLY_TABLES, AuditEvent, Decision
from ospo_tui.services.access.identity import actor_for_writing
from ospo_tui.services.access.members import add_member
from ospo_tui.services.database.logins import create_member_login
from ospo_tui.services.trail.chain import verify_chain
from tests.decision_helpers import import_zlib
from tests.reliability_support import fingerprint


@dataclass(frozen=True)
class TeamServer:
    owner_url: str
    member: str
    member_url: str
    auditor_url: str
    scan_id: int


def _drop_logins(url: str, names: list[str]) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    engine.dispose()


@pytest.fixture
def team(pg_url: str) -> Iterator[TeamServer]:
    """The owner login is the first user (admin); a reviewer and an auditor get logins."""
    db = open_database(pg_url)
    owner = actor_for_writing(db, str(make_url(pg_url).username))
    suffix = uuid.uuid4().hex[:8]
    member, auditor = f"rev_{suffix}", f"aud_{suffix}"
    create_member_login(db, owner, member, "reviewer")
    create_member_login(db, owner, auditor, "auditor")
    add_member(db, owner, member, "reviewer")
    add_member(db, owner, auditor, "auditor")
    scan_id = import_zlib(db)
    db.dispose()
    parsed = make_url(pg_url)
    try:
        yield TeamServer(
            pg_url,
            member,
            parsed.set(username=member).render_as_string(hide_password=False),
            parsed.set(username=auditor).render_as_string(hide_password=False),
            scan_id,
        )
    finally:
        _drop_logins(pg_url, [member, auditor])


def _attempt(url: str, statement: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        return str(exc.orig)
    finally:
        engine.dispose()
    return "accepted"


ATTACKS = [
    "TRUNCATE audit_events, decisions, question_messages",
    "TRUNCATE audit_events CASCADE",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "ALTER TABLE decisions DISABLE TRIGGER decisions_append_only",
    "ALTER TABLE audit_events ADD COLUMN forged text",
    "DROP TRIGGER audit_events_no_truncate ON audit_events",
    "UPDATE audit_events SET actor = 'someone else'",
    "DELETE FROM audit_events",
    "UPDATE decisions SET concluded_expression = 'GPL-3.0-only'",
    "UPDATE package_decisions SET concluded_expression = 'GPL-3.0-only'",
    "TRUNCATE package_decisions",
    "DELETE FROM members",
    "INSERT INTO members (name, role, added_at) VALUES ('mallory', 'admin', 'now')",
]


def test_a_member_login_decides_and_its_events_name_the_login(
    team: TeamServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bulk", "--glob", "*.c", "--license", "Zlib", "--yes"]
    # --user may repeat the login's own name.
    assert main(["--db", team.member_url, "--user", team.member, *argv]) == 0, (
        capsys.readouterr().err
    )
    db = Database(team.owner_url)
    with db.session() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last is not None and last.action.startswith("decision")
        assert (last.actor, last.db_login, last.role) == (team.member, team.member, "reviewer")
        assert last.os_user and last.host
        assert session.scalar(select(Decision.actor).limit(1)) == team.member
    db.dispose()


@pytest.mark.parametrize("statement", ATTACKS)
def test_a_member_login_cannot_rewrite_the_trail(team: TeamServer, statement: str) -> None:
    db = Database(team.owner_url)
    before = fingerprint(db)
    refusal = _attempt(team.member_url, statement)
    assert refusal != "accepted"
    assert "permission denied" in refusal or "must be owner" in refusal, refusal
    assert fingerprint(db) == before and before.ok and before.events > 0
    db.dispose()


def test_even_the_owner_cannot_truncate_the_append_only_tables(team: TeamServer) -> None:
    db = Database(team.owner_url)
    before = fingerprint(db)
    for table in APPEND_ONLY_TABLES:
        assert "append-only" in _attempt(team.owner_url, f"TRUNCATE {table} CASCADE")
    assert fingerprint(db) == before
    db.dispose()


def test_user_cannot_claim_another_name(
    team: TeamServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(team.owner_url)
    before = fingerprint(db)
    owner = str(make_url(team.owner_url).username)
    argv = ["bulk", "--glob", "*", "--license", "MIT", "--yes"]
    assert main(["--db", team.auditor_url, "--user", owner, *argv]) == 3
    assert "cannot claim" in capsys.readouterr().err
    monkeypatch.setenv("OSPO_TUI_USER", owner)
    assert main(["--db", team.auditor_url, *argv]) == 3
    assert "cannot claim" in capsys.readouterr().err
    monkeypatch.delenv("OSPO_TUI_USER")
    # As itself the auditor is refused by its role, and the refusal names the real login.
    assert main(["--db", team.auditor_url, *argv]) == 3
    with db.session() as session:
        assert verify_chain(session).ok
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.denied")
        ).all()
    assert [(e.actor, e.db_login) for e in denied][-1][1] == denied[-1].actor != owner
    assert fingerprint(db).rows["decisions"] == before.rows["decisions"]
    db.dispose()


def test_members_login_prints_the_grants_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql+psycopg://owner@db.example.org/ospo_review"
    assert main(["--db", url, "members", "login", "ed", "--role", "engineer"]) == 0
    sql = capsys.readouterr().out
    assert 'CREATE ROLE "ed" LOGIN' in sql and 'ON DATABASE "ospo_review"' in sql
    assert 'GRANT INSERT ON question_messages TO "ed"' in sql
    assert "decisions TO" not in sql and "TRUNCATE" not in sql and "members TO" not in sql
    assert main(["--db", url, "members", "login", 'x"; DROP', "--role", "admin"]) == 0
    assert '"x""; DROP"' in capsys.readouterr().out  # quoted as one identifier


def test_members_login_execute_is_postgresql_only(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--db", sqlite_url, "members", "login", "ed", "--role", "engineer", "--execute"]
    assert main(argv) == 2
    assert "PostgreSQL only" in capsys.readouterr().err
