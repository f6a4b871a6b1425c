"""The importer under thousands of mutated ScanCode documents: each one is imported whole, or
refused with one clear line and no row written. Never a traceback, never partial data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from ospo_tui.db import open_database
from ospo_tui.errors import InputError
from ospo_tui.models import ReviewItem, ScannedFile
from ospo_tui.services.database.copy import row_counts
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.fuzz_documents import mutated_document

ACTOR = Actor("fuzzer", "admin")
# Thousands on SQLite; PostgreSQL is stricter about text (NUL, encodings), so it gets its own run.
EXAMPLES = {"sqlite": 1500, "postgresql": 250}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_mutated_scancode_documents(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite'}" if backend == "sqlite" else None
    db = open_database(url or request.getfixturevalue("pg_url"))
    outcomes: Counter[str] = Counter()
    scan_file = tmp_path / "scan.json"

    @settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=mutated_document())
    def import_one(data: bytes) -> None:
        scan_file.write_bytes(data)
        with db.session() as session:
            before = row_counts(session.connection())
        try:
            result = import_scan_file(db, scan_file, project="fuzz", actor=ACTOR, force=True)
        except InputError as err:
            message = str(err)
            assert message and "\n" not in message and "Traceback" not in message
            with db.session() as session:
                assert row_counts(session.connection()) == before, message
            outcomes["refused"] += 1
            return
        with db.session() as session:
            files = session.scalar(
                select(func.count()).where(ScannedFile.scan_id == result.scan_id)
            )
            items = session.scalar(select(func.count()).where(ReviewItem.scan_id == result.scan_id))
        assert files == result.files + result.dirs
        assert items == result.files
        outcomes["imported"] += 1

    import_one()
    with db.session() as session:
        assert verify_chain(session).ok
    db.dispose()
    print(f"\nfuzz import [{backend}]: {dict(outcomes)}")
    # Both outcomes happen: the mutations neither all break nor all miss the importer.
    assert outcomes["imported"] > 0 and outcomes["refused"] > 0
