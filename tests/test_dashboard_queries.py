"""The dashboard's grouped queries give the figures that reading every review item gives.

The directory chart counts open files per ``dir_path`` in SQL and rolls those counts up in
Python; the reference here reads every open path and rolls up from the paths, as the dashboard
did before. The figures' GROUP BY runs on plain columns and takes the judged expression in
Python; the reference groups by ``coalesce(detected_expression, detected_spdx)`` in SQL.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select, text, update

from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.models.review import FIGURES_INDEX
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.dashboard import (
    _Group,
    alert_bars,
    directory_bars,
    figures_query,
    license_bars,
    progress_bars,
    review_figures,
)
from ospo_tui.services.review.review_scope import SCOPES, in_scope
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES, admin_reading

ADMIN = Actor("tester", "admin")
# Files at the top of the scan and seven levels deep, ORT's and ScanCode's own formats.
FIXTURES = (
    "ort-30.1.0-with-issues.json",
    "ort-format-4.0.0_mime-types-2.1.18.json",
    "aws-java-sdk-core-v32rc4-todo.json",
    "python-libs-boolean-license_expression-click_v32.5.0.json",
)


def _imported(db: Database) -> list[int]:
    """Each fixture as a scan, with every third item decided, so "open" leaves some out."""
    scans = [
        import_scan_file(db, SCANCODE_FIXTURES / name, project=name, actor=ADMIN).scan_id
        for name in FIXTURES
    ]
    with db.session() as session:
        session.execute(update(ReviewItem).where(ReviewItem.id % 3 == 0).values(state="decided"))
    return scans


def _from_every_path(db: Database, scan_id: int, scope: str, depth: int | None) -> tuple:
    """The directory chart as the dashboard made it from every open path (the reference)."""
    with db.reader() as session:
        paths = session.scalars(
            select(ReviewItem.path).where(
                ReviewItem.scan_id == scan_id, in_scope(scope), ReviewItem.state == "open"
            )
        ).all()
    by_depth: dict[int, Counter[str]] = {}
    for path, count in Counter(p.rpartition("/")[0] for p in paths).items():
        parts = path.split("/") if path else []
        for level in range(1, len(parts) + 1):
            by_depth.setdefault(level, Counter())["/".join(parts[:level])] += count
    if not by_depth:
        return [], depth or 1
    deepest = max(by_depth)
    if depth is None:
        depth = next((d for d in sorted(by_depth) if len(by_depth[d]) > 1), deepest)
    depth = max(1, min(depth, deepest))
    ranked = sorted(by_depth[depth].items(), key=lambda kv: (-kv[1], kv[0]))
    return [(d + "/", n) for d, n in ranked], depth


def test_directory_counts_match_every_open_path(db: Database) -> None:
    scans = _imported(db)
    compared = 0
    for scan_id in scans:
        for scope in SCOPES:
            for depth in (None, 0, 1, 2, 3, 4, 5, 8, 99):
                expected = _from_every_path(db, scan_id, scope, depth)
                with admin_reading(db) as snapshot:
                    bars, used = directory_bars(snapshot, scan_id, depth, 10_000, scope)
                assert ([(b.label, b.count) for b in bars], used) == expected, (
                    scan_id,
                    scope,
                    depth,
                )
                compared += len(bars)
    assert compared > 200  # the fixtures gave real charts, not empty ones
    with db.reader() as session:
        directories = session.scalars(select(ReviewItem.dir_path)).all()
    # Files at the top of a scan (they count in no directory) and seven directories deep.
    assert "" in directories and max(d.count("/") for d in directories) == 6


def _reference_groups(db: Database, scan_id: int, scope: str) -> list[_Group]:
    judged = func.coalesce(ReviewItem.detected_expression, ReviewItem.detected_spdx)
    columns = (ReviewItem.state, ReviewItem.policy_alert, ReviewItem.policy_version, judged)
    with db.reader() as session:
        rows = session.execute(
            select(*columns, func.count())
            .where(ReviewItem.scan_id == scan_id, in_scope(scope))
            .group_by(*columns)
        ).all()
    return [_Group(*row) for row in rows]


def test_figures_match_a_grouping_by_the_judged_expression(db: Database) -> None:
    scans = _imported(db)
    with db.session() as session:
        # Files known only by their SPDX expression: the charts judge that one instead.
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id % 4 == 1, ReviewItem.detected_spdx.is_not(None))
            .values(detected_expression=None)
        )
    for scan_id in scans:
        for scope in SCOPES:
            groups = _reference_groups(db, scan_id, scope)
            with admin_reading(db) as snapshot:
                figures = review_figures(snapshot, scan_id, scope=scope)
            assert figures.progress == progress_bars(groups)
            assert figures.alerts == alert_bars(groups)
            assert figures.licenses == license_bars(groups, None)
            assert figures.total == sum(g.count for g in groups)


def test_sqlite_reads_the_figures_from_one_index_alone(db: Database) -> None:
    scan_id = _imported(db)[0]
    with db.reader() as session:
        if db.engine.dialect.name != "sqlite":
            # No such index on PostgreSQL: two long expressions would pass its entry size cap.
            names = session.scalars(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'review_items'")
            ).all()
            assert FIGURES_INDEX not in names and names
            return
        for scope in SCOPES:
            statement = figures_query(scan_id, scope).compile(
                db.engine, compile_kwargs={"literal_binds": True}
            )
            plan = " ".join(
                row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {statement}"))
            )
            assert f"USING COVERING INDEX {FIGURES_INDEX}" in plan, (scope, plan)
            if scope != "all":
                assert "TEMP B-TREE" not in plan  # read in the index's order
