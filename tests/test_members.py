"""Members and roles: first user admin, admin-only management, last-admin guard, guests, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from ospo_tui.models import AuditEvent, Member
from ospo_tui.services.access.identity import resolve_actor, resolve_user_name
from ospo_tui.services.access.members import add_member, list_members, remove_member, set_role
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.team_support import ADMIN, AUDITOR, ENGINEER, REVIEWER, denied_events


def member_events(db: Database) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    with db.session() as s:
        return [
            (e.action, e.actor, json.loads(e.payload))
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("member.%"))
                .order_by(AuditEvent.seq)
            )
        ]


def test_first_user_is_admin_and_later_strangers_are_guests(db: Database) -> None:
    with db.session() as s:
        assert resolve_actor(s, "root") == Actor("root", "admin")
    with db.session() as s:
        assert resolve_actor(s, "root") == Actor("root", "admin")
        assert resolve_actor(s, "stranger") == Actor("stranger", "guest")
        assert s.scalar(select(Member.name).where(Member.name == "stranger")) is None
    assert member_events(db) == [
        ("member.add", "ospo-tui", {"first_user": True, "name": "root", "role": "admin"})
    ]


def test_admin_manages_members_and_every_change_is_audited(db: Database) -> None:
    with db.session() as s:
        resolve_actor(s, "root")
    assert add_member(db, ADMIN, " rita ", "Reviewer").role == "reviewer"
    add_member(db, ADMIN, "ed", "engineer")
    assert set_role(db, ADMIN, "ed", "auditor").role == "auditor"
    remove_member(db, ADMIN, "ed")
    assert [(m.name, m.role, m.added_by) for m in list_members(db, REVIEWER)] == [
        ("rita", "reviewer", "root"),
        ("root", "admin", "ospo-tui"),
    ]
    assert [(m.name) for m in list_members(db, AUDITOR, "admin")] == ["root"]
    assert [(a, who, p) for a, who, p in member_events(db)][1:] == [
        ("member.add", "root", {"name": "rita", "role": "reviewer"}),
        ("member.add", "root", {"name": "ed", "role": "engineer"}),
        ("member.role", "root", {"name": "ed", "new": "auditor", "old": "engineer"}),
        ("member.remove", "root", {"name": "ed", "role": "auditor"}),
    ]
    with db.session() as s:
        assert verify_chain(s).ok


def test_bad_member_changes_are_refused(db: Database) -> None:
    with db.session() as s:
        resolve_actor(s, "root")
    add_member(db, ADMIN, "rita", "reviewer")
    with pytest.raises(ConflictError, match="rita is already a member"):
        add_member(db, ADMIN, "rita", "engineer")
    with pytest.raises(InputError, match="unknown role 'lawyer'"):
        add_member(db, ADMIN, "bob", "lawyer")
    with pytest.raises(InputError, match="unknown role 'guest'"):
        add_member(db, ADMIN, "bob", "guest")
    with pytest.raises(InputError, match="invalid user name"):
        add_member(db, ADMIN, "bad\x1b[2Jname", "reviewer")
    with pytest.raises(NotFoundError, match="nobody is not a member"):
        set_role(db, ADMIN, "nobody", "reviewer")
    with pytest.raises(ConflictError, match="root is the last admin"):
        set_role(db, ADMIN, "root", "reviewer")
    with pytest.raises(ConflictError, match="root is the last admin"):
        remove_member(db, ADMIN, "root")
    set_role(db, ADMIN, "rita", "admin")
    set_role(db, ADMIN, "root", "reviewer")  # another admin exists now
    assert len(member_events(db)) == 4  # first user, rita added, rita admin, root reviewer


@pytest.mark.parametrize("actor", [REVIEWER, ENGINEER, AUDITOR, Actor("mallory", "guest")])
def test_only_admins_manage_members(db: Database, actor: Actor) -> None:
    with db.session() as s:
        resolve_actor(s, "root")
    with pytest.raises(PermissionDenied, match=f"{actor.name} .*may not manage members bob"):
        add_member(db, actor, "bob", "admin")
    with pytest.raises(PermissionDenied):
        set_role(db, actor, "root", "engineer")
    with pytest.raises(PermissionDenied):
        remove_member(db, actor, "root")
    assert denied_events(db, "manage_members") == 3
    assert len(member_events(db)) == 1


def test_user_name_comes_from_flag_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSPO_TUI_USER", "from-env")
    assert resolve_user_name("from-flag") == "from-flag"
    assert resolve_user_name(None) == "from-env"
    monkeypatch.delenv("OSPO_TUI_USER")
    assert resolve_user_name(None)  # the OS user
    with pytest.raises(InputError):
        resolve_user_name("evil\u202ename")


def test_members_cli(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    def run(user: str, *args: str) -> tuple[int, str, str]:
        code = main(["--db", sqlite_db.url, "--user", user, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("root", "whoami")[1].startswith("root\tadmin\nmay: import, scan, decide")
    assert run("root", "members", "add", "ed", "--role", "engineer") == (
        0,
        "added ed as engineer\n",
        "",
    )
    code, out, _ = run("ed", "whoami")
    assert out.splitlines() == ["ed\tengineer", "may: answer, comment, verify, read"]
    code, out, _ = run("mallory", "whoami")
    assert "not a member of this database" in out
    code, _, err = run("ed", "members", "add", "x", "--role", "admin")
    assert code == 3
    assert "ed (engineer) may not manage members x; it needs the role admin" in err
    assert run("root", "members", "set-role", "ed", "reviewer")[1] == "ed is now reviewer\n"
    code, out, _ = run("ed", "members", "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        ["name", "role"],
        ["ed", "reviewer"],
        ["root", "admin"],
    ]
    with pytest.raises(SystemExit) as exited:
        run("root", "members", "add", "z", "--role", "boss")
    assert exited.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_guests_read_nothing_until_an_admin_adds_them(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.team_support import ZLIB_SCAN

    def run(user: str, *args: str) -> tuple[int, str, str]:
        code = main(["--db", sqlite_db.url, "--user", user, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("root", "import", str(ZLIB_SCAN), "--project", "zlib")[0] == 0
    for command in (["projects"], ["scans"], ["queue"], ["questions"], ["members", "list"]):
        code, out, err = run("mallory", *command)
        assert (code, out) == (3, ""), command
        assert "mallory is not a member of this database" in err, command
        assert "ospo-tui members add mallory --role reviewer|engineer|auditor" in err
    assert denied_events(sqlite_db, "read") == 5
    run("root", "members", "add", "mallory", "--role", "auditor")
    code, out, _ = run("mallory", "queue", "--limit", "1")
    assert code == 0 and out.startswith("priority\tstate\tpath")
