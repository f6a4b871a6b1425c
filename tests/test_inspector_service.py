"""The inspector service and the queue's navigation queries, on real ScanCode output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ospo_tui.db import Database
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.inspector import (
    load_file_review,
    read_scanned_source,
    resolve_inside_root,
)
from ospo_tui.services.review.queue import (
    QueueFilter,
    queue_neighbour,
    queue_page,
    queue_search,
    queue_window,
)
from tests.conftest import SCANCODE_FIXTURES, admin_reading
from tests.tui_support import REVIEWER, import_sample

ZLIB = SCANCODE_FIXTURES / "zlib-v32rc3.json"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "zlib-1.2.11"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.c").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return root


def test_paths_inside_the_root_are_read(tree: Path) -> None:
    assert resolve_inside_root(str(tree), "src/a.c") == (tree / "src" / "a.c").resolve()
    # ScanCode names the scanned directory first: zlib-1.2.11/src/a.c under root .../zlib-1.2.11
    assert resolve_inside_root(str(tree), "zlib-1.2.11/src/a.c") == (tree / "src" / "a.c").resolve()
    assert read_scanned_source(str(tree), "src/a.c").text == "one\ntwo\n"


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "src/../../secret.txt",
        "zlib-1.2.11/../secret.txt",
        "/etc/passwd",
        "src/link-out",
        "src/dir-link/secret.txt",
        "src",  # a directory is not a file
        "",
        "src/a.c\x00",
    ],
)
def test_paths_leaving_the_root_are_never_read(tree: Path, path: str) -> None:
    os.symlink(tree.parent / "secret.txt", tree / "src" / "link-out")
    os.symlink(tree.parent, tree / "src" / "dir-link")
    assert resolve_inside_root(str(tree), path) is None
    source = read_scanned_source(str(tree), path)
    assert source.text is None and source.reason


def test_symlink_inside_the_root_is_followed(tree: Path) -> None:
    os.symlink(tree / "src" / "a.c", tree / "alias.c")
    assert read_scanned_source(str(tree), "alias.c").text == "one\ntwo\n"


def test_binary_large_missing_and_changed_files(tree: Path) -> None:
    (tree / "blob.bin").write_bytes(b"ab\x00cd")
    (tree / "big.txt").write_bytes(b"x" * 101)
    assert read_scanned_source(str(tree), "blob.bin").reason == "binary file, not shown"
    assert "larger than" in (read_scanned_source(str(tree), "big.txt", max_bytes=100).reason or "")
    assert read_scanned_source(None, "src/a.c").text is None
    assert read_scanned_source(str(tree / "gone"), "src/a.c").text is None
    changed = read_scanned_source(str(tree), "src/a.c", sha256="0" * 64)
    assert changed.text == "one\ntwo\n" and changed.differs


def test_file_review_of_a_real_scan(db: Database) -> None:
    result = import_scan_file(db, ZLIB, project="zlib", actor=REVIEWER)
    flt = QueueFilter(scan_id=result.scan_id)
    with admin_reading(db) as snapshot:
        row = next(r for r in queue_page(snapshot, flt, limit=500) if r.path.endswith("/adler32.c"))
        review = load_file_review(snapshot, row.id)
    assert review.item.path == "zlib-1.2.11/adler32.c"
    assert [(m.rule_identifier, m.lines) for m in review.matches] == [
        ("zlib_5.RULE", "3"),
        ("zlib_17.RULE", "6-23"),
    ]
    assert review.matched_ranges == ((3, 3), (6, 23))
    assert ("copyright", "Copyright (c) 1995-2011, 2016 Mark Adler") in [
        (c.kind, c.value) for c in review.copyrights
    ]
    assert ("holder", "Mark Adler") in [(c.kind, c.value) for c in review.copyrights]
    [zlib] = review.licenses
    assert zlib.key == "zlib" and zlib.origin == "scancode"
    assert zlib.text and "This software is provided 'as-is'" in zlib.text
    assert review.source.text is None  # the scan has no root


def test_file_review_reads_the_sample_source(sqlite_db: Database) -> None:
    scan_id = import_sample(sqlite_db)
    with admin_reading(sqlite_db) as snapshot:
        rows = queue_page(snapshot, QueueFilter(scan_id=scan_id), limit=100)
        row = next(r for r in rows if r.path == "attrs/LICENSE")
        review = load_file_review(snapshot, row.id)
    assert review.source.text is not None and review.source.text.startswith("The MIT License")
    assert not review.source.differs
    assert (1, 1) in review.matched_ranges


def test_neighbour_search_and_window_follow_queue_order(db: Database) -> None:
    result = import_scan_file(db, ZLIB, project="zlib", actor=REVIEWER)
    flt = QueueFilter(scan_id=result.scan_id)
    with admin_reading(db) as snapshot:
        rows = queue_page(snapshot, flt, limit=1000)
        assert queue_neighbour(snapshot, flt, rows[0].key) == rows[1]
        assert queue_neighbour(snapshot, flt, rows[1].key, forward=False) == rows[0]
        assert queue_neighbour(snapshot, flt, rows[-1].key) is None

        window = queue_window(snapshot, flt, around=rows[20].key, size=9)
        assert window.rows == rows[17:26] and not window.at_start and not window.at_end
        last = queue_window(snapshot, flt, around=rows[-1].key, size=9)
        assert last.rows == rows[-9:] and last.at_end and not last.at_start
        top = queue_window(snapshot, flt, around=None, size=9)
        assert top.rows == rows[:9] and top.at_start and not top.at_end
        near_top = queue_window(snapshot, flt, around=rows[1].key, size=9)
        assert near_top.rows == rows[:9] and near_top.at_start
        whole = queue_window(snapshot, flt, around=rows[5].key, size=len(rows))
        assert whole.rows == rows and whole.at_start and whole.at_end

        hits = [r for r in rows if "gz" in r.path.lower()]
        assert len(hits) > 2
        first = queue_search(snapshot, flt, "GZ", start=None)
        assert first == hits[0]
        assert queue_search(snapshot, flt, "gz", start=hits[0].key) == hits[1]
        assert queue_search(snapshot, flt, "gz", start=hits[0].key, inclusive=True) == hits[0]
        # Wraps around both ways.
        assert queue_search(snapshot, flt, "gz", start=hits[-1].key) == hits[0]
        assert queue_search(snapshot, flt, "gz", start=hits[0].key, forward=False) == hits[-1]
        # LIKE wildcards in the text are literal.
        assert queue_search(snapshot, flt, "%", start=None) is None
        assert queue_search(snapshot, flt, "no such thing", start=None) is None
