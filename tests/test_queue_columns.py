"""Queue columns fit the terminal: every column stays on screen without sideways scrolling."""

from __future__ import annotations

import asyncio

import pytest

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.queue_table import (
    COLUMNS,
    GAP,
    NARROWEST_PATH,
    SHRINKABLE_MIN,
    WIDTHS,
    QueueTable,
    column_widths,
)
from tests.tui_support import import_sample, open_queue, screen_text, settle


def line_width(widths: list[int]) -> int:
    return sum(widths) + GAP * len(COLUMNS) + 1


@pytest.mark.parametrize("width", [78, 90, 100, 118, 138, 158, 238])
def test_columns_fill_the_width_exactly(width: int) -> None:
    widths = dict(zip(COLUMNS, column_widths(width), strict=True))
    assert line_width(list(widths.values())) == width
    assert widths["Path"] >= NARROWEST_PATH
    for name, least in SHRINKABLE_MIN.items():
        assert least <= widths[name] <= WIDTHS[name]
    for name in ("State", "Prio", "Policy", "Score"):
        assert widths[name] == WIDTHS[name]


def test_wide_terminals_keep_full_expressions_and_give_the_rest_to_the_path() -> None:
    wide = dict(zip(COLUMNS, column_widths(200), strict=True))
    wider = dict(zip(COLUMNS, column_widths(242), strict=True))
    assert wide["Detected (SPDX)"] == WIDTHS["Detected (SPDX)"]
    assert wide["Decision"] == WIDTHS["Decision"]
    assert wider["Path"] - wide["Path"] == 42
    assert {k: v for k, v in wider.items() if k != "Path"} == {
        k: v for k, v in wide.items() if k != "Path"
    }


def test_below_the_narrowest_layout_the_line_keeps_its_minimum() -> None:
    assert line_width(column_widths(40)) == line_width(column_widths(77)) == 77


def test_an_80_column_terminal_shows_every_column(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> tuple[str, int, int]:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            table = queue.query_one(QueueTable)
            return (
                screen_text(app),
                table.virtual_size.width,
                table.scrollable_content_region.width,
            )

    text, line, room = asyncio.run(drive())
    assert line <= room
    header = next(row for row in text.splitlines() if "State" in row)
    for name in ("State", "Prio", "Policy", "Path", "Detected", "Score", "Decision"):
        assert name in header
