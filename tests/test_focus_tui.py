"""Where the focus goes: the filter bar keeps Tab to itself, the ask dialog starts on the message."""

from __future__ import annotations

import asyncio

from textual.widgets import TextArea

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.filter_bar import FilterBar
from ospo_tui.screens.question_dialog import QuestionDialog
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.access.members import add_member
from ospo_tui.services.review.question_threads import QuestionFilter, list_questions
from tests.tui_support import REVIEWER, import_sample, open_queue, settle

SIZE = (160, 50)


def test_tab_goes_round_the_filter_bar_and_never_reaches_the_table(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            await pilot.press("f")
            await settle(pilot)
            bar = queue.query_one(FilterBar)
            seen = []
            for key in ["tab"] * 12 + ["shift+tab"] * 12:
                await pilot.press(key)
                await settle(pilot)
                focused = app.focused
                assert focused is not None and bar in focused.ancestors, (key, focused)
                assert not isinstance(focused, QueueTable)
                seen.append(focused)
            assert len(set(map(id, seen))) >= 6  # every field is reached
            await pilot.press("x")  # typed into the bar, never a queue key
            await settle(pilot)
            assert app.screen is queue and bar.display

    asyncio.run(drive())


def test_ask_dialog_opens_with_the_focus_on_the_message(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    add_member(sqlite_db, REVIEWER, "tester", "admin")
    add_member(sqlite_db, REVIEWER, "rita", "reviewer")
    for engineer in ("ed", "eve"):  # two: the engineer field starts empty
        add_member(sqlite_db, REVIEWER, engineer, "engineer")
    app = ReviewApp(sqlite_db, "rita")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_queue(pilot)
            await pilot.press("a")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, QuestionDialog)
            assert isinstance(app.focused, TextArea)
            await pilot.press(*"Shipped?")
            assert dialog.query_one(TextArea).text == "Shipped?"
            await pilot.press("ctrl+s")  # refused until an engineer is chosen; nothing lost
            await settle(pilot)
            assert app.screen is dialog and dialog.query_one(TextArea).text == "Shipped?"

    asyncio.run(drive())
    assert list_questions(sqlite_db, REVIEWER, QuestionFilter()) == []
