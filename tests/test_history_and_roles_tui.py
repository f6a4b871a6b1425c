"""A file's history (TUI and CLI) and who may open the decision form: bugs seen by new users."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input

from ospo_tui.app import ReviewApp
from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.decision_history import DecisionHistory
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.services.access.members import add_member, remove_member
from tests.tui_support import REVIEWER, import_sample, open_queue, settle, wait_until

SIZE = (160, 50)


def test_history_tab_shows_a_decision_just_made(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await open_queue(pilot)
            await pilot.press("enter", "6")  # the inspector, its History tab
            await settle(pilot)
            inspector = app.screen
            assert isinstance(inspector, InspectorScreen)
            history = inspector.query_one(DecisionHistory)
            assert [e.action for e in history.entries] == ["scan.import"]
            await pilot.press("d")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, DecisionForm)
            form.query_one("#decision-expression", Input).value = "MIT"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is inspector
            await wait_until(
                pilot,
                lambda: (
                    [e.action for e in inspector.query_one(DecisionHistory).entries]
                    == ["scan.import", "decision.record"]
                ),
                "the History tab to show the decision",
            )

    asyncio.run(drive())


def test_file_history_lists_no_project_wide_export(
    sqlite_url: str, sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_sample(sqlite_db)
    target = tmp_path / "NOTICE"
    assert (
        main(["--db", sqlite_url, "--user", "tester", "export", "attribution", "-o", str(target)])
        == 0
    )
    capsys.readouterr()
    assert main(["--db", sqlite_url, "--user", "tester", "history", "six/six.py"]) == 0
    out = capsys.readouterr().out
    assert "imported a ScanCode scan (" in out and " files)" in out
    assert "export" not in out and "scan of scan" not in out
    assert main(["--db", sqlite_url, "--user", "tester", "audit", "log"]) == 0
    assert "export.attribution" in capsys.readouterr().out  # still in the project's log


@pytest.mark.parametrize("role", ["auditor", "engineer", "guest"])
def test_decide_form_is_refused_at_once_for_every_role_that_may_not_decide(
    sqlite_db: Database, role: str
) -> None:
    import_sample(sqlite_db)
    add_member(sqlite_db, REVIEWER, "tester", "admin")  # so pat is never the only member
    add_member(sqlite_db, REVIEWER, "pat", "auditor" if role == "guest" else role)
    app = ReviewApp(sqlite_db, "pat")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            if role == "guest":  # no longer a member while the queue is open
                remove_member(sqlite_db, REVIEWER, "pat")
            await pilot.press("d")
            await settle(pilot)
            assert app.screen is queue  # no form to type into
            messages = [n.message for n in app._notifications]
            refusal = "may not read" if role == "guest" else "may not decide file "
            assert any(refusal in m for m in messages), messages

    asyncio.run(drive())
