"""A stale count is stopped mid-statement on both backends, and the database stays usable."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from ospo_tui.db import Database
from ospo_tui.services.review.stoppable import ReadStopped, StoppableRead
from tests.conftest import admin_reading

# Minutes of work on either backend, unless it is stopped.
_SLOW = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) "
    "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(600)",
}


def test_a_running_read_is_stopped_and_the_next_read_works(db: Database) -> None:
    stoppable = StoppableRead()
    outcome: list[BaseException | None] = []

    def count() -> None:
        try:
            with admin_reading(db) as snapshot, stoppable.running(snapshot):
                snapshot.session.execute(text(_SLOW[db.engine.dialect.name])).all()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    worker = threading.Thread(target=count)
    worker.start()
    deadline = time.monotonic() + 30
    # stop() may come before the statement starts (then nothing was running to stop, but the
    # read is refused or stopped once it runs): asked again until the thread is done.
    while worker.is_alive() and time.monotonic() < deadline:
        stoppable.stop()
        worker.join(0.05)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ReadStopped)
    for _ in range(3):  # the pool hands out working connections, none still being cancelled
        with admin_reading(db) as snapshot:
            assert snapshot.session.execute(text("SELECT 1")).scalar() == 1


def test_a_read_stopped_before_it_starts_is_refused(db: Database) -> None:
    stoppable = StoppableRead()
    stoppable.stop()
    with pytest.raises(ReadStopped), admin_reading(db) as snapshot, stoppable.running(snapshot):
        snapshot.session.execute(text("SELECT 1"))


def test_an_unstopped_read_keeps_its_errors(db: Database) -> None:
    stoppable = StoppableRead()
    with admin_reading(db) as snapshot:
        with pytest.raises(Exception) as caught, stoppable.running(snapshot):
            snapshot.session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, ReadStopped)


def test_stopping_again_and_again_while_reads_end_never_reaches_a_closed_connection(
    sqlite_db: Database,
) -> None:
    """The screen stops the current count from the UI thread whenever a window loads, so a
    stop can land while a stopped read is closing its connection."""
    errors: list[BaseException] = []
    for _ in range(30):
        stoppable = StoppableRead()
        done = threading.Event()

        def count(stoppable: StoppableRead = stoppable, done: threading.Event = done) -> None:
            try:
                with admin_reading(sqlite_db) as snapshot, stoppable.running(snapshot):
                    snapshot.session.execute(text(_SLOW["sqlite"])).all()
            except ReadStopped:
                pass
            finally:
                done.set()

        worker = threading.Thread(target=count)
        worker.start()
        while not done.is_set():
            try:
                stoppable.stop()
            except BaseException as exc:  # noqa: BLE001 - the test collects them
                errors.append(exc)
                break
        worker.join(30)
        assert not worker.is_alive()
    assert errors == []
