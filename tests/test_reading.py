"""Reads: one path (``Database.reader``), checked in the services, never holding the write lock.

A guest (not a member of a database that has members) is refused every read service, with an
``access.denied`` event and nothing read; a member's snapshot lets a writer commit meanwhile and
keeps seeing the state it started with. The CLI and the TUI show the refusal, not data.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from textual.widgets import DataTable

from ospo_tui.app import ReviewApp
from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import PermissionDenied
from ospo_tui.models import AuditEvent, Member
from ospo_tui.services.access.members import add_member, remove_member
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.audit.verify import verify_audit_trail, verify_trail
from ospo_tui.services.policy import versions
from ospo_tui.services.review import (
    bulk,
    catalog,
    custom_licenses,
    dashboard,
    decision_context,
    history,
    inspector,
    queue,
    reuse,
    search,
)
from ospo_tui.services.review.bulk import BulkSelection
from ospo_tui.services.review.queue import QueueFilter
from tests.team_support import ADMIN, AUDITOR, GUEST, Team, login_url, make_team
from tests.tui_support import screen_text, settle

ROOT = Path(__file__).resolve().parent.parent

Read = Callable[[Reading, Team], Any]

# Every read service the CLI or the TUI calls, with what it reads.
READS: dict[str, tuple[str, Read]] = {
    "queue page": ("the review queue", lambda r, t: queue.queue_page(r, _all(t))),
    "queue count": ("the review queue", lambda r, t: queue.queue_count(r, _all(t))),
    "queue window": ("the review queue", lambda r, t: queue.queue_window(r, _all(t), around=None)),
    "queue search": (
        "the review queue",
        lambda r, t: queue.queue_search(r, _all(t), "c", start=None),
    ),
    "queue row": ("the review queue", lambda r, t: queue.queue_row(r, t.item_id)),
    "inspector": ("a file", lambda r, t: inspector.load_file_review(r, t.item_id)),
    "item history": ("history", lambda r, t: history.item_history(r, t.item_id)),
    "file history": ("history", lambda r, t: history.file_history(r, t.path)),
    "audit log": ("the audit log", lambda r, t: history.audit_log(r)),
    "dashboard": ("the dashboard", lambda r, t: dashboard.dashboard(r, t.scan_id)),
    "picker scans": ("scans", lambda r, t: catalog.scan_summaries(r)),
    "projects": ("projects", lambda r, t: catalog.project_summaries(r)),
    "decision form": ("a file", lambda r, t: decision_context.decision_context(r, t.item_id)),
    "stale difference": ("a file", lambda r, t: reuse.stale_difference(r, t.item_id)),
    "bulk preview": (
        "files in bulk",
        lambda r, t: bulk.preview_bulk(r, BulkSelection(t.scan_id, path_glob="*")),
    ),
    "policy versions": ("the policy", lambda r, t: versions.policy_history(r)),
    "search": ("the search index", lambda r, t: search.search(r, "zlib")),
    "custom licenses": ("custom licenses", lambda r, t: custom_licenses.registered_licenses(r)),
    "audit chain": ("the audit chain", lambda r, t: verify_trail(r)),
}


def _all(team: Team) -> QueueFilter:
    return QueueFilter(scan_id=team.scan_id, scope="all")


def _events(db: Database) -> list[tuple[str, str, str | None]]:
    with db.reader() as session:
        return [
            (e.action, e.actor, e.subject_id)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


@pytest.fixture
def team_db(db: Database) -> tuple[Database, Team]:
    return db, make_team(db)


@pytest.mark.parametrize("name", sorted(READS))
def test_a_guest_is_refused_every_read_and_the_refusal_is_audited(
    team_db: tuple[Database, Team], name: str
) -> None:
    db, team = team_db
    subject, read = READS[name]
    before = _events(db)
    reached = False
    with pytest.raises(PermissionDenied) as refused:
        with reading(db, GUEST.name, subject) as snapshot:
            reached = True
            read(snapshot, team)
    assert not reached  # nothing was read
    assert str(refused.value).startswith(f"{GUEST.name} is not a member of this database")
    after = _events(db)
    assert after == [*before, ("access.denied", GUEST.name, "read")]
    with reading(db, AUDITOR.name, subject) as snapshot:  # a member reads the same
        assert snapshot.actor == AUDITOR
        read(snapshot, team)


def test_every_read_service_takes_a_reading() -> None:
    """A read service cannot be handed a bare session: the only way to a Reading is reading()."""
    services = {
        queue: (
            "queue_page",
            "queue_page_before",
            "queue_count",
            "queue_position",
            "queue_window",
            "queue_neighbour",
            "queue_search",
            "queue_row",
        ),
        inspector: ("load_file_review",),
        catalog: ("scan_summaries", "project_summaries", "find_project_id", "scan_files"),
        history: ("file_history", "item_history", "audit_log"),
        dashboard: ("review_figures", "directory_bars", "dashboard"),
        decision_context: ("decision_context",),
        reuse: ("stale_difference",),
        bulk: ("preview_bulk",),
        search: ("search", "search_scans"),
        custom_licenses: ("registered_ids", "registered_licenses"),
        versions: ("stored_policy", "policy_summary", "policy_history", "policy_content"),
    }
    for module, names in services.items():
        for name in names:
            first = next(iter(inspect.signature(getattr(module, name)).parameters.values()))
            assert first.annotation in ("Reading", Reading), f"{module.__name__}.{name}"


def test_a_role_removed_applies_to_the_next_read(team_db: tuple[Database, Team]) -> None:
    db, team = team_db
    with reading(db, AUDITOR.name, "scans") as snapshot:
        assert catalog.scan_summaries(snapshot)
    remove_member(db, ADMIN, AUDITOR.name)
    with pytest.raises(PermissionDenied), reading(db, AUDITOR.name, "scans"):
        pass


def test_verifying_the_chain_needs_verify_not_read(team_db: tuple[Database, Team]) -> None:
    db, _ = team_db
    assert verify_audit_trail(db, AUDITOR.name).ok
    with pytest.raises(PermissionDenied):
        verify_audit_trail(db, GUEST.name)
    assert _events(db)[-1] == ("access.denied", GUEST.name, "verify")


def _writer_that_never_waits(db: Database) -> Database:
    """The same database, but a writer that finds the write lock taken fails at once instead
    of waiting for it: a read that took the lock shows up as an error, not as a slow test."""
    writer = Database(db.url)
    if writer.engine.dialect.name == "sqlite":

        @event.listens_for(writer.engine, "connect")
        def _no_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=0")

    return writer


def _members(snapshot: Reading) -> int:
    return snapshot.session.scalar(select(func.count()).select_from(Member)) or 0


def test_a_write_commits_while_a_reading_is_open(team_db: tuple[Database, Team]) -> None:
    db, _ = team_db
    writer = _writer_that_never_waits(db)
    try:
        with reading(db, AUDITOR.name, "members") as snapshot:
            seen = _members(snapshot)  # the snapshot starts here
            add_member(writer, ADMIN, "newcomer", "engineer")  # commits, the read still open
            assert _members(snapshot) == seen  # one state for the whole read
        with reading(db, AUDITOR.name, "members") as snapshot:
            assert _members(snapshot) == seen + 1
    finally:
        writer.dispose()


def test_database_has_one_read_path() -> None:
    assert not hasattr(Database, "read_session")
    assert callable(Database.reader) and callable(Database.session)


def test_commands_and_screens_leave_permission_checks_to_the_services() -> None:
    files = sorted((ROOT / "screens").rglob("*.py")) + sorted(
        (ROOT / "ospo_tui" / "commands").rglob("*.py")
    )
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else None
                if isinstance(node.func, ast.Name):
                    called = node.func.id
                assert called != "require", f"{path.relative_to(ROOT)}:{node.lineno}"


@pytest.mark.parametrize(
    ("args", "subject"),
    [
        (["projects"], "read"),
        (["scans"], "read"),
        (["queue"], "read"),
        (["audit", "log"], "read"),
        (["history", "zlib-1.2.11/deflate.c"], "read"),
        (["policy", "list"], "read"),
        (["bulk", "--glob", "*", "--license", "MIT"], "read"),
        (["audit", "verify"], "verify"),
    ],
)
def test_the_cli_shows_a_guest_the_refusal(
    team_db: tuple[Database, Team],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    subject: str,
) -> None:
    db, _ = team_db
    before = _events(db)
    # On PostgreSQL the guest connects as its own login (its name there).
    url = login_url(db.url, GUEST.name)
    assert main(["--db", url, "--user", GUEST.name, *args]) == 3
    out = capsys.readouterr()
    assert out.out == ""
    assert f"error: {GUEST.name} is not a member of this database" in out.err
    assert _events(db) == [*before, ("access.denied", GUEST.name, subject)]


def test_a_guest_opening_the_picker_sees_the_refusal_not_the_scans(
    sqlite_db: Database,
) -> None:
    make_team(sqlite_db)
    app = ReviewApp(sqlite_db, GUEST.name)

    async def open_picker() -> tuple[str, int]:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            return screen_text(app), app.screen.query_one("#scans", DataTable).row_count

    text, rows = asyncio.run(open_picker())
    assert rows == 0
    assert f"{GUEST.name} is not a member of this database" in " ".join(text.split())
    assert "zlib" not in text  # not even the project's name
    assert _events(sqlite_db)[-1] == ("access.denied", GUEST.name, "read")
