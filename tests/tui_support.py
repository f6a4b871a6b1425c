"""Helpers for the TUI tests: the bundled sample in a database, waiting for workers, screen text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ospo_tui.app import ReviewApp
from ospo_tui.commands.demo import sample_paths
from ospo_tui.db import Database
from ospo_tui.models import Scan
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor

REVIEWER = Actor("tester", "admin")
FIXED_TIME = "2026-01-02T03:04:05Z"


def import_sample(db: Database) -> int:
    """The bundled sample project with its source tree as root, imported at a fixed time."""
    scan_file, tree = sample_paths()
    result = import_scan_file(
        db, scan_file, project="sample", actor=REVIEWER, root=str(tree), label="bundled sample"
    )
    with db.session() as session:
        session.execute(update(Scan).values(created_at=FIXED_TIME))  # stable snapshots
    return result.scan_id


async def settle(pilot: Any) -> None:
    """Wait until every worker is done and its message has been handled."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause(0.05)  # let layout catch up (DataTable column widths)


async def open_queue(pilot: Any) -> QueueScreen:
    """From the scan list: enter on the scan under the cursor, then the settled queue."""
    await pilot.press("enter")
    await settle(pilot)
    queue = pilot.app.screen
    assert isinstance(queue, QueueScreen)
    return queue


def screen_text(app: ReviewApp) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
