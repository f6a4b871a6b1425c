"""A scan whose file names, matched text, copyrights and source hold Rich markup and escapes.

Everything must reach the screen literally: no markup applied, no escape sequence reaching the
terminal, bidi overrides made visible.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.screens.source_view import SourceView
from ospo_tui.services.ingest.importer import import_scan_file
from tests.tui_support import REVIEWER, open_queue, screen_text, settle

MARKUP = "[bold red]x[/]"
LINK = "[link=https://evil]click[/link]"
OSC8 = "\x1b]8;;http://evil\x07"
SGR = "\x1b[31m"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
BIDI = "\u202e"
# A file name cannot hold "/", so no closing tags: an open tag would style the rest of the line.
HOSTILE_NAME = "[bold red]x[on blue]y[link=evil.example]z\x1b[31m.c"
SHOWN_NAME = "[bold red]x[on blue]y[link=evil.example]z\ufffd[31m.c"
HOSTILE_MATCHED = f"Licensed {MARKUP} {LINK} {OSC8}evil{SGR}red{OSC52} {BIDI}cod.exe"


def _file(path: str, matched_text: str) -> dict[str, Any]:
    return {
        "path": path,
        "type": "file",
        "name": path.rsplit("/", 1)[-1],
        "size": 10,
        "sha1": None,
        "sha256": None,
        "detected_license_expression": "mit",
        "detected_license_expression_spdx": "MIT",
        "license_detections": [
            {
                "license_expression": "mit",
                "license_expression_spdx": "MIT",
                "identifier": "mit-1",
                "matches": [
                    {
                        "score": 100.0,
                        "start_line": 2,
                        "end_line": 3,
                        "matched_length": 5,
                        "match_coverage": 100.0,
                        "matcher": "2-aho",
                        "license_expression": "mit",
                        "license_expression_spdx": "MIT",
                        "rule_identifier": f"mit_{MARKUP}.RULE",
                        "rule_relevance": 100,
                        "rule_url": None,
                        "matched_text": matched_text,
                    }
                ],
            }
        ],
        "license_clues": [],
        "copyrights": [
            {"copyright": f"Copyright {MARKUP} {SGR}Evil", "start_line": 1, "end_line": 1}
        ],
        "holders": [{"holder": f"{LINK}", "start_line": 1, "end_line": 1}],
        "authors": [],
        "scan_errors": [],
    }


def _hostile_scan(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "tree"
    (root / "src").mkdir(parents=True)
    source = f"// {MARKUP}\nLicensed {LINK} {OSC8}x{SGR}y{OSC52}\n{BIDI}end\n"
    (root / "src" / HOSTILE_NAME).write_text(source, encoding="utf-8")
    scan = {
        "headers": [
            {
                "tool_name": "scancode-toolkit",
                "tool_version": "32.2.0",
                "options": {"input": [str(root)]},
                "output_format_version": "3.0.0",
            }
        ],
        "files": [
            {"path": "src", "type": "directory", "name": "src"},
            _file(f"src/{HOSTILE_NAME}", HOSTILE_MATCHED),
        ],
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(scan), encoding="utf-8")
    return path, root


def _no_terminal_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and BIDI not in text


def test_markup_and_escapes_render_literally(sqlite_db: Database, tmp_path: Path) -> None:
    scan_file, root = _hostile_scan(tmp_path)
    import_scan_file(sqlite_db, scan_file, project="hostile", actor=REVIEWER, root=str(root))
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            text = screen_text(app)
            assert f"src/{SHOWN_NAME}" in text  # brackets shown, not parsed
            _no_terminal_controls(text)
            table = queue.query_one(QueueTable)
            cell = table.cell_at(table.cursor_row, "Path")
            assert isinstance(cell, Text) and cell.plain == f"src/{SHOWN_NAME}"
            assert not cell.spans and not cell.style  # no markup style applied

            await pilot.press("enter")
            await settle(pilot)
            inspector = app.screen
            assert isinstance(inspector, InspectorScreen)
            text = screen_text(app)
            assert f"src/{SHOWN_NAME}" in text
            _no_terminal_controls(text)
            # The source, read from the tree, line by line: escapes made visible.
            source = inspector.query_one(SourceView)
            assert source.lines[0] == f"// {MARKUP}"
            assert (
                source.lines[1]
                == "Licensed [link=https://evil]click[/link] \ufffd]8;;http://evil\ufffdx\ufffd[31my\ufffd]52;c;ZXZpbA==\ufffd"
            )
            assert source.lines[2] == "\ufffdend"
            assert source.ranges == ((2, 3),)
            assert MARKUP in text and "\ufffd[31m" in text

            # Matches and matched text.
            await pilot.press("2")
            await settle(pilot)
            text = screen_text(app)
            _no_terminal_controls(text)
            assert f"mit_{MARKUP}.RULE" in text
            matched = inspector.query_one("#matched-text", Static).render()
            assert f"Licensed {MARKUP} {LINK} \ufffd]8;;http://evil\ufffdevil" in matched.plain
            assert "\ufffdcod.exe" in matched.plain
            assert len(matched.spans) == 1  # only our own bold title: nothing from the text

            # Copyrights and holders.
            await pilot.press("3")
            await settle(pilot)
            text = screen_text(app)
            _no_terminal_controls(text)
            assert f"Copyright {MARKUP} \ufffd[31mEvil" in text
            holders = inspector.query_one("#copyrights-table", DataTable)
            values = [holders.get_row_at(i)[1].plain for i in range(holders.row_count)]
            assert LINK in values

    asyncio.run(drive())


def test_search_for_markup_text_is_literal(sqlite_db: Database, tmp_path: Path) -> None:
    scan_file, root = _hostile_scan(tmp_path)
    import_scan_file(sqlite_db, scan_file, project="hostile", actor=REVIEWER, root=str(root))
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("slash", *"[bold", "enter")
            await settle(pilot)
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            current = queue.query_one(QueueTable).current
            assert current is not None and current.path == f"src/{HOSTILE_NAME}"
            assert "[bold" not in [n.message for n in app._notifications]

    asyncio.run(drive())
