"""The decision form and the history tab, driven by keyboard on the bundled sample."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.screens.decision_form import SCOPE_QUEUE, SCOPE_SAME, DecisionForm
from ospo_tui.screens.decision_history import DecisionHistory
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.queue import queue_count
from ospo_tui.services.trail.chain import Actor
from tests.conftest import admin_reading
from tests.decision_helpers import events, payload
from tests.tui_support import import_sample, settle, wait_until

SIZE = (160, 50)


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


def _item(db: Database, item_id: int) -> ReviewItem:
    with db.session() as session:
        found = session.get(ReviewItem, item_id)
        assert found is not None
        session.expunge(found)
        return found


def _static(form: DecisionForm, widget_id: str) -> str:
    return str(form.query_one(widget_id, Static).render())


async def _open_form(pilot, app: ReviewApp, *, valid: bool = False) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    """The form on the first queue row (with ``valid``: the first whose detection is valid
    SPDX as it stands; ScanCode sometimes ANDs a bare exception, which the form refuses)."""
    await settle(pilot)
    await pilot.press("enter")  # picker → queue
    await settle(pilot)
    for _ in range(20):
        assert isinstance(app.screen, QueueScreen)
        row = app.screen.query_one(QueueTable).current
        assert row is not None
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DecisionForm)
        if not valid or app.screen.context.prefill_problem is None:
            return row.id, row.detected_spdx
        assert "it must follow a license and WITH (e.g. '" in app.screen.context.prefill_problem
        await pilot.press("escape", "down")
        await settle(pilot)
    raise AssertionError("no file with a valid detected expression near the top of the queue")


def test_enter_agrees_with_the_scanner(sample_app: ReviewApp, sqlite_db: Database) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            item_id, detected = await _open_form(pilot, sample_app, valid=True)
            form = sample_app.screen
            assert isinstance(form, DecisionForm)
            assert form.query_one("#decision-expression", Input).value
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(sample_app.screen, DecisionForm)
            saved = _item(sqlite_db, item_id)
            assert saved.state == "decided" and saved.concluded_expression
            assert detected is not None and saved.concluded_expression.lower() == (
                form.context.prefill_expression.lower()
            )
            assert any("decided" in n.message for n in sample_app._notifications)

    asyncio.run(drive())


def test_invalid_expression_is_shown_inline_and_nothing_saved(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            item_id, _ = await _open_form(pilot, sample_app)
            form = sample_app.screen
            assert isinstance(form, DecisionForm)
            form.query_one("#decision-expression", Input).value = "MIT AND [bold]nope"
            # Checked as typed: the field's Changed message, handled by the form.
            await wait_until(
                pilot,
                lambda: "unknown license key '[bold]nope'" in _static(form, "#decision-status"),
                "the form to flag the unknown key",
            )
            await pilot.press("enter")
            await settle(pilot)
            assert sample_app.screen is form
            assert "unknown license key '[bold]nope'" in _static(form, "#decision-error")
            assert _item(sqlite_db, item_id).current_decision_id is None
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(sample_app.screen, QueueScreen)

    asyncio.run(drive())


def test_conflict_shows_the_other_decision_then_saves_knowingly(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            item_id, _ = await _open_form(pilot, sample_app)
            form = sample_app.screen
            assert isinstance(form, DecisionForm)
            decide(sqlite_db, Actor("bob", "reviewer"), item_id, 1, "NOASSERTION", "to_discuss")
            form.query_one("#decision-expression", Input).value = "MIT"
            await pilot.press("enter")
            await settle(pilot)
            assert sample_app.screen is form
            shown = _static(form, "#decision-conflict")
            assert "bob decided NOASSERTION (To be discussed)" in shown
            assert _item(sqlite_db, item_id).concluded_expression == "NOASSERTION"
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(sample_app.screen, DecisionForm)
            assert _item(sqlite_db, item_id).concluded_expression == "MIT"
            recorded = events(sqlite_db, "decision.record")
            assert [e.actor for e in recorded] == ["bob", "tester"]
            assert payload(recorded[1])["old"]["concluded_expression"] == "NOASSERTION"

    asyncio.run(drive())


def test_bulk_from_the_form_previews_then_applies(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            item_id, detected = await _open_form(pilot, sample_app)
            form = sample_app.screen
            assert isinstance(form, DecisionForm) and detected
            form.query_one("#decision-expression", Input).value = "NOASSERTION"
            form.query_one("#decision-scope", Select).value = SCOPE_SAME
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert form.pending is not None
            count = form.pending[1].files
            noun = "1 file" if count == 1 else f"{count} files"  # never "1 files"
            assert f"{noun} will get this decision" in _static(form, "#decision-conflict")
            assert events(sqlite_db, "decision.bulk") == []
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(sample_app.screen, DecisionForm)
            with sqlite_db.session() as session:
                same = session.scalars(
                    select(ReviewItem.id).where(ReviewItem.detected_spdx == detected)
                ).all()
            bulk = events(sqlite_db, "decision.bulk")
            assert len(bulk) == len(same) and {int(e.subject_id or 0) for e in bulk} == set(same)
            assert item_id in same

    asyncio.run(drive())


def test_history_tab_shows_who_when_what(sample_app: ReviewApp, sqlite_db: Database) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            item_id, _ = await _open_form(pilot, sample_app)
            await pilot.press("escape")
            await settle(pilot)
            decide(sqlite_db, Actor("bob", "reviewer"), item_id, 1, "MIT", "irrelevant", "code")
            await pilot.press("enter")  # inspector
            await settle(pilot)
            assert isinstance(sample_app.screen, InspectorScreen)
            await pilot.press("6")  # the History tab
            await settle(pilot)
            history = sample_app.screen.query_one(DecisionHistory)
            assert [e.action for e in history.entries] == ["scan.import", "decision.record"]
            shown = str(history.render())
            assert "bob (reviewer)" in shown
            assert "→ MIT [Irrelevant (not shipped), code]" in shown

    asyncio.run(drive())


def test_bulk_over_what_the_queue_shows(sample_app: ReviewApp, sqlite_db: Database) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await _open_form(pilot, sample_app)
            form = sample_app.screen
            assert isinstance(form, DecisionForm) and form.queue_filter is not None
            with admin_reading(sqlite_db) as snapshot:
                shown = queue_count(snapshot, form.queue_filter)
            form.query_one("#decision-expression", Input).value = "NOASSERTION"
            form.query_one("#decision-scope", Select).value = SCOPE_QUEUE
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert f"{shown} files will get this decision" in _static(form, "#decision-conflict")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert len(events(sqlite_db, "decision.bulk")) == shown > 10

    asyncio.run(drive())
