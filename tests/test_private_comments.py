"""Private comments reach reviewers and admins only, through every read service.

The services decide, not the screens: the decision form's pre-fill (``decision_context``) and
the decision log export give engineers and auditors no private comment, for the TUI and the CLI
alike, and asking to export them is an audited refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.errors import PermissionDenied
from ospo_tui.models import Decision
from ospo_tui.services.access.reading import reading
from ospo_tui.services.export.run import run_export
from ospo_tui.services.review.decision_context import decision_context
from ospo_tui.services.trail.chain import Actor
from tests.reliability_support import fill_workbench
from tests.team_support import ADMIN, AUDITOR, ENGINEER, REVIEWER, denied_events

COMMENT = "checked upstream ✓"


@pytest.fixture
def commented(db: Database) -> int:
    """The review item whose current decision carries a private comment."""
    fill_workbench(db)
    with db.session() as session:
        item = session.scalar(
            select(Decision.review_item_id).where(Decision.private_comment == COMMENT)
        )
    assert item is not None
    return item


@pytest.mark.parametrize(
    ("actor", "sees"), [(REVIEWER, True), (ADMIN, True), (ENGINEER, False), (AUDITOR, False)]
)
def test_the_decision_form_prefill_shows_private_comments_to_reviewers_only(
    db: Database, commented: int, actor: Actor, sees: bool
) -> None:
    with reading(db, actor, "the decision") as snapshot:
        assert snapshot.sees_private_comments is sees
        context = decision_context(snapshot, commented)
    assert context.current is not None
    assert context.current.private_comment == (COMMENT if sees else None)
    assert context.current.fields.private_comment == (COMMENT if sees else None)


def test_exporting_private_comments_is_for_reviewers_only(
    db: Database, commented: int, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match=r"alice \(auditor\) may not read private comments"):
        run_export(db, AUDITOR, "decision-log", tmp_path / "a.csv", include_private=True)
    assert not (tmp_path / "a.csv").exists()
    assert denied_events(db, "read_private") == 1
    run_export(db, AUDITOR, "decision-log", tmp_path / "plain.json")
    assert COMMENT not in (tmp_path / "plain.json").read_text(encoding="utf-8")
    run_export(db, REVIEWER, "decision-log", tmp_path / "r.json", include_private=True)
    assert COMMENT in (tmp_path / "r.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "role", "sees"), [("rita", "reviewer", True), ("alice", "auditor", False)]
)
def test_the_tui_decision_form_prefills_private_comments_for_reviewers_only(
    sqlite_db: Database, name: str, role: str, sees: bool
) -> None:
    import asyncio

    from textual.widgets import Input

    from ospo_tui.app import ReviewApp
    from ospo_tui.screens.decision_form import DecisionForm
    from ospo_tui.screens.queue import QueueScreen
    from ospo_tui.screens.queue_table import QueueTable
    from ospo_tui.services.access.members import add_member
    from ospo_tui.services.review.decisions import decide
    from tests.tui_support import import_sample, settle

    import_sample(sqlite_db)
    add_member(sqlite_db, ADMIN, "root", "admin")
    add_member(sqlite_db, ADMIN, name, role)
    app = ReviewApp(sqlite_db, name)

    async def drive() -> str:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # picker → queue
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            row = app.screen.query_one(QueueTable).current
            assert row is not None
            decide(sqlite_db, REVIEWER, row.id, None, "MIT", "identified", private_comment=COMMENT)
            await pilot.press("d")
            await settle(pilot)
            if not isinstance(app.screen, DecisionForm):
                return "no form"
            return app.screen.query_one("#decision-comment", Input).value

    # A role that may not read private comments may not decide either: its form never opens.
    assert asyncio.run(drive()) == (COMMENT if sees else "no form")
