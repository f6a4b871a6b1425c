"""The queue's text filters, license filter and search find, through the trigram and expression
indexes, exactly the rows plain LIKE finds, in the same order, on both backends.

Real ScanCode output (zlib), with some paths and expressions rewritten to hold the awkward
cases: letters of either case, non-ASCII letters, LIKE's own ``%``, ``_`` and ``\\``, quotes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review import queue_text
from ospo_tui.services.review.queue import (
    QueueFilter,
    _filtered,
    queue_count,
    queue_page,
    queue_position,
    queue_search,
)
from tests.conftest import SCANCODE_FIXTURES, admin_reading
from tests.decision_helpers import RITA

AWKWARD_PATHS = (
    "docs/ÄNDERUNGEN.txt",
    "docs/änderungen_50%.md",
    "src/a_b.c",
    "src/aXb.c",
    "src/100%done.c",
    'src/quote"d.c',
    "src/back\\slash.c",
    "SRC/UPPER/Inflate.C",
    "src/ünïcödé/ｚｌｉｂ.h",
)
EXPRESSIONS = (  # (detected, spdx, concluded)
    ("gpl-2.0 WITH classpath_exception", "GPL-2.0-only WITH Classpath-exception-2.0", None),
    ("mit", "MIT", "MIT OR Apache-2.0"),
    (None, None, "LicenseRef-Änderung_100%"),
)
NEEDLES = (
    "inflate",
    "INFLATE",
    "Inflate.c",
    "zlib",
    "ZLIB",
    "zl",
    "z",
    "%",
    "_",
    "\\",
    '"',
    "a_b",
    "100%",
    "50%.md",
    "ä",
    "Ä",
    "änd",
    "ÄNDERUNGEN",
    "Änderungen",
    "ｚｌｉｂ",
    "ünï",
    "gpl",
    "GPL-2.0",
    "with",
    "classpath_e",
    "mit or",
    "apache",
    "Änderung_1",
    "no such file",
    " ",
    "c ",
    "/",
)


@pytest.fixture
def scan(db: Database) -> Iterator[tuple[Database, int]]:
    scan_id = import_scan_file(
        db, SCANCODE_FIXTURES / "zlib-v32rc3.json", project="zlib", actor=RITA
    ).scan_id
    with db.session() as session:
        ids = list(
            session.scalars(
                select(ReviewItem.id).where(ReviewItem.scan_id == scan_id).order_by(ReviewItem.id)
            )
        )
        for item_id, path in zip(ids[::5], AWKWARD_PATHS, strict=False):
            session.execute(update(ReviewItem).where(ReviewItem.id == item_id).values(path=path))
        for item_id, (detected, spdx, concluded) in zip(ids[2::7], EXPRESSIONS, strict=False):
            session.execute(
                update(ReviewItem)
                .where(ReviewItem.id == item_id)
                .values(
                    detected_expression=detected,
                    detected_spdx=spdx,
                    concluded_expression=concluded,
                    needs_review=True,
                )
            )
    yield db, scan_id


def _plain_ids(db: Database, flt: QueueFilter) -> list[int]:
    """What LIKE on every row finds: the filter without a session."""
    query = _filtered(select(ReviewItem.id), flt).order_by(
        ReviewItem.priority, ReviewItem.path, ReviewItem.id
    )
    with admin_reading(db) as snapshot:
        return list(snapshot.session.scalars(query))


def _planned_ids(db: Database, flt: QueueFilter) -> list[int]:
    with admin_reading(db) as snapshot:
        return [row.id for row in queue_page(snapshot, flt, limit=100_000)]


@pytest.mark.parametrize("rare_paths", [2000, 3])  # 3: common texts take the LIKE walk
def test_filters_and_search_match_plain_like(
    scan: tuple[Database, int], rare_paths: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, scan_id = scan
    monkeypatch.setattr(queue_text, "RARE_PATHS", rare_paths)
    seen_some = 0
    for needle in NEEDLES:
        for scope in ("findings", "all"):
            for field in ("text", "license"):
                flt = QueueFilter(scan_id, scope=scope, **{field: needle})
                plain = _plain_ids(db, flt)
                assert _planned_ids(db, flt) == plain, (needle, scope, field)
                seen_some += bool(plain)
                with admin_reading(db) as snapshot:
                    assert queue_count(snapshot, flt) == len(plain)
                    if len(plain) > 2:
                        rows = queue_page(snapshot, flt, limit=3)
                        assert queue_position(snapshot, flt, rows[2].key) == 2
            _check_search(db, QueueFilter(scan_id, scope=scope), needle)
    assert seen_some > 40  # the needles do find rows, not only nothing


def _check_search(db: Database, flt: QueueFilter, needle: str) -> None:
    """Search from the top, forward and back, lands where LIKE's own first and last match are."""
    with admin_reading(db) as snapshot:
        all_ids = [row.id for row in queue_page(snapshot, flt, limit=100_000)]
        first = queue_search(snapshot, flt, needle, start=None)
        last = queue_search(snapshot, flt, needle, start=None, forward=False)
    from ospo_tui.services.review.queue import _SEARCHED  # noqa: PLC0415
    from ospo_tui.services.review.queue_text import holding_text  # noqa: PLC0415

    held = holding_text(None, flt.scan_id, needle, True, _SEARCHED)
    query = _filtered(select(ReviewItem.id), flt).where(held)
    with admin_reading(db) as snapshot:
        matching = set(snapshot.session.scalars(query))
    expected = [item for item in all_ids if item in matching]
    assert (first.id if first else None) == (expected[0] if expected else None), needle
    assert (last.id if last else None) == (expected[-1] if expected else None), needle


def test_a_column_with_many_values_is_read_by_like(
    scan: tuple[Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, scan_id = scan
    monkeypatch.setattr(queue_text, "MANY_VALUES", 1)
    for needle in ("gpl", "zlib", "mit or", "Änderung_1", "nothing"):
        flt = QueueFilter(scan_id, scope="all", license=needle)
        assert _planned_ids(db, flt) == _plain_ids(db, flt), needle


def test_distinct_values_walk_the_index(scan: tuple[Database, int]) -> None:
    db, scan_id = scan
    with admin_reading(db) as snapshot:
        session = snapshot.session
        for target in (ReviewItem.detected_spdx, ReviewItem.concluded_expression):
            listed = queue_text.distinct_values(session, scan_id, target)
            every = session.scalars(
                select(target).where(ReviewItem.scan_id == scan_id, target.is_not(None)).distinct()
            )
            assert listed is not None and sorted(listed) == sorted(every)

    with admin_reading(db) as snapshot, pytest.MonkeyPatch.context() as patch:
        patch.setattr(queue_text, "MANY_VALUES", 1)
        assert (
            queue_text.distinct_values(snapshot.session, scan_id, ReviewItem.detected_spdx) is None
        )
