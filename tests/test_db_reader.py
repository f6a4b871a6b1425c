"""``Database.reader``: reads neither wait for nor block a writer (SQLite WAL, PostgreSQL MVCC)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.models import Project
from ospo_tui.services.ingest.writer import get_or_create_project


def test_reader_does_not_wait_for_a_writer(db: Database) -> None:
    holding = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with db.session() as session:
            get_or_create_project(session, "being written")
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    try:
        started = time.perf_counter()
        with db.reader() as session:
            seen = session.scalar(select(func.count()).select_from(Project))
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join()
    assert seen == 0  # the uncommitted project is not visible
    assert waited < 5  # a BEGIN IMMEDIATE read would wait the writer's whole transaction
    with db.session() as session:  # the writer's own lock was never disturbed
        assert session.scalar(select(func.count()).select_from(Project)) == 1
