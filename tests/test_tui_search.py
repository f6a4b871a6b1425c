"""Searching from the keyboard: / n N in the inspector, the search screen opening hits in the
inspector, bulk by phrase with its preview and confirm, and false-positive copyrights."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, TabbedContent

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.global_search import SearchScreen
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.source_view import SourceView
from ospo_tui.services.review.catalog import scan_files
from ospo_tui.services.review.inspector import load_file_review
from tests.conftest import admin_reading
from tests.decision_helpers import events, payload
from tests.tui_support import import_sample, open_queue, screen_text, settle, wait_until

SIZE = (160, 50)
SIX = "six/six.py"


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


async def _search(pilot: object, app: ReviewApp, phrase: str) -> SearchScreen:
    """From the queue, S and a phrase: the search screen with its hits."""
    await open_queue(pilot)
    await pilot.press("S")  # type: ignore[attr-defined]
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.press(*phrase, "enter")  # type: ignore[attr-defined]
    await settle(pilot)
    await wait_until(pilot, lambda: screen.searches == 1, "the search results")
    return screen


async def _open_six(pilot: object, app: ReviewApp) -> InspectorScreen:
    screen = await _search(pilot, app, SIX)
    assert [h.path for h in screen.hits] == [SIX]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    inspector = app.screen
    assert isinstance(inspector, InspectorScreen) and inspector.row.path == SIX
    return inspector


def test_search_screen_opens_a_hit_in_the_inspector(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await _search(pilot, sample_app, "HYNEK")
            assert [(h.kind, h.path) for h in screen.hits] == [
                ("copyright", "attrs/LICENSE"),
                ("copyright", "attrs/LICENSE"),
            ]
            text = screen_text(sample_app)
            assert "2 hits for 'HYNEK'" in text and "holder: Hynek Schlawack" in text
            await pilot.press("down", "enter")
            await settle(pilot)
            inspector = sample_app.screen
            assert isinstance(inspector, InspectorScreen)
            assert inspector.row.path == "attrs/LICENSE"
            await pilot.press("escape")
            await settle(pilot)
            assert sample_app.screen is screen
            # Another phrase from the field (/): one hit is "1 hit".
            await pilot.press("slash", *["backspace"] * len("HYNEK"), *"2010-2024", "enter")
            await wait_until(pilot, lambda: screen.searches == 2, "the second search")
            assert [h.path for h in screen.hits] == ["six/six.py"]
            assert "1 hit for '2010-2024'" in screen_text(sample_app)

    asyncio.run(drive())


def test_inspector_finds_in_source_and_matched_text(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            inspector = await _open_six(pilot, sample_app)
            assert inspector.review is not None and inspector.review.source.text is not None
            lines = [
                n
                for n, line in enumerate(inspector.review.source.text.split("\n"), start=1)
                if "benjamin" in line.lower()
            ]
            assert len(lines) >= 2
            await pilot.press("slash", *"BENJAMIN")
            await settle(pilot)
            view = inspector.query_one(SourceView)
            assert view.found_line == lines[0]
            assert f"1 of {len(lines)}" in inspector.sub_title
            await pilot.press("enter")  # closes the field; n and N walk the hits
            await pilot.press("n")
            assert view.found_line == lines[1]
            await pilot.press("N", "N")
            assert view.found_line == lines[-1]  # wraps

            # A phrase of the MIT grant: the source's comment lines, then the match itself.
            await pilot.press("slash", *"free of charge", "enter")
            await settle(pilot)
            kinds = [hit.pane for hit in inspector.found]
            assert kinds[-1] == "matches" and "source" in kinds
            await pilot.press("N")
            tabs = inspector.query_one("#inspector-tabs", TabbedContent)
            assert tabs.active == "matches"
            table = inspector.query_one("#matches-table", DataTable)
            assert table.cursor_row == inspector.found[-1].index
            await pilot.press("slash", *"zzz-not-here", "escape")
            assert "not in this file" in inspector.sub_title
            assert isinstance(sample_app.screen, InspectorScreen)  # escape closed only the field

    asyncio.run(drive())


def test_bulk_by_phrase_previews_then_confirms(sample_app: ReviewApp, sqlite_db: Database) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await _search(pilot, sample_app, "permission is hereby granted")
            matched = {h.path for h in screen.hits if h.kind == "matched"}
            assert matched == {"attrs/LICENSE", SIX}
            await pilot.press("b")
            await settle(pilot)
            form = sample_app.screen
            assert isinstance(form, DecisionForm) and form.phrase == "permission is hereby granted"
            await pilot.press("ctrl+s")  # the expression is pre-filled: MIT, as detected
            await settle(pilot)
            assert form.pending is not None and form.pending[1].files == 2
            assert events(sqlite_db, "decision.bulk") == []  # the preview wrote nothing
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert sample_app.screen is screen
            written = events(sqlite_db, "decision.bulk")
            assert len(written) == 2
            assert len({payload(e)["bulk_id"] for e in written}) == 1

    asyncio.run(drive())


def test_f_marks_a_copyright_as_not_one_and_restores_it(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    def marked() -> list[bool]:
        with admin_reading(sqlite_db) as snapshot:
            item = scan_files(snapshot, [SIX]).review_item_ids[0]
            return [c.false_positive for c in load_file_review(snapshot, item).copyrights]

    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await _open_six(pilot, sample_app)
            await pilot.press("f")  # not on the Copyrights tab: only a hint
            await settle(pilot)
            assert marked() == [False, False, False]
            await pilot.press("3", "down", "f")
            await settle(pilot)
            assert marked() == [False, True, False]
            assert "not one" in screen_text(sample_app)
            await pilot.press("f")
            await settle(pilot)
            assert marked() == [False, False, False]

    asyncio.run(drive())
