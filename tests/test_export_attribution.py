"""Attribution notice: shipped files only, grouped per license, with holders and texts; safe."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ospo_tui.commands.demo import sample_paths
from ospo_tui.db import Database
from ospo_tui.services.export.project_notices import is_legal_name
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk
from tests.decision_helpers import RITA
from tests.export_helpers import ADA, ADLER, FAQ, README_CONTRIB, ZLIB_H, reviewed_zlib

BLAST = "zlib-1.2.11/contrib/blast/blast.c"


def test_text_notice_lists_shipped_files_per_license(db: Database, tmp_path: Path) -> None:
    reviewed_zlib(db)
    target = tmp_path / "NOTICE.txt"
    result = run_export(db, RITA, "attribution", target, project="zlib")
    text = target.read_text(encoding="utf-8")

    # zlib.h plus the blast bulk (blast.c, blast.h, Makefile, README, test.pk, test.txt...)
    assert result.rows >= 3
    assert f"  {ZLIB_H}\n" in text and f"  {BLAST}\n" in text
    for left_out in (FAQ, ADA, ADLER, README_CONTRIB):  # irrelevant, do not use, non-functional,
        assert left_out not in text  # and still to be discussed
    assert "License: Zlib\n" in text
    assert "License: Zlib AND LicenseRef-scancode-public-domain\n" in text
    assert "Jean-loup Gailly" in text and "Mark Adler" in text
    assert "This software is provided 'as-is'" in text  # the Zlib license text
    # Printed once, and said to be ScanCode's text: the scan was imported without its tree.
    heading = "License text of ZLIB License (Zlib), from ScanCode's license database"
    assert text.count(f"{heading} (the scanned tree is not known):\n\n") == 1
    assert "printed above" in text
    assert "WARNING:" in text and "not decided yet" in text
    assert "Files left out as not shipped (irrelevant, do not use, non-functional): 3" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_notice_escapes_everything(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    target = tmp_path / "notice.html"
    run_export(sqlite_db, RITA, "attribution", target, project="zlib")
    html_text = target.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(html_text)
    assert "script" not in parser.tags
    assert set(parser.tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "p",
        "section",
        "h2",
        "h3",
        "ul",
        "li",
        "code",
        "pre",
        "a",
    }
    shown = "".join(parser.text)
    assert ZLIB_H in shown and "Jean-loup Gailly" in shown
    assert "\x1b" not in html_text


def test_hostile_paths_and_holders_stay_text(sqlite_db: Database, tmp_path: Path) -> None:
    """A scanned file named like markup, with a holder carrying escapes, decided as shipped."""
    import json

    from ospo_tui.services.ingest.importer import import_scan_file
    from ospo_tui.services.review.decisions import decide
    from tests.decision_helpers import ZLIB, item

    doc = json.loads(ZLIB.read_text())
    hostile = "zlib-1.2.11/<img src=x onerror=alert(1)>\x1b]0;pwned\x07.c"
    for entry in doc["files"]:
        if entry["path"] == ZLIB_H:
            entry["path"] = hostile
            entry["holders"] = [
                {"holder": "Evil <b>Corp</b> \x1b[2J", "start_line": 1, "end_line": 1}
            ]
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(doc))
    scan_id = import_scan_file(sqlite_db, source, project="zlib", actor=RITA).scan_id
    decide(sqlite_db, RITA, item(sqlite_db, scan_id, hostile).id, None, "Zlib", "identified")

    run_export(sqlite_db, RITA, "attribution", tmp_path / "n.html", project="zlib")
    run_export(sqlite_db, RITA, "attribution", tmp_path / "n.txt", project="zlib")
    page = (tmp_path / "n.html").read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    assert "img" not in parser.tags and "b" not in parser.tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Evil &lt;b&gt;Corp&lt;/b&gt;" in page
    plain = (tmp_path / "n.txt").read_text(encoding="utf-8")
    assert "\x1b" not in plain and "\x07" not in plain and "\x1b" not in page
    assert "Evil <b>Corp</b>" in plain


def _sample_notice(db: Database, tmp_path: Path, *, root: bool, fmt: str = "text") -> str:
    scan_file, tree = sample_paths()
    scan = import_scan_file(
        db, scan_file, project="sample", actor=RITA, root=str(tree) if root else None
    ).scan_id
    apply_bulk(db, RITA, BulkSelection(scan, path_glob="*"), "Apache-2.0", "identified")
    target = tmp_path / ("notice.html" if fmt == "html" else "NOTICE.txt")
    run_export(db, RITA, "attribution", target, project="sample", fmt=fmt)
    return target.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_notice_carries_the_projects_own_license_and_notice_files(
    sqlite_db: Database, tmp_path: Path, fmt: str
) -> None:
    notice = _sample_notice(sqlite_db, tmp_path, root=True, fmt=fmt)
    _, tree = sample_paths()
    for own in ("license-expression/NOTICE", "license-expression/apache-2.0.LICENSE"):
        text = (tree / own).read_text(encoding="utf-8").strip()
        assert (html.escape(text) if fmt == "html" else text) in notice, own
    # Apache-2.0 is held by project files, so no generic database text is printed for it.
    assert "from ScanCode's license database" not in notice
    assert "Neither the name of the ORGANIZATION" not in notice


def test_notice_without_the_tree_says_its_texts_are_generic(
    sqlite_db: Database, tmp_path: Path
) -> None:
    notice = _sample_notice(sqlite_db, tmp_path, root=False)
    assert "the scanned tree is not known" in notice
    assert "from ScanCode's license database (the scanned tree is not known)" in notice
    assert "The project's own license and notice files" not in notice


@pytest.mark.parametrize(
    "name, legal",
    [
        ("LICENSE", True),
        ("LICENSE.txt", True),
        ("apache-2.0.LICENSE", True),
        ("NOTICE", True),
        ("COPYING.LIB", True),
        ("README.rst", False),
        ("setup.py", False),
    ],
)
def test_legal_names_follow_scancode(name: str, legal: bool) -> None:
    assert is_legal_name(name) is legal
