"""Decision and audit figures against the issue 5 targets, side by side.

Prints: single decisions per second (each its own transaction, version-checked, audited); a bulk
decision over 10,000 files (target < 5 s on SQLite) and its undo; reuse of 10,000 decisions onto
a rescan (import time with and without reuse); ``audit verify`` over 100,000 events (target < 5 s):
the hash chain walk alone, and the whole verify, which also replays the chain and compares every
decision, review item, scan digest, question, member and policy with the tables.

    .venv/bin/python -m benchmarks.decision_bench [--files 10000] [--events 100000] [--db URL]

Without ``--db`` a fresh SQLite file under the temp dir is used.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.synthetic_scan import write_synthetic_scan
from ospo_tui.db import Database, open_database
from ospo_tui.models import AuditEvent, ReviewItem
from ospo_tui.services.access.reading import reading
from ospo_tui.services.audit.verify import verify_audit_trail
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, preview_bulk, undo_bulk
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.trail.chain import Actor, verify_chain

BULK_TARGET = 5.0
VERIFY_TARGET = 5.0
ACTOR = Actor("bench", "reviewer")


def _line(label: str, seconds: float, target: float | None = None, extra: str = "") -> None:
    verdict = ""
    if target is not None:
        verdict = f"  target < {target:.1f} s  ratio {seconds / target:.2f}  " + (
            "OK" if seconds < target else "MISSED"
        )
    print(f"{label:<46} {seconds:8.3f} s{verdict}{extra}")


def _events(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ospo-decision-bench-"))
    db = open_database(args.db or f"sqlite:///{workdir / 'bench.sqlite'}")
    scan_file = workdir / "synthetic.json"
    written = write_synthetic_scan(scan_file, args.files)
    print(f"database: {db.engine.dialect.name}; synthetic scan: {written} files (zlib repeated)")

    started = time.perf_counter()
    scan = import_scan_file(db, scan_file, project="bench", actor=ACTOR).scan_id
    first_import = time.perf_counter() - started
    _line(f"import {written} files (nothing to reuse)", first_import)

    with db.reader() as session:
        ids = session.scalars(
            select(ReviewItem.id).where(ReviewItem.scan_id == scan).order_by(ReviewItem.id)
        ).all()
    singles = ids[: args.singles]
    started = time.perf_counter()
    for item_id in singles:
        with db.reader() as session:
            version = session.scalar(select(ReviewItem.version).where(ReviewItem.id == item_id))
        decide(db, ACTOR, item_id, version, "Zlib", "identified", "code")
    elapsed = time.perf_counter() - started
    _line(
        f"{len(singles)} single decisions",
        elapsed,
        extra=f"  = {len(singles) / elapsed:,.0f} decisions/s ({elapsed / len(singles) * 1000:.1f} ms each)",
    )

    everything = BulkSelection(scan, path_glob="*")
    with reading(db, ACTOR, "the benchmark's files") as snapshot:
        count = preview_bulk(snapshot, everything).files
    started = time.perf_counter()
    bulk = apply_bulk(db, ACTOR, everything, "Zlib", "irrelevant", "code", expected_count=count)
    _line(f"bulk decision over {bulk.files} files", time.perf_counter() - started, BULK_TARGET)
    started = time.perf_counter()
    undone = undo_bulk(db, ACTOR, bulk.bulk_id)
    _line(f"undo of that bulk ({undone.files} files)", time.perf_counter() - started, BULK_TARGET)
    bulk = apply_bulk(db, ACTOR, everything, "Zlib", "identified", "code")

    started = time.perf_counter()
    rescan = import_scan_file(db, scan_file, project="bench", actor=ACTOR, force=True)
    with_reuse = time.perf_counter() - started
    with db.reader() as session:
        reused = session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(
                ReviewItem.scan_id == rescan.scan_id, ReviewItem.current_decision_id.is_not(None)
            )
        )
    _line(
        f"rescan import reusing {reused} decisions",
        with_reuse,
        extra=f"  vs {first_import:.3f} s without: reuse costs {with_reuse - first_import:+.3f} s",
    )

    # Fill the chain up to --events with real bulk decisions and undos, then verify it.
    while _events(db) < args.events:
        done = apply_bulk(db, ACTOR, everything, "MIT", "do_not_use")
        if _events(db) < args.events:
            undo_bulk(db, ACTOR, done.bulk_id)
    total = _events(db)
    started, cpu = time.perf_counter(), time.process_time()
    with db.reader() as session:
        assert verify_chain(session).ok
    walk, walk_cpu = time.perf_counter() - started, time.process_time() - cpu
    _line(f"hash chain walk alone over {total:,} events", walk, extra=f"  ({walk_cpu:.3f} s CPU)")
    started, cpu = time.perf_counter(), time.process_time()
    result = verify_audit_trail(db, ACTOR)
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, result.problem
    # CPU seconds of this process beside the wall time: on a shared machine the wall time
    # grows with the load, this process's own work does not.
    _line(
        f"audit verify (chain + replay) over {total:,} events",
        elapsed,
        VERIFY_TARGET,
        extra=f"  ({elapsed_cpu:.3f} s CPU) = {total / elapsed:,.0f} events/s; "
        f"replay {elapsed - walk:+.3f} s over the walk; load average {os.getloadavg()[0]:.1f}",
    )
    db.dispose()


if __name__ == "__main__":
    main()
