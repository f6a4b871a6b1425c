"""One scan full of hostile strings, end to end on both backends: Rich markup, ANSI, OSC 8
links, OSC 52 clipboard writes, bidi overrides and NULs in paths, matched text, copyrights,
holders, decision notes and questions. The TUI shows them inert, every export format carries
no terminal control, HTML is escaped, JSON parses, and a path that leaves the scan root is
never read."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.services.export.run import EXPORT_KINDS, run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.inspector import load_file_review
from ospo_tui.services.trail.chain import Actor
from tests.conftest import admin_reading
from tests.tui_support import screen_text, settle

ADMIN = Actor("tester", "admin")
MARKUP = "[bold red]BOLD[/bold red] [link=https://x]L[/link] [@click=app.quit]Q[/]"
ANSI = "\x1b[31mRED\x1b[0m"
OSC8 = "\x1b]8;;https://evil\x1b\\EVIL\x1b]8;;\x1b\\"
OSC52 = "\x1b]52;c;SGVsbG8=\x07"
BIDI = "\u202eexe.\u2066txt\u2069"
NUL = "a\x00b"
HTML = "<img src=x onerror=alert(1)>"
HOSTILE = f"{MARKUP} {ANSI} {OSC8} {OSC52} {BIDI} {HTML} {NUL}"
# The bytes no export may carry raw: C0 controls but TAB/LF/CR, DEL, C1, bidi embeds/isolates.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
OUTSIDE = ("../../etc/passwd", "/etc/passwd", "tree/link-out.c")
SECRET = "root:x:0:0"  # what /etc/passwd starts with; our fake below says it too


def _file(path: str, text: str) -> dict[str, Any]:
    match = {
        "license_expression": "mit",
        "license_expression_spdx": "MIT",
        "rule_identifier": f"mit_{MARKUP}.RULE",
        "matcher": "2-aho",
        "score": 100.0,
        "match_coverage": 100.0,
        "rule_relevance": 100,
        "start_line": 1,
        "end_line": 2,
        "matched_text": text,
    }
    return {
        "path": path,
        "type": "file",
        "name": path.rsplit("/", 1)[-1],
        "sha1": hashlib.sha1(path.encode("utf-8", "replace")).hexdigest(),  # noqa: S324
        "detected_license_expression": "mit",
        "detected_license_expression_spdx": "MIT",
        "license_detections": [
            {"license_expression": "mit", "license_expression_spdx": "MIT", "matches": [match]}
        ],
        "copyrights": [{"copyright": f"Copyright {text}", "start_line": 1, "end_line": 1}],
        "holders": [{"holder": text, "start_line": 1, "end_line": 1}],
        "authors": [{"author": text, "start_line": 1, "end_line": 1}],
    }


@pytest.fixture
def hostile_scan(db: Database, tmp_path: Path) -> int:
    root = tmp_path / "tree"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}:should never be shown\n", encoding="utf-8")
    os.symlink(secret, root / "link-out.c")
    name = "[bold red]x[link=evil]y\x1b[31m\u202e.c"  # a legal file name: no "/"
    source = HOSTILE.replace(NUL, "ab")  # a NUL would make the file binary, not shown at all
    (root / name).write_text(f"{source}\nline two\n", encoding="utf-8")
    files = [_file(f"tree/{name}", HOSTILE)] + [_file(p, HOSTILE) for p in OUTSIDE]
    scan = {"headers": [{"tool_name": "scancode-toolkit", "tool_version": "32.3.0"}]}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({**scan, "files": files}))
    scan_id = import_scan_file(db, path, project="hostile", actor=ADMIN, root=str(root)).scan_id
    with db.session() as session:
        items = list(session.scalars(select(ReviewItem.id).where(ReviewItem.scan_id == scan_id)))
    for item_id in items:
        # Notes refuse NUL outright (a clear InputError); everything else goes in as typed.
        note = HOSTILE.replace(NUL, "ab")
        decide(db, ADMIN, item_id, None, "MIT", "identified", None, note, note)
    return scan_id


def test_paths_leaving_the_root_are_never_read(db: Database, hostile_scan: int) -> None:
    with admin_reading(db) as snapshot:
        rows = snapshot.session.execute(
            select(ReviewItem.id, ReviewItem.path).where(ReviewItem.scan_id == hostile_scan)
        ).all()
        reviews = {path: load_file_review(snapshot, item_id) for item_id, path in rows}
    for path in OUTSIDE:
        source = reviews[path].source
        assert source.text is None and "scan root" in (source.reason or ""), path
    inside = next(r for p, r in reviews.items() if p not in OUTSIDE)
    assert inside.source.text is not None and inside.source.text.startswith(MARKUP)


@pytest.mark.parametrize(
    ("kind", "fmt"), [(k.name, f) for k in EXPORT_KINDS.values() for f in k.formats]
)
def test_every_export_is_inert(
    db: Database, hostile_scan: int, tmp_path: Path, kind: str, fmt: str
) -> None:
    target = tmp_path / f"export.{fmt}"
    run_export(db, ADMIN, kind, target, fmt=fmt, include_private=kind == "decision-log")
    raw = target.read_bytes()
    if fmt == "xlsx":  # a zip of XML parts: check what is inside
        with zipfile.ZipFile(target) as book:
            raw = b"".join(book.read(name) for name in book.namelist())
            assert b"<f>" not in raw  # no cell became a formula
    text = raw.decode("utf-8")  # valid UTF-8 (a NUL or lone surrogate would not be)
    found = CONTROL.search(text)
    assert found is None, f"{kind}/{fmt} carries {found.group()!r} raw at {found.start()}"
    assert SECRET not in text
    if fmt == "json":
        json.loads(text)
    if fmt == "html":
        assert "<img" not in text and "&lt;img src=x" in text
    if kind in ("decision-log", "attribution") and fmt != "html":
        # The markup travels as literal characters (nothing interprets or drops it).
        assert "[bold red]" in text


def test_the_tui_shows_hostile_text_inert(db: Database, hostile_scan: int) -> None:
    app = ReviewApp(db, ADMIN.name)

    async def drive() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            shown = [screen_text(app)]
            for _ in range(len(OUTSIDE) + 1):  # open every file in the inspector
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, InspectorScreen)
                for tab in ("1", "2", "3"):
                    await pilot.press(tab)
                    await settle(pilot)
                    shown.append(screen_text(app))
                await pilot.press("escape")
                await settle(pilot)
                await pilot.press("down")
                await settle(pilot)
            everything = "\n".join(shown)
            assert CONTROL.search(everything) is None
            assert "[bold red]x[link=evil]y" in everything  # the file name's markup, literally
            assert "[bold red]BOLD[/bold red]" in everything
            assert SECRET not in everything
            assert app.is_running  # [@click=app.quit] did nothing

    asyncio.run(drive())


def test_cli_errors_and_output_are_inert(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error quoting a hostile path (here: a malformed field) must not reach the terminal
    as an OSC 52 clipboard write; nor may a listing of hostile paths."""
    from ospo_tui.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"files": [{"path": f"x{OSC52}{ANSI}.c", "size": "big"}]}))
    assert main(["--db", db_url, "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "field 'size' must be a number" in err and err.count("\n") == 1
    assert CONTROL.search(err) is None

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"files": [_file(f"tree/x{OSC52}{BIDI}.c", HOSTILE)]}))
    assert main(["--db", db_url, "import", str(good)]) == 0
    assert main(["--db", db_url, "bulk", "--glob", "*", "--license", "MIT"]) == 0
    out = capsys.readouterr().out
    assert "tree/x" in out and CONTROL.search(out) is None
