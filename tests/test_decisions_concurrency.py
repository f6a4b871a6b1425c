"""Two processes deciding overlapping files at once: no decision lost, none doubled, chain intact."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.models import Decision, ReviewItem
from ospo_tui.services.audit.verify import verify_trail
from tests.conftest import admin_reading
from tests.decision_helpers import decide_many, event_count, events, import_zlib

PER_PROCESS = 200


def test_two_processes_record_400_decisions_on_overlapping_files(db: Database, db_url: str) -> None:
    scan = import_zlib(db)
    with db.session() as session:
        ids = list(
            session.scalars(
                select(ReviewItem.id)
                .where(ReviewItem.scan_id == scan, ReviewItem.needs_review.is_(True))
                .order_by(ReviewItem.path)
                .limit(60)
            )
        )
    before = event_count(db)
    # Files 0-39 for one, 20-59 for the other: half of each one's files are shared.
    start_at = time.time() + 2.0
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        first = pool.submit(decide_many, db_url, "rita", ids[:40], PER_PROCESS, start_at)
        second = pool.submit(decide_many, db_url, "bob", ids[20:], PER_PROCESS, start_at)
        results = [first.result(timeout=300), second.result(timeout=300)]
    print("conflicts met and retried:", [conflicts for _, conflicts in results])
    assert [recorded for recorded, _ in results] == [PER_PROCESS, PER_PROCESS]
    assert event_count(db) == before + 2 * PER_PROCESS
    recorded = events(db, "decision.record")
    assert len(recorded) == 2 * PER_PROCESS
    assert {e.actor for e in recorded} == {"rita", "bob"}
    with admin_reading(db) as snapshot:
        assert (
            snapshot.session.scalar(select(func.count()).select_from(Decision)) == 2 * PER_PROCESS
        )
        # Every decision superseded exactly the one before it on its file: no update lost.
        versions = snapshot.session.execute(
            select(ReviewItem.version, func.count(Decision.id))
            .join(Decision, Decision.review_item_id == ReviewItem.id)
            .where(ReviewItem.id.in_(ids))
            .group_by(ReviewItem.id, ReviewItem.version)
        ).all()
        assert all(version == decisions + 1 for version, decisions in versions)
        superseded = snapshot.session.scalars(
            select(Decision.supersedes_id).where(Decision.supersedes_id.is_not(None))
        ).all()
        assert len(superseded) == len(set(superseded))  # no two writers replaced the same one
        assert verify_trail(snapshot).ok
