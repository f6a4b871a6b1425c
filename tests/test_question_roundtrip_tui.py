"""The question round trip as three people, one role each, through the real TUI and CLI:
a reviewer asks from the queue, an engineer answers from the command line, the reviewer reads
the answer in the inbox and decides through the decision form, and an auditor's attempt to decide is refused."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, TextArea

from ospo_tui.app import ReviewApp
from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import PermissionDenied
from ospo_tui.models import AuditEvent, ReviewItem
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.inbox import InboxScreen
from ospo_tui.screens.question_dialog import QuestionDialog
from ospo_tui.screens.question_view import QuestionScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.members import add_member
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.question_threads import QuestionFilter, get_question, list_questions
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.conftest import admin_reading
from tests.tui_support import import_sample, screen_text, settle, wait_until

SIZE = (160, 50)
ADMIN = Actor("root", "admin")
RITA = Actor("rita", "reviewer")
ALICE = Actor("alice", "auditor")
QUESTION = "Is this shipped?"
ANSWER = "Yes: vendored unchanged from upstream 0.9, shipped in the wheel."


@pytest.fixture
def team_db(sqlite_db: Database) -> Database:
    with sqlite_db.session() as session:
        resolve_actor(session, ADMIN.name)
    add_member(sqlite_db, ADMIN, "rita", "reviewer")
    add_member(sqlite_db, ADMIN, "ed", "engineer")
    add_member(sqlite_db, ADMIN, "alice", "auditor")
    import_sample(sqlite_db)
    return sqlite_db


def notifications(app: ReviewApp) -> list[str]:
    return [n.message for n in app._notifications]


def test_reviewer_asks_engineer_answers_reviewer_decides_auditor_refused(
    team_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    db = team_db
    asked: dict[str, object] = {}

    # 1. rita asks ed about the first file of her queue, from the queue screen.
    async def reviewer_asks() -> None:
        app = ReviewApp(db, "rita")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the only project
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            row = app.screen.query_one(QueueTable).current
            assert row is not None and row.state == "open"
            asked["item"], asked["path"] = row.id, row.path
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, QuestionDialog)
            assert app.screen.engineers == ["ed"]  # only engineers can be asked
            assert app.screen.detections  # or about one of the file's detections
            assert app.screen.detections[0][0].startswith("detection 1: ")
            await pilot.press(*QUESTION)
            await settle(pilot)
            assert app.screen.query_one(TextArea).text == QUESTION
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            assert app.screen.query_one(QueueTable).current.state == "question"  # type: ignore[union-attr]
            assert any(m.startswith("question 1 asked to ed") for m in notifications(app))

    asyncio.run(reviewer_asks())
    (question,) = list_questions(db, RITA, QuestionFilter())
    assert (question.state, question.asked_by, question.assigned_to) == ("open", "rita", "ed")
    assert question.path == asked["path"]
    assert question.detection_id is None  # the whole file, the dialog's default
    assert question.last_message is not None and question.last_message.body == QUESTION

    # 2. ed answers from the command line, never opening the TUI.
    assert main(["--db", db.url, "--user", "ed", "questions", "--mine"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split("\t")[:2] == [str(question.id), "open"]
    assert main(["--db", db.url, "--user", "ed", "answer", str(question.id), ANSWER]) == 0
    capsys.readouterr()

    # 3. rita finds the answer in her inbox, reads it beside the source, and decides.
    async def reviewer_reads_and_decides() -> None:
        app = ReviewApp(db, "rita")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert app.screen.query_one(DataTable).row_count == 1
            assert "answered questions you asked: 1" in screen_text(app)
            # The table draws its new row once it has measured it, after the count above.
            await wait_until(
                pilot,
                lambda: "ed: Yes: vendored unchanged" in screen_text(app),
                "the answer in the inbox",
            )
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)
            shown = screen_text(app)
            assert QUESTION in shown and "vendored unchanged from upstream 0.9" in shown
            assert str(asked["path"]) in shown
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, DecisionForm)
            await pilot.press("end", "ctrl+u", *"MIT")
            await settle(pilot)
            assert app.screen.query_one("#decision-expression", Input).value == "MIT"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)  # the form closed on success
            assert any(m.startswith("decided ") and "MIT" in m for m in notifications(app))
            assert "decided · detected:" in screen_text(app)  # the file pane refreshed

    asyncio.run(reviewer_reads_and_decides())
    with db.session() as session:
        item = session.get(ReviewItem, asked["item"])
        assert item is not None and (item.state, item.concluded_expression) == ("decided", "MIT")

    # 4. alice, an auditor, reads the thread but her attempt to decide is refused and audited.
    async def auditor_tries_to_decide() -> None:
        app = ReviewApp(db, "alice")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert app.screen.query_one(DataTable).row_count == 1
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)  # no form opened
            assert any(
                m.startswith("alice (auditor) may not decide file") for m in notifications(app)
            )

    asyncio.run(auditor_tries_to_decide())
    with pytest.raises(PermissionDenied, match="alice \\(auditor\\) may not decide"):
        decide(db, ALICE, int(asked["item"]), None, "Apache-2.0", "identified")  # type: ignore[call-overload]
    with db.session() as session:
        refusals = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "access.denied", AuditEvent.actor == "alice"
            )
        ).all()
        assert [json.loads(e.payload)["action"] for e in refusals] == ["decide", "decide"]
        item = session.get(ReviewItem, asked["item"])
        assert item is not None and (item.state, item.concluded_expression) == ("decided", "MIT")
        actions = [
            (e.actor, e.action)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
            if e.action.startswith(("question.", "decision."))
        ]
        assert actions[:2] == [("rita", "question.ask"), ("ed", "question.answer")]
        assert ("rita", "decision.record") in actions
        assert verify_chain(session).ok


def test_engineer_answers_from_the_file_view_with_source_and_findings(team_db: Database) -> None:
    db = team_db
    with db.session() as session:
        item = session.scalar(
            select(ReviewItem).where(ReviewItem.path == "gemfileparser2/gemfileparser2.py")
        )
        assert item is not None
        item_id = item.id
    asked = q.ask(db, RITA, item_id, "ed", "Did you copy [bold]this[/bold] parser?")

    async def engineer_answers() -> None:
        app = ReviewApp(db, "ed")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert "ed (engineer) · open questions assigned to you: 1" in screen_text(app)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)
            shown = screen_text(app)
            assert "Did you copy [bold]this[/bold] parser?" in shown  # literally, not as markup
            assert "gemfileparser2" in shown and "GPL-3.0-or-later OR MIT" in shown
            assert app.screen.query_one("#question-matches", DataTable).row_count > 0
            source = app.screen.query_one("#question-source")
            assert any("GNU" in line or "MIT" in line for line in source.lines)  # type: ignore[attr-defined]
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, QuestionDialog)
            await pilot.press(*"Vendored from upstream.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, QuestionScreen)
            assert "ed (engineer) answer" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert "open questions assigned to you: 0" in screen_text(app)

    asyncio.run(engineer_answers())
    view = get_question(db, RITA, asked.id)
    assert view.state == "answered" and view.item_state == "open"
    assert view.last_message is not None and view.last_message.body == "Vendored from upstream."


def test_auditor_asking_from_the_queue_is_refused_and_audited(team_db: Database) -> None:
    async def auditor_asks() -> None:
        app = ReviewApp(team_db, "alice")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)  # no dialog opened
            assert any(m.startswith("alice (auditor) may not ask") for m in notifications(app))

    asyncio.run(auditor_asks())
    with team_db.session() as session:
        refused = session.scalars(
            select(AuditEvent.subject_id).where(
                AuditEvent.action == "access.denied", AuditEvent.actor == "alice"
            )
        ).all()
    assert refused == ["ask"]
    assert list_questions(team_db, ALICE, QuestionFilter()) == []


def test_engineer_answers_with_a_from_the_queue(team_db: Database) -> None:
    from ospo_tui.services.review.catalog import resolve_scan
    from ospo_tui.services.review.queue import QueueFilter, queue_page

    with admin_reading(team_db) as snapshot:
        first = queue_page(
            snapshot, QueueFilter(scan_id=resolve_scan(snapshot.session).id), limit=1
        )[0]
    asked = q.ask(team_db, RITA, first.id, "ed", QUESTION)

    async def engineer_answers() -> None:
        app = ReviewApp(team_db, "ed")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            assert app.screen.query_one(QueueTable).current.id == first.id  # type: ignore[union-attr]
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, QuestionDialog)
            assert app.screen.title_text == f"Answer question {asked.id} from rita"
            assert app.screen.engineers is None  # answering names nobody
            await pilot.press(*"No, written here.", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            assert app.screen.query_one(QueueTable).current.state == "open"  # type: ignore[union-attr]

    asyncio.run(engineer_answers())
    view = get_question(team_db, RITA, asked.id)
    assert view.state == "answered"
    assert view.last_message is not None and view.last_message.body == "No, written here."
