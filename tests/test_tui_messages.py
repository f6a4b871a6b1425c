"""Screens talk through typed messages: a decision made in the inspector reaches every screen
that shows the file (the queue under it and the question view between), announced once."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Static

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.inbox import InboxScreen
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.messages import DecisionRequested, ReviewItemChanged
from ospo_tui.screens.question_view import QuestionScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.members import add_member
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.queue import QueueFilter, QueueRow, queue_page
from tests.conftest import admin_reading
from tests.tui_support import REVIEWER, handled, import_sample, open_queue, settle

SIZE = (160, 50)


def _asked_about_first_file(db: Database) -> int:
    """The sample, and a question to an engineer about the first file of its queue."""
    with db.session() as session:
        resolve_actor(session, REVIEWER.name)  # the first user: the admin the app runs as
    add_member(db, REVIEWER, "ed", "engineer")
    scan_id = import_sample(db)
    with admin_reading(db) as snapshot:
        first = queue_page(snapshot, QueueFilter(scan_id=scan_id), limit=1)[0]
    q.ask(db, REVIEWER, first.id, "ed", "Is this shipped?")
    return first.id


def _row(queue: QueueScreen, item_id: int) -> QueueRow:
    return next(row for row in queue.query_one(QueueTable).rows_window if row.id == item_id)


def test_a_decision_in_the_inspector_reaches_the_queue_and_the_question_view(
    sqlite_db: Database,
) -> None:
    item_id = _asked_about_first_file(sqlite_db)
    app = ReviewApp(sqlite_db, REVIEWER.name)

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            assert _row(queue, item_id).state == "question"
            await pilot.press("i")  # the inbox, over the queue
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            await pilot.press("enter")  # the question about the file
            await settle(pilot)
            question = app.screen
            assert isinstance(question, QuestionScreen)
            await pilot.press("i")  # the inspector on the file, over the question
            await settle(pilot)
            inspector = app.screen
            assert isinstance(inspector, InspectorScreen) and inspector.row.id == item_id

            asked = handled(app, DecisionRequested)
            told = {
                screen: handled(screen, ReviewItemChanged)
                for screen in (queue, question, inspector)
            }
            await pilot.press("d")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, DecisionForm)
            assert [m.review_item_id for m in asked] == [item_id]
            form.query_one("#decision-expression", Input).value = "MIT"
            await pilot.press("ctrl+s")
            await settle(pilot)

            assert app.screen is inspector  # the form closed on success
            for screen, seen in told.items():
                assert [(m.review_item_id, m.bulk) for m in seen] == [(item_id, False)], screen
            decided = _row(queue, item_id)
            assert (decided.state, decided.concluded_expression) == ("decided", "MIT")
            file_head = str(question.query_one("#question-file-head", Static).render())
            assert file_head.startswith("decided · ") and "decision: MIT" in file_head
            head = str(inspector.query_one("#inspector-head", Static).render())
            assert "decision: MIT" in head

    asyncio.run(drive())
