"""An import leaves PostgreSQL's planner statistics fresh, so the first searches and counts
after it do not plan as if the new tables were empty (a path search took 1.3 s, not 10 ms)."""

from __future__ import annotations

from sqlalchemy import text

from ospo_tui.db import Database
from tests.decision_helpers import import_zlib


def test_an_import_refreshes_the_planner_statistics(pg_url: str) -> None:
    db = Database(pg_url)
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'files'"))
        assert before.scalar_one() < 0  # never analysed: the planner guesses
    import_zlib(db)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM files")).scalar_one()
        after = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'files'"))
        assert after.scalar_one() == rows > 0
    db.dispose()
