"""The package round trip through the real TUI: queue → packages screen → package → decide →
file inspector, with the decision recorded and audited by the package decision service."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.models import AuditEvent, ScanPackage
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.package_view import PackageDecisionDialog, PackageScreen
from ospo_tui.screens.packages import PackagesScreen
from ospo_tui.services.ingest.importer import import_scan_file
from tests.conftest import SCANCODE_FIXTURES
from tests.decision_helpers import RITA
from tests.tui_support import open_queue, screen_text, settle, wait_until

SIZE = (160, 45)
HAZELCAST = SCANCODE_FIXTURES / "hazelcast-3293-v32rc3.json"


def test_packages_screen_package_decide_inspector(sqlite_db: Database) -> None:
    import_scan_file(sqlite_db, HAZELCAST, project="hazelcast", actor=RITA)
    asyncio.run(_round_trip(sqlite_db))


async def _round_trip(sqlite_db: Database) -> None:
    app = ReviewApp(sqlite_db, "rita")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await pilot.press("P")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PackagesScreen) and app.screen.loads > 0,
            "the packages screen",
        )
        packages = app.screen
        assert isinstance(packages, PackagesScreen) and packages.rows
        first = packages.rows[0]
        assert first.purl
        await wait_until(pilot, lambda: first.purl in screen_text(app), "the first package shown")
        assert [r.mismatch for r in packages.rows] == sorted(
            (r.mismatch for r in packages.rows), reverse=True
        )
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PackageScreen) and app.screen.loads > 0,
            "the package",
        )
        package = app.screen
        assert isinstance(package, PackageScreen) and package.detail is not None
        await wait_until(pilot, lambda: "Manifests:" in screen_text(app), "the package head")
        assert "Declared:" in screen_text(app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, PackageDecisionDialog), "dialog")
        dialog = app.screen
        assert isinstance(dialog, PackageDecisionDialog)
        dialog.query_one("#package-license").value = "apache-2.0"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: package.detail is not None and package.detail.package.concluded == "Apache-2.0",
            "the package decision",
        )
        assert package.detail is not None and package.detail.package.state == "decided"
        with sqlite_db.session() as session:
            stored = session.get(ScanPackage, first.id)
            assert stored is not None and stored.concluded_expression == "Apache-2.0"
            actions = session.scalars(select(AuditEvent.action)).all()
        assert "package_decision.record" in actions
        path = package.detail.files[0].path
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, InspectorScreen) and app.screen.loads > 0,
            "the file inspector",
        )
        assert isinstance(app.screen, InspectorScreen) and app.screen.row.path == path
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is package
