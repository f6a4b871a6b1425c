"""Bulk decisions over a real scan: selection, preview, per-file events, undo as one operation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import ReviewItem
from ospo_tui.services.review.bulk import (
    BulkSelection,
    apply_bulk,
    bulk_decision_count,
    preview_bulk,
    undo_bulk,
)
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.queue import QueueFilter, queue_page
from ospo_tui.services.trail.chain import verify_chain
from tests.conftest import admin_reading
from tests.decision_helpers import BOB, RITA, events, import_zlib, item, payload

README = "zlib-1.2.11/README"
ADLER = "zlib-1.2.11/adler32.c"


def _count(db: Database, scan: int, **where: object) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(ReviewItem).where(ReviewItem.scan_id == scan)
        for column, value in where.items():
            query = query.where(getattr(ReviewItem, column) == value)
        return session.scalar(query) or 0


def test_bulk_over_same_expression_then_undo_restores_each_file(db: Database) -> None:
    scan = import_zlib(db)
    zlib_files = _count(db, scan, detected_spdx="Zlib")
    assert zlib_files == 69  # counted in the fixture: 69 files detected as plain Zlib
    # README was decided by hand before the bulk; undo must give that decision back.
    readme = item(db, scan, README)
    manual = decide(db, BOB, readme.id, 1, "Zlib", "identified", "reference", "see README")

    selection = BulkSelection(scan, same_expression="Zlib")
    with admin_reading(db) as snapshot:
        preview = preview_bulk(snapshot, selection)
    assert (preview.files, preview.already_decided) == (69, 1)
    result = apply_bulk(
        db, RITA, selection, "zlib", "identified", "code", expected_count=preview.files
    )
    assert result.files == 69
    bulk_events = events(db, "decision.bulk")
    assert len(bulk_events) == 69
    assert {payload(e)["bulk_id"] for e in bulk_events} == {result.bulk_id}
    assert len({e.subject_id for e in bulk_events}) == 69
    assert _count(db, scan, concluded_expression="Zlib", state="decided") == 69
    with db.session() as session:
        assert bulk_decision_count(session, result.bulk_id) == 69

    undone = undo_bulk(db, BOB, result.bulk_id)
    assert undone.files == 69 and undone.skipped_paths == ()
    undo_events = events(db, "decision.undo")
    assert len(undo_events) == 69
    assert {payload(e)["undoes_bulk_id"] for e in undo_events} == {result.bulk_id}
    assert {payload(e)["bulk_id"] for e in undo_events} == {undone.bulk_id}
    after = item(db, scan, README)
    assert (after.state, after.concluded_expression) == ("decided", "Zlib")
    restored = payload(next(e for e in undo_events if e.subject_id == str(readme.id)))
    assert restored["new"]["public_note"] == "see README"
    assert restored["restores_decision_id"] == manual.decision.id
    adler = item(db, scan, ADLER)
    assert (adler.state, adler.concluded_expression, adler.current_decision_id) == (
        "open",
        None,
        None,
    )
    assert _count(db, scan, state="decided") == 1
    with db.session() as session:
        assert verify_chain(session).ok
    with pytest.raises(InputError, match="already undone"):
        undo_bulk(db, RITA, result.bulk_id)


def test_undo_refuses_when_a_file_was_decided_again_unless_skipping(sqlite_db: Database) -> None:
    scan = import_zlib(sqlite_db)
    result = apply_bulk(
        sqlite_db,
        RITA,
        BulkSelection(scan, path_glob="zlib-1.2.11/contrib/*"),
        "Zlib",
        "identified",
    )
    changed = item(sqlite_db, scan, "zlib-1.2.11/contrib/README.contrib")
    decide(sqlite_db, BOB, changed.id, changed.version, "NOASSERTION", "to_discuss")
    with pytest.raises(ConflictError, match=r"1 of the \d+ files .* decided again"):
        undo_bulk(sqlite_db, RITA, result.bulk_id)
    assert events(sqlite_db, "decision.undo") == []
    undone = undo_bulk(sqlite_db, RITA, result.bulk_id, skip_changed=True)
    assert undone.skipped_paths == ("zlib-1.2.11/contrib/README.contrib",)
    assert undone.files == result.files - 1
    kept = item(sqlite_db, scan, "zlib-1.2.11/contrib/README.contrib")
    assert (kept.state, kept.concluded_expression) == ("to_discuss", "NOASSERTION")


def test_bulk_by_path_glob_and_ids_and_bad_selections(sqlite_db: Database) -> None:
    scan = import_zlib(sqlite_db)
    glob = BulkSelection(scan, path_glob="zlib-1.2.11/contrib/minizip/*.c")
    with admin_reading(sqlite_db) as snapshot:
        preview = preview_bulk(snapshot, glob)
        expected = snapshot.session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(
                ReviewItem.scan_id == scan, ReviewItem.path.like("zlib-1.2.11/contrib/minizip/%.c")
            )
        )
    assert preview.files == expected and preview.files > 3
    assert all(p.endswith(".c") for p in preview.sample_paths)
    with pytest.raises(ConflictError, match="not the 2 previewed"):
        apply_bulk(sqlite_db, RITA, glob, "Zlib", "irrelevant", expected_count=2)
    assert events(sqlite_db, "decision.bulk") == []
    ids = (item(sqlite_db, scan, README).id, item(sqlite_db, scan, ADLER).id)
    result = apply_bulk(
        sqlite_db, RITA, BulkSelection(scan, review_item_ids=ids), "NONE", "non_functional"
    )
    assert result.files == 2
    with pytest.raises(InputError, match="needs files"):
        apply_bulk(sqlite_db, RITA, BulkSelection(scan), "MIT", "identified")
    with pytest.raises(InputError, match="matches no file"):
        apply_bulk(sqlite_db, RITA, BulkSelection(scan, path_glob="nowhere/*"), "MIT", "identified")
    with pytest.raises(InputError, match="unknown license key"):
        apply_bulk(sqlite_db, RITA, glob, "not-a-key", "identified")
    with pytest.raises(NotFoundError):
        undo_bulk(sqlite_db, RITA, "no-such-bulk")
    skip = BulkSelection(scan, path_glob="zlib-1.2.11/*", skip_decided=True)
    with admin_reading(sqlite_db) as snapshot:
        assert preview_bulk(snapshot, skip).already_decided == 0


def test_bulk_over_what_the_queue_shows(db: Database) -> None:
    scan = import_zlib(db)
    flt = QueueFilter(scan_id=scan, license="gpl")
    with admin_reading(db) as snapshot:
        shown = {row.id for row in queue_page(snapshot, flt, limit=1000)}
        preview = preview_bulk(snapshot, BulkSelection(scan, queue_filter=flt))
    assert preview.files == len(shown) == 11  # 10 GNAT-exception files and the FAQ
    result = apply_bulk(
        db, RITA, BulkSelection(scan, queue_filter=flt), "NOASSERTION", "to_discuss"
    )
    assert {int(e.subject_id or 0) for e in events(db, "decision.bulk")} == shown
    assert payload(events(db, "decision.bulk")[0])["selection"]["queue_filter"]["license"] == "gpl"
    assert result.files == 11
    with pytest.raises(InputError, match="another scan"):
        preview_bulk_in(db, BulkSelection(scan + 1, queue_filter=flt))


def preview_bulk_in(db: Database, selection: BulkSelection) -> None:
    with admin_reading(db) as snapshot:
        preview_bulk(snapshot, selection)
