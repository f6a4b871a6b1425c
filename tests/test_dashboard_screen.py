"""The dashboard screen on a real scan: charts paint, and a selected bar returns its filter."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from ospo_tui.db import Database
from ospo_tui.screens.dashboard import DashboardScreen
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.policy.versions import load_policy
from ospo_tui.services.review.dashboard import Bar
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES
from tests.tui_support import settle, wait_until

ADMIN = Actor("tester", "admin")
POLICY = """\
license_policies:
  - {license_key: mit, label: Approved, compliance_alert: ''}
  - {license_key: bsd-simplified, label: Approved, compliance_alert: ''}
  - {license_key: GPL-2.0-only, label: Prohibited, compliance_alert: error}
  - {license_key: lgpl-2.1, label: Restricted, compliance_alert: warning}
"""


class DashboardHost(App[None]):
    """The smallest host: it pushes the dashboard and keeps what the dashboard returned."""

    def __init__(self, db: Database, scan_id: int) -> None:
        super().__init__()
        self.db = db
        self.user_name = ADMIN.name  # the dashboard reads as the app's user
        self.scan_id = scan_id
        self.selected: list[dict[str, Any] | None] = []

    def on_mount(self) -> None:
        self.push_screen(DashboardScreen(self.scan_id), callback=self.selected.append)


@pytest.fixture
def host(sqlite_db: Database, tmp_path: Path) -> DashboardHost:
    scan = import_scan_file(
        sqlite_db,
        SCANCODE_FIXTURES / "python-libs-boolean-license_expression-click_v32.5.0.json",
        project="libs",
        actor=ADMIN,
    )
    policy = tmp_path / "policies.yml"
    policy.write_text(POLICY, encoding="utf-8")
    load_policy(sqlite_db, ADMIN, policy)
    return DashboardHost(sqlite_db, scan.scan_id)


async def _loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    """Every worker done, and a dashboard on screen has drawn its second step (directories)."""

    def drawn() -> bool:
        screen = pilot.app.screen
        return not isinstance(screen, DashboardScreen) or "directories" in screen.painted_at

    await settle(pilot)
    await wait_until(pilot, drawn, "the dashboard to draw its directories")
    await settle(pilot)


def test_dashboard_snapshot(host: DashboardHost, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(host, terminal_size=(120, 36), run_before=_loaded)


def test_selecting_a_bar_returns_its_queue_filter(host: DashboardHost) -> None:
    asyncio.run(_select_first_alert(host))
    assert host.selected[-1] is not None
    assert host.selected[-1]["policy_alert"] == "error"
    assert host.selected[-1]["license_key"] is None  # other filters are cleared


async def _select_first_alert(host: DashboardHost) -> None:
    async with host.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        screen = host.screen
        assert isinstance(screen, DashboardScreen) and screen.figures is not None
        # Focus starts on the alert chart; its first bar is "error".
        await pilot.press("enter")
        await wait_until(pilot, lambda: host.selected, "the dashboard to return a filter")


def test_tab_to_licenses_and_pick_the_second(host: DashboardHost) -> None:
    second = asyncio.run(_select_second_license(host))
    assert host.selected[-1] is not None
    assert host.selected[-1]["license_key"] == second.filter["license_key"]
    assert host.selected[-1]["policy_alert"] is None


async def _select_second_license(host: DashboardHost) -> Bar:
    async with host.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        screen = host.screen
        assert isinstance(screen, DashboardScreen) and screen.figures is not None
        second = screen.figures.licenses[1]
        await pilot.press("tab", "down", "enter")
        await wait_until(pilot, lambda: host.selected, "the dashboard to return a filter")
    return second


def test_queue_key_opens_the_dashboard_and_a_bar_filters_the_queue(
    host: DashboardHost,
) -> None:
    from ospo_tui.app import ReviewApp
    from ospo_tui.screens.queue import QueueScreen

    class Workbench(ReviewApp):
        CSS_PATH = None  # the look is not under test here

    app = Workbench(host.db, "tester")

    async def run() -> QueueScreen:
        async with app.run_test(size=(120, 36)) as pilot:
            queue = QueueScreen(host.scan_id, "libs")
            await app.push_screen(queue)
            await _loaded(pilot)
            await pilot.press("D")
            await _loaded(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("enter")  # the "error" bar of the alert chart
            await _loaded(pilot)
            assert app.screen is queue
            return queue

    queue = asyncio.run(run())
    assert queue.flt.policy_alert == "error"
    assert queue.flt.states == ("open", "to_discuss", "question", "stale")
    assert queue.total == 2  # the two GPL-2.0 files of the fixture


def test_a_chosen_bar_reaches_the_queue_as_a_message(host: DashboardHost) -> None:
    """The dashboard returns the bar's filter through dismiss(); the queue receives it as one
    typed FilterChosen message, never through a call from the dashboard."""
    from ospo_tui.app import ReviewApp
    from ospo_tui.screens.queue import QueueScreen
    from tests.tui_support import handled

    app = ReviewApp(host.db, "tester")

    async def run() -> tuple[QueueScreen, list[QueueScreen.FilterChosen]]:
        async with app.run_test(size=(120, 36)) as pilot:
            queue = QueueScreen(host.scan_id, "libs")
            await app.push_screen(queue)
            await _loaded(pilot)
            chosen = handled(queue, QueueScreen.FilterChosen)
            await pilot.press("D")
            await _loaded(pilot)
            assert isinstance(app.screen, DashboardScreen) and not chosen
            await pilot.press("enter")  # the "error" bar of the alert chart
            await _loaded(pilot)
            assert app.screen is queue
            return queue, chosen

    queue, chosen = asyncio.run(run())
    assert [message.flt for message in chosen] == [queue.flt]
    assert queue.flt.policy_alert == "error" and queue.flt.license_key is None


def test_filter_bar_filters_by_policy_alert(host: DashboardHost) -> None:
    from textual.widgets import Select

    from ospo_tui.app import ReviewApp
    from ospo_tui.screens.filter_bar import FilterBar
    from ospo_tui.screens.queue import QueueScreen

    class Workbench(ReviewApp):
        CSS_PATH = None

    app = Workbench(host.db, "tester")

    async def run() -> QueueScreen:
        async with app.run_test(size=(120, 36)) as pilot:
            queue = QueueScreen(host.scan_id, "libs")
            await app.push_screen(queue)
            await _loaded(pilot)
            await pilot.press("f")
            await settle(pilot)
            bar = queue.query_one(FilterBar)
            assert bar.display and bar.has_focus_within
            bar.query_one("#filter-alert", Select).value = "missing"
            await pilot.press("ctrl+s")
            await _loaded(pilot)
            assert app.screen is queue and not bar.display
            return queue

    queue = asyncio.run(run())
    assert queue.flt.policy_alert == "missing"
    assert queue.total == 4  # cc-by-4.0, json AND cc-by-4.0 and the two public-domain files


def test_minus_and_plus_change_the_directory_depth(host: DashboardHost) -> None:
    from ospo_tui.screens.dashboard import BarChart

    async def run() -> list[tuple[int | None, list[str]]]:
        seen = []
        async with host.run_test(size=(120, 36)) as pilot:
            await _loaded(pilot)
            screen = host.screen
            assert isinstance(screen, DashboardScreen)
            chart = screen.query_one("#directories", BarChart)
            seen.append((screen.directory_depth, [b.label for b in chart.bars]))
            counted = screen.open_files
            for key in ("minus", "plus", "plus"):
                screen.painted_at.pop("directories")
                await pilot.press(key)
                await _loaded(pilot)
                seen.append((screen.directory_depth, [b.label for b in chart.bars]))
                # A depth change rolls up the counts already read; it asks the database nothing.
                assert screen.open_files is counted
            screen.painted_at.clear()
            await pilot.press("r")
            await _loaded(pilot)
            assert screen.open_files is not counted and screen.directory_depth == 3
        return seen

    seen = asyncio.run(run())
    assert seen[0][0] == 2 and seen[1] == (1, ["scan-target/"])
    assert seen[2] == seen[0]
    assert seen[3][0] == 3 and all(label.count("/") == 3 for label in seen[3][1])


def test_keys_in_quick_succession_leave_the_chart_of_the_last(host: DashboardHost) -> None:
    """Each key replaces the roll-up before it; whichever thread ends last, the chart drawn is
    the one at the depth the screen says."""
    from ospo_tui.screens.dashboard import BarChart

    async def run() -> tuple[int | None, str, list[str]]:
        async with host.run_test(size=(120, 36)) as pilot:
            await _loaded(pilot)
            screen = host.screen
            assert isinstance(screen, DashboardScreen)
            await pilot.press("plus", "plus", "minus", "r", "plus")
            await _loaded(pilot)
            chart = screen.query_one("#directories", BarChart)
            return screen.directory_depth, str(chart.border_title), [b.label for b in chart.bars]

    depth, title, labels = asyncio.run(run())
    assert depth is not None and title.endswith(f"(depth {depth})")
    assert labels and all(label.count("/") == depth for label in labels)
