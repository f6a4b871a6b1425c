"""The directory tree's counts and the directory filter, alike on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.directory_tree import directory_level
from ospo_tui.services.review.queue import QueueFilter, queue_page
from tests.conftest import admin_reading
from tests.test_tui_filter_bar import import_mit_files
from tests.tui_support import REVIEWER

PATHS = [
    "src/a.c",
    "src/lib/b.c",
    "src/lib/deep/c.c",
    "src-2/d.c",  # a sibling whose name starts like src: never under src/
    "src.old/e.c",
    "src%/f.c",  # LIKE's wildcards are plain characters
    "Src/g.c",  # case tells directories apart
    "top.c",
]


def test_levels_count_subtrees_and_the_filter_keeps_to_them(db: Database, tmp_path: Path) -> None:
    scan_id = import_mit_files(db, tmp_path, PATHS)
    with db.session() as session:
        item = session.query(ReviewItem).filter_by(path="src/lib/b.c").one()
        item_id, version = item.id, item.version
    decide(db, REVIEWER, item_id, version, "MIT", "identified")
    with admin_reading(db) as snapshot:
        top = directory_level(snapshot, scan_id, "", "all")
        assert [(c.name, c.files) for c in top.children] == [
            ("Src", 1),
            ("src", 3),
            ("src%", 1),
            ("src-2", 1),
            ("src.old", 1),
            ("", 1),  # top.c, directly at the top
        ]
        assert (top.total.files, top.total.decided, top.total.open) == (8, 1, 7)
        src = directory_level(snapshot, scan_id, "src", "all")
        assert [(c.name, c.path, c.files, c.decided) for c in src.children] == [
            ("lib", "src/lib", 2, 1),
            ("", "src", 1, 0),
        ]
        assert src.parent == "" and directory_level(snapshot, scan_id, "src/lib").parent == "src"
        assert {c.worst_alert for c in src.children} == {"ok"}

        def under(directory: str) -> list[str]:
            flt = QueueFilter(scan_id, scope="all", directory=directory)
            return sorted(row.path for row in queue_page(snapshot, flt))

        assert under("src") == ["src/a.c", "src/lib/b.c", "src/lib/deep/c.c"]
        assert under("src/lib") == ["src/lib/b.c", "src/lib/deep/c.c"]
        assert under("src%") == ["src%/f.c"]
        assert under("Src") == ["Src/g.c"]
        assert directory_level(snapshot, scan_id, "", "none").children == ()
