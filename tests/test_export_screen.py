"""The export dialog: choose SPDX, write it, see the bar full and the file's hash."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, ProgressBar, Select

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.export import ExportScreen
from ospo_tui.services.ingest.content_hash import file_sha256
from tests.decision_helpers import events
from tests.export_helpers import reviewed_zlib
from tests.tui_support import handled, screen_text, settle, wait_until


def test_export_dialog_writes_spdx_with_progress(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewed = reviewed_zlib(sqlite_db)
    monkeypatch.chdir(tmp_path)
    app = ReviewApp(sqlite_db, "rita")

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.push_screen(ExportScreen("zlib", reviewed.scan_id))
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            assert screen.query_one("#export-path", Input).value == "zlib.decision-log.csv"

            screen.query_one("#export-kind", Select).value = "spdx"
            await settle(pilot)
            assert screen.query_one("#export-format", Select).value == "json"
            assert screen.query_one("#export-private", Checkbox).disabled
            assert screen.query_one("#export-path", Input).value == "zlib.spdx.json"

            finished = handled(screen, ExportScreen.Finished)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: finished, "the export worker's Finished message")
            await settle(pilot)  # the status it set is laid out
            assert finished[0].error is None
            bar = screen.query_one("#export-progress", ProgressBar)
            assert bar.total == bar.progress == 253
            target = tmp_path / "zlib.spdx.json"
            assert target.read_text(encoding="utf-8").startswith("{")
            text = screen_text(app)
            assert "wrote 253 rows" in text and file_sha256(target)[:40] in text

            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, ExportScreen)

    asyncio.run(drive())
    (event,) = events(sqlite_db, "export.spdx")
    assert '"sha256":"' + file_sha256(tmp_path / "zlib.spdx.json") in event.payload
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]


def test_export_dialog_shows_errors_as_text(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewed = reviewed_zlib(sqlite_db)
    # A relative path: the error quotes it, and a short message fits on one line of the dialog
    # whatever the temporary directory is called (a long one wrapped "no such directory").
    monkeypatch.chdir(tmp_path)
    app = ReviewApp(sqlite_db, "rita")

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.push_screen(ExportScreen("zlib", reviewed.scan_id))
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            field = screen.query_one("#export-path", Input)
            field.value = "[b]missing-dir/log.csv"
            field.focus()
            finished = handled(screen, ExportScreen.Finished)
            await pilot.press("enter")
            await wait_until(pilot, lambda: finished, "the export worker's Finished message")
            await settle(pilot)  # the status it set is laid out
            assert finished[0].error == "[b]missing-dir: no such directory"
            text = screen_text(app)
            # Shown literally, never parsed as markup: "[b]" would vanish and embolden the rest.
            assert "export failed: [b]missing-dir: no such directory" in text

    asyncio.run(drive())
    assert not events(sqlite_db, "export.decision-log")


def test_x_on_the_queue_exports_that_scan(sqlite_db: Database) -> None:
    from ospo_tui.screens.queue import QueueScreen
    from tests.tui_support import import_sample

    scan_id = import_sample(sqlite_db)
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the picker opens the sample's queue
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("x")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            assert (screen.project, screen.scan_id) == ("sample", scan_id)
            assert "Scope: sample, scan" in screen_text(app)
            assert screen.query_one("#export-path", Input).value == "sample.decision-log.csv"

    asyncio.run(drive())
