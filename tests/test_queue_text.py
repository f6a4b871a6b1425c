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
from ospo_tui.services.review import queue, queue_text
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


# 3: common texts take the LIKE walk; a search reads 2 rows near the cursor, or 500.
@pytest.mark.parametrize("rare_paths, nearby", [(300, 2), (3, 500)])
def test_filters_and_search_match_plain_like(
    scan: tuple[Database, int], rare_paths: int, nearby: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, scan_id = scan
    monkeypatch.setattr(queue_text, "RARE_PATHS", rare_paths)
    monkeypatch.setattr(queue, "NEARBY", nearby)
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
    """Search lands where LIKE's own next (or previous) match is, wrapping round the ends, from
    the top and from rows all along the queue."""
    from ospo_tui.services.review.queue import _SEARCHED  # noqa: PLC0415

    held = queue_text.holding_text(None, flt.scan_id, needle, True, _SEARCHED)
    query = _filtered(select(ReviewItem.id), flt).where(held)
    with admin_reading(db) as snapshot:
        rows = queue_page(snapshot, flt, limit=100_000)
        matching = set(snapshot.session.scalars(query))
        hits = [at for at, row in enumerate(rows) if row.id in matching]
        first = queue_search(snapshot, flt, needle, start=None)
        last = queue_search(snapshot, flt, needle, start=None, forward=False)
        assert (first.id if first else None) == (rows[hits[0]].id if hits else None), needle
        assert (last.id if last else None) == (rows[hits[-1]].id if hits else None), needle
        for at in range(0, len(rows), 29):
            for forward in (True, False):
                for inclusive in (False, True):
                    found = queue_search(
                        snapshot,
                        flt,
                        needle,
                        start=rows[at].key,
                        forward=forward,
                        inclusive=inclusive,
                    )
                    want = _expected(hits, at, forward, inclusive)
                    got = found.id if found else None
                    assert got == (rows[want].id if want is not None else None), (needle, at)


def _expected(hits: list[int], at: int, forward: bool, inclusive: bool) -> int | None:
    """The position of the match a pager's search finds from ``at``, wrapping round."""
    if not hits:
        return None
    if forward:
        ahead = [h for h in hits if h > at or (inclusive and h == at)]
        return ahead[0] if ahead else hits[0]
    behind = [h for h in hits if h < at or (inclusive and h == at)]
    return behind[-1] if behind else hits[-1]


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


GLOBS = ("copy*", "*.c", "src/a_b.c", "SRC/*", "*ÄNDER*", "*50%*", "*[*", "???/*", "*zlib*.h")


def test_path_globs_keep_their_rows(scan: tuple[Database, int]) -> None:
    """A glob narrowed by the trigram index (PostgreSQL) keeps exactly the glob's rows."""
    db, scan_id = scan
    for glob in GLOBS:
        for scope in ("findings", "all"):
            flt = QueueFilter(scan_id, scope=scope, path_glob=glob)
            assert _planned_ids(db, flt) == _plain_ids(db, flt), glob


def test_search_steps_through_rows_that_share_their_place_in_the_queue(
    scan: tuple[Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of one (priority, path) are told apart by their ids: the search finds its way to
    the first match by (priority, path) alone, then among such rows by id."""
    db, scan_id = scan
    monkeypatch.setattr(queue, "NEARBY", 0)  # no reading near the cursor: the index steps only
    with db.session() as session:
        ids = list(
            session.scalars(
                select(ReviewItem.id).where(ReviewItem.scan_id == scan_id).order_by(ReviewItem.id)
            )
        )
        twins = (ids[1], ids[4], ids[8])
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id.in_(twins))
            .values(path="src/twin.c", priority=5, needs_review=True)
        )
        # One more match just after them, so a step past the last twin has somewhere to go.
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == ids[0])
            .values(path="src/twin.h", priority=5, needs_review=True)
        )
    flt = QueueFilter(scan_id)
    with admin_reading(db) as snapshot:
        rows = queue_page(snapshot, flt, limit=100_000)
        hits = [at for at, row in enumerate(rows) if row.path.startswith("src/twin.")]
        assert [rows[at].id for at in hits] == [*sorted(twins), ids[0]]
        for at in (*hits, hits[0] - 1, hits[-1] + 1):
            for forward in (True, False):
                for inclusive in (False, True):
                    found = queue_search(
                        snapshot,
                        flt,
                        "TWIN",
                        start=rows[at].key,
                        forward=forward,
                        inclusive=inclusive,
                    )
                    want = _expected(hits, at, forward, inclusive)
                    assert want is not None and found is not None
                    assert found.id == rows[want].id, (at, forward, inclusive)
