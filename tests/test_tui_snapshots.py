"""Snapshots of the main screens on the bundled sample: picker, queue, filter, inspector, help."""

from __future__ import annotations

from typing import Any

import pytest

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from tests.tui_support import import_sample, settle

SIZE = (140, 40)


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


def _after(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_picker_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after())


def test_queue_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after("enter", "j", "j"))


def test_filter_dialog_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    keys = ("enter", "f", "space", "tab", "g", "p", "l")
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after(*keys))


def test_inspector_source_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after("enter", "enter"))


def test_inspector_matches_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    keys = ("enter", "enter", "right_square_bracket", "2", "down")
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after(*keys))


def test_help_snapshot(sample_app: ReviewApp, snap_compare: Any) -> None:
    keys = ("enter", "enter", "question_mark")
    assert snap_compare(sample_app, terminal_size=SIZE, run_before=_after(*keys))
