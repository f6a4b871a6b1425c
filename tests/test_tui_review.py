"""The review workbench driven by keyboard: open project → queue → filter → inspect → next file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import DataTable

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.help import HelpScreen
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.picker import PickerScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.screens.source_view import SourceView
from ospo_tui.screens.status_line import StatusLine
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.queue import QueueFilter, queue_page
from tests.conftest import SCANCODE_FIXTURES, admin_reading
from tests.tui_support import (
    REVIEWER,
    import_sample,
    open_queue,
    screen_text,
    settle,
    wait_until,
)

SIZE = (160, 50)


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


def _queue_paths(db: Database, flt: QueueFilter) -> list[str]:
    with admin_reading(db) as snapshot:
        return [row.path for row in queue_page(snapshot, flt, limit=1000)]


def test_open_project_filter_inspect_next_file(sample_app: ReviewApp, sqlite_db: Database) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(sample_app.screen, PickerScreen)
            text = screen_text(sample_app)
            assert "sample" in text and "bundled sample" in text
            row = " ".join(screen_text(sample_app).splitlines()[3].split())
            assert row.endswith("43 29 0 0 0")  # files, with findings, decided ×2, open questions

            queue = await open_queue(pilot)
            expected = _queue_paths(sqlite_db, queue.flt)
            assert len(expected) == 29
            text = screen_text(sample_app)
            assert "file 1 of 29" in text
            # Priority order: ScanCode's own unknown/low-score findings first, permissive last.
            lines = text.splitlines()
            first_row = next(i for i, line in enumerate(lines) if expected[0] in line)
            assert expected[1] in lines[first_row + 1]
            assert lines.index(lines[first_row]) < next(
                i for i, line in enumerate(lines) if "urllib3/src/urllib3/__init__.py" in line
            )

            # Filter on the MIT license through the dialog, keyboard only.
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("tab")  # state list → license field
            await pilot.press(*"mit", "enter")
            await settle(pilot)
            assert queue.flt.license == "mit"
            mit_paths = _queue_paths(sqlite_db, queue.flt)
            assert 0 < len(mit_paths) < 29
            text = screen_text(sample_app)
            assert "license: mit" in text
            assert f"file 1 of {len(mit_paths)}" in text
            assert all(path in text for path in mit_paths)
            assert "license-expression/README.rst" not in text

            # Inspect the first file: header, highlighted source, matches table.
            await pilot.press("enter")
            await settle(pilot)
            inspector = sample_app.screen
            assert isinstance(inspector, InspectorScreen)
            assert inspector.row.path == mit_paths[0]
            text = screen_text(sample_app)
            assert mit_paths[0] in text
            assert "match 1 of" in text
            source = inspector.query_one(SourceView)
            assert source.lines and source.ranges
            await pilot.press("2")  # the Matches tab, filled when opened
            await settle(pilot)
            matches = inspector.query_one("#matches-table", DataTable)
            assert matches.row_count >= 1
            assert "Matched text, lines" in screen_text(sample_app)
            await pilot.press("1")
            await settle(pilot)

            # Next file without going back, then back to the queue on that file.
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert inspector.row.path == mit_paths[1]
            assert mit_paths[1] in screen_text(sample_app)
            await pilot.press("escape")
            await settle(pilot)
            assert sample_app.screen is queue
            current = queue.query_one(QueueTable).current
            assert current is not None and current.path == mit_paths[1]
            assert "file 2 of" in screen_text(sample_app)

    asyncio.run(drive())


def test_incremental_search_and_next_previous_match(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            table = queue.query_one(QueueTable)
            await pilot.press("slash", *"sortedc")
            await settle(pilot)
            current = table.current
            assert current is not None and "sortedcontainers" in current.path
            await pilot.press("enter")  # leaves the search field, keeps the match
            await settle(pilot)
            first = table.current
            await pilot.press("n")
            await settle(pilot)
            second = table.current
            assert first is not None and second is not None
            assert second.path != first.path and "sortedcontainers" in second.path
            await pilot.press("n")  # only two matches: wraps around
            await settle(pilot)
            assert table.current == first
            await pilot.press("N")
            await settle(pilot)
            assert table.current == second

    asyncio.run(drive())


def test_keyboard_triage_of_ten_files(sample_app: ReviewApp) -> None:
    """A reviewer walks ten files in the inspector and jumps between matches without a mouse."""

    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            inspector = sample_app.screen
            assert isinstance(inspector, InspectorScreen)
            seen = [inspector.row.path]
            for _ in range(9):
                await pilot.press("m", "right_square_bracket")
                await settle(pilot)
                seen.append(inspector.row.path)
            assert len(set(seen)) == 10
            await pilot.press("left_square_bracket")
            await settle(pilot)
            assert inspector.row.path == seen[-2]

    asyncio.run(drive())


def test_help_screen_lists_the_keys_of_the_screen(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(sample_app.screen, HelpScreen)
            text = screen_text(sample_app)
            for words in ("Filter", "Search", "Next match", "Decide", "Inspect", "Back"):
                assert words in text
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(sample_app.screen, QueueScreen)

    asyncio.run(drive())


def test_command_palette_offers_the_screen_actions(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"clear filter")
            # The palette searches in a worker of its own and shows the hits when it is done.
            await wait_until(
                pilot,
                lambda: "Clear filter (c)" in screen_text(sample_app),
                "the palette to offer 'Clear filter (c)'",
            )

    asyncio.run(drive())


def test_queue_window_pages_a_large_queue(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table never holds more than a window; moving past its edges loads the next one."""
    import ospo_tui.screens.queue as queue_module

    monkeypatch.setattr(queue_module, "WINDOW", 12)
    result = import_scan_file(
        sqlite_db, SCANCODE_FIXTURES / "zlib-v32rc3.json", project="zlib", actor=REVIEWER
    )
    flt = QueueFilter(scan_id=result.scan_id)
    expected = _queue_paths(sqlite_db, flt)
    assert len(expected) > 24
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            table = queue.query_one(QueueTable)
            assert table.row_count == 12
            for index in range(1, 20):
                await pilot.press("j")
                await settle(pilot)
                assert table.current is not None and table.current.path == expected[index]
                assert table.row_count <= 12
            assert f"file 20 of {len(expected)}" in screen_text(app)
            await pilot.press("G")
            await settle(pilot)
            assert table.current is not None and table.current.path == expected[-1]
            for index in range(len(expected) - 2, len(expected) - 16, -1):
                await pilot.press("k")
                await settle(pilot)
                assert table.current is not None and table.current.path == expected[index]
            await pilot.press("g")
            await settle(pilot)
            assert table.current is not None and table.current.path == expected[0]
            status = queue.query_one("#queue-count", StatusLine)
            assert status.content.plain.startswith(f"file 1 of {len(expected)}")

    asyncio.run(drive())


def test_incremental_search_without_match_marks_the_field(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            await pilot.press("slash", "z")
            await settle(pilot)
            start = queue.query_one(QueueTable).current  # the first path or expression with a z
            await pilot.press(*"zqx")
            await settle(pilot)
            search = queue.query_one("#queue-search")
            assert search.has_class("-no-match")
            assert queue.unmatched == "zz"  # "zzq" and "zzqx" needed no query
            assert queue.query_one(QueueTable).current == start  # no match: the cursor stays
            await pilot.press("backspace", "backspace", "backspace", "backspace", *"six")
            await settle(pilot)
            assert not search.has_class("-no-match")
            current = queue.query_one(QueueTable).current
            assert current is not None and current.path == "six/six.py"
            assert not sample_app._notifications  # typing reports in the field, not in toasts

    asyncio.run(drive())
