"""The queue's inline filter bar by keyboard, and the text filters it feeds on both backends."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.filter_bar import FilterBar
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.screens.steady_footer import SteadyFooter
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.queue import QueueFilter, queue_count, queue_page
from tests.conftest import admin_reading
from tests.tui_support import REVIEWER, import_sample, open_queue, screen_text, settle

SIZE = (140, 40)


def placements(screen: QueueScreen, bar: FilterBar) -> dict[object, object]:
    """Where the compositor puts every widget outside the bar (its private map)."""
    return {
        widget: geometry
        for widget, geometry in screen._compositor._full_map.items()
        if widget is not bar and bar not in widget.ancestors
    }


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


def test_escape_cancels_letters_stay_in_the_bar_and_license_key_applies(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    async def drive() -> QueueScreen:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            bar = queue.query_one(FilterBar)
            footer = queue.query_one(SteadyFooter)
            table = queue.query_one(QueueTable)
            assert not bar.display and sample_app.focused is table
            table_region = table.region
            before = placements(queue, bar)

            await pilot.press("f")
            await settle(pilot)
            # The bar floats over the table: the table keeps its size, the footer its keys.
            assert bar.display and footer.display and footer.held
            assert table.region == table_region
            assert "Filter the queue" in screen_text(sample_app)
            # Nothing else moved or was renumbered, so only the rows under the bar repaint.
            assert placements(queue, bar) == before
            assert sample_app.focused is not None and sample_app.focused.id == "filter-states"
            await pilot.press("d", "o")  # decide / open only on the queue: not from the bar
            await settle(pilot)
            assert isinstance(sample_app.screen, QueueScreen)
            assert queue.flt == QueueFilter(queue.flt.scan_id)

            # Escape cancels: what was typed is not applied, the table has the focus again.
            await pilot.press("tab", *"mit", "escape")
            await settle(pilot)
            assert not bar.display and footer.display and not footer.held
            assert table.region == table_region
            assert placements(queue, bar) == before
            assert sample_app.focused is queue.query_one(QueueTable)
            assert queue.flt == QueueFilter(queue.flt.scan_id)

            # The bar opens on the current filter, not on the cancelled text.
            await pilot.press("f", "tab", "tab", *"mit", "enter")
            await settle(pilot)
            assert queue.query_one("#filter-license").value == ""  # type: ignore[attr-defined]
            assert not bar.display and sample_app.focused is queue.query_one(QueueTable)
            assert queue.flt.license_key == "mit" and queue.flt.license is None
            assert "license key: mit" in screen_text(sample_app)
            return queue

    queue = asyncio.run(drive())
    with admin_reading(sqlite_db) as snapshot:
        mit = [row.path for row in queue_page(snapshot, queue.flt, limit=1000)]
    assert 0 < len(mit) < 29 and queue.total == len(mit)


def test_the_table_has_the_focus_when_the_filtered_rows_are_shown(sample_app: ReviewApp) -> None:
    """The bar hands the focus back before the new rows go into the table, not from a callback
    after them: a focus change repaints the whole screen, so a late one paints the rows twice."""

    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            table = queue.query_one(QueueTable)
            focused_when_shown: list[object] = []
            show_rows = table.show_rows

            def recording_show_rows(*args: Any, **kwargs: Any) -> None:
                focused_when_shown.append(queue.focused)
                show_rows(*args, **kwargs)

            table.show_rows = recording_show_rows  # type: ignore[method-assign]
            await pilot.press("f", "tab", "tab", *"mit", "enter")
            await settle(pilot)
            assert queue.flt.license_key == "mit"
            assert focused_when_shown == [table]

    asyncio.run(drive())


def test_text_filters_ignore_case_on_both_backends(db: Database) -> None:
    scan_id = import_sample(db)
    with admin_reading(db) as snapshot:

        def count(**changes: object) -> int:
            return queue_count(snapshot, QueueFilter(scan_id).with_changes(**changes))

        assert count(text="license") == count(text="LICENSE") > 0
        assert count(license="mit") == count(license="MIT") > 0
        assert count(text="no such file anywhere") == 0
        rows = queue_page(snapshot, QueueFilter(scan_id, text="LiCeNsE"))
        assert any("LICENSE" in row.path for row in rows)
        assert all("license" in f"{row.path} {row.detected_spdx}".lower() for row in rows)


def _file_with_mit(path: str) -> dict[str, object]:
    match = {
        "score": 100.0,
        "start_line": 1,
        "end_line": 1,
        "matched_length": 3,
        "match_coverage": 100.0,
        "matcher": "2-aho",
        "license_expression": "mit",
        "license_expression_spdx": "MIT",
        "rule_identifier": "mit_1.RULE",
    }
    return {
        "path": path,
        "type": "file",
        "detected_license_expression": "mit",
        "detected_license_expression_spdx": "MIT",
        "license_detections": [
            {"license_expression": "mit", "license_expression_spdx": "MIT", "matches": [match]}
        ],
    }


def import_mit_files(db: Database, tmp_path: Path, paths: list[str]) -> int:
    """A scan of ``paths``, each with one MIT detection (so each is in the queue); its id."""
    scan = {
        "headers": [{"tool_name": "scancode-toolkit", "output_format_version": "3.0.0"}],
        "files": [_file_with_mit(path) for path in paths],
    }
    scan_file = tmp_path / "scan.json"
    scan_file.write_text(json.dumps(scan), encoding="utf-8")
    return import_scan_file(db, scan_file, project="paths", actor=REVIEWER).scan_id


def test_text_filters_fold_ascii_only_and_alike_on_both_backends(
    db: Database, tmp_path: Path
) -> None:
    names = ("ÄNDERUNGEN.txt", "änderungen.txt", "Changes.txt")
    scan_id = import_mit_files(db, tmp_path, [f"docs/{name}" for name in names])
    with admin_reading(db) as snapshot:

        def found(text: str) -> list[str]:
            rows = queue_page(snapshot, QueueFilter(scan_id, text=text))
            return sorted(row.path.removeprefix("docs/") for row in rows)

        # ASCII letters fold; other letters match only as typed, on SQLite and PostgreSQL alike.
        assert found("ÄNDERUNGEN") == ["ÄNDERUNGEN.txt"]
        assert found("Änderungen") == ["ÄNDERUNGEN.txt"]
        assert found("änderungen") == ["änderungen.txt"]
        assert found("CHANGES") == found("changes") == ["Changes.txt"]


def test_path_globs_tell_case_apart_on_both_backends(db: Database, tmp_path: Path) -> None:
    scan_id = import_mit_files(
        db, tmp_path, ["src/Main.c", "src/main.c", "src/[x]_1%.c", "SRC/other.c"]
    )
    with admin_reading(db) as snapshot:

        def found(glob: str) -> list[str]:
            return sorted(
                r.path for r in queue_page(snapshot, QueueFilter(scan_id, path_glob=glob))
            )

        # A glob picks what a bulk decision covers: exact case, the same on SQLite and PostgreSQL.
        assert found("src/*") == ["src/Main.c", "src/[x]_1%.c", "src/main.c"]
        assert found("SRC/*") == ["SRC/other.c"]
        assert found("src/m*") == ["src/main.c"]
        assert found("src/?ain.c") == ["src/Main.c", "src/main.c"]
        # [ ], % and _ are plain characters in a glob.
        assert found("src/[x]_1%.c") == ["src/[x]_1%.c"]
        assert found("src/[x]?1?.c") == ["src/[x]_1%.c"]
        assert found("src/_*") == []
