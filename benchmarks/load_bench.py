"""Several reviewers at once: processes x mixed actions (decide, bulk, ask, answer, export) on
one database, then the counts that prove nothing was lost and the throughput.

    python -m benchmarks.load_bench --db URL [--processes 8] [--actions 500]

Every worker counts the audit events its successful actions must have written; conflicts
(someone else changed the file first) are counted as reported, never retried silently. At the
end the database must hold exactly the expected events, decisions and messages, and the chain
must verify. ``tests/test_load.py`` runs a smaller version of the same load in the suite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from ospo_tui.db import Database, open_database
from ospo_tui.errors import ConflictError
from ospo_tui.models import AuditEvent, Decision, QuestionMessage, ReviewItem
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.members import add_member
from ospo_tui.services.audit.verify import verify_audit_trail
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.questions import answer, ask
from ospo_tui.services.trail.chain import Actor

FIXTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "scancode" / "zlib-v32rc3.json"
)
LEAD = "lead"
# decide is what reviewers do most; the mix still exercises every write path.
MIX = ("decide", "decide", "decide", "decide", "bulk", "ask", "answer", "export")
EXPRESSIONS = ("Zlib", "MIT", "Zlib OR MIT", "NOASSERTION", "Apache-2.0 AND Zlib")
BULK_FILES = 5


@dataclass
class WorkerReport:
    actions: Counter[str] = field(default_factory=Counter)  # successful, per kind
    conflicts: int = 0
    events: int = 0  # audit events the successful actions wrote
    decisions: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class LoadResult:
    processes: int
    actions_each: int
    seconds: float
    actions: Counter[str]
    conflicts: int
    errors: list[str]
    expected_events: int
    events: int
    expected_decisions: int
    decisions: int
    expected_messages: int
    messages: int
    chain_ok: bool

    @property
    def throughput(self) -> float:
        return sum(self.actions.values()) / self.seconds if self.seconds else 0.0

    @property
    def lost_events(self) -> int:
        return self.expected_events - self.events

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.actions.items()))
        return [
            f"{self.processes} processes x {self.actions_each} actions in {self.seconds:.1f} s: "
            f"{self.throughput:.0f} actions/s",
            f"succeeded: {kinds}; conflicts reported: {self.conflicts}; "
            f"unhandled errors: {len(self.errors)}",
            f"audit events: {self.events} (expected {self.expected_events}, lost "
            f"{self.lost_events}); decisions {self.decisions}/{self.expected_decisions}; "
            f"messages {self.messages}/{self.expected_messages}; "
            f"chain {'verifies' if self.chain_ok else 'BROKEN'}",
        ]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (AuditEvent, Decision, QuestionMessage)
        )


def prepare(db: Database, processes: int) -> tuple[int, list[int]]:
    """A lead (admin), one reviewer and one engineer per process, and the zlib scan."""
    with db.session() as session:
        lead = resolve_actor(session, LEAD)
    for index in range(processes):
        add_member(db, lead, f"reviewer{index}", "reviewer")
        add_member(db, lead, f"engineer{index}", "engineer")
    scan_id = import_scan_file(db, FIXTURE, project="zlib", actor=lead).scan_id
    with db.session() as session:
        items = list(session.scalars(select(ReviewItem.id).where(ReviewItem.scan_id == scan_id)))
    return scan_id, items


def worker(
    url: str,
    index: int,
    actions: int,
    scan_id: int,
    items: list[int],
    out_dir: str,
    start_at: float,
) -> WorkerReport:
    """One person's session: ``actions`` random actions, each in its own transaction(s)."""
    db = Database(url)
    rng = random.Random(index)
    reviewer = Actor(f"reviewer{index}", "reviewer")
    engineer = Actor(f"engineer{index}", "engineer")
    report = WorkerReport()
    open_questions: list[int] = []
    while time.time() < start_at:
        time.sleep(0.005)
    began = time.perf_counter()
    for number in range(actions):
        kind = rng.choice(MIX)
        if kind == "answer" and not open_questions:
            kind = "ask"
        try:
            if kind == "decide":
                item = rng.choice(items)
                with db.session() as session:
                    version = session.scalar(
                        select(ReviewItem.version).where(ReviewItem.id == item)
                    )
                decide(db, reviewer, item, version, rng.choice(EXPRESSIONS), "identified")
                report.events += 1
                report.decisions += 1
            elif kind == "bulk":
                chosen = tuple(rng.sample(items, BULK_FILES))
                result = apply_bulk(
                    db,
                    reviewer,
                    BulkSelection(scan_id, review_item_ids=chosen),
                    rng.choice(EXPRESSIONS),
                    "identified",
                    expected_count=BULK_FILES,
                )
                report.events += result.files
                report.decisions += result.files
            elif kind == "ask":
                question = ask(
                    db, reviewer, rng.choice(items), engineer.name, f"question {index}.{number}?"
                )
                open_questions.append(question.id)
                report.events += 1
                report.messages += 1
            elif kind == "answer":
                answer(db, engineer, open_questions.pop(0), f"answer {index}.{number}")
                report.events += 1
                report.messages += 1
            else:
                run_export(db, reviewer, "decision-log", Path(out_dir) / f"log-{index}.csv")
                report.events += 1
        except ConflictError:
            report.conflicts += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the load test counts every unhandled error
            report.errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        report.actions[kind] += 1
    report.seconds = time.perf_counter() - began
    db.dispose()
    return report


def run_load(url: str, processes: int = 8, actions: int = 500) -> LoadResult:
    db = open_database(url)
    scan_id, items = prepare(db, processes)
    events0, decisions0, messages0 = _counts(db)
    db.dispose()
    reports: list[WorkerReport] = []
    with tempfile.TemporaryDirectory(prefix="ospo-load-") as out_dir:
        start_at = time.time() + 1.5 + 0.3 * processes  # every worker imported and connected
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            futures = [
                pool.submit(worker, url, i, actions, scan_id, items, out_dir, start_at)
                for i in range(processes)
            ]
            reports = [f.result() for f in futures]
    db = Database(url)
    events, decisions, messages = _counts(db)
    chain_ok = verify_audit_trail(db, LEAD).ok
    db.dispose()
    total: Counter[str] = Counter()
    for report in reports:
        total.update(report.actions)
    return LoadResult(
        processes=processes,
        actions_each=actions,
        seconds=max(r.seconds for r in reports),
        actions=total,
        conflicts=sum(r.conflicts for r in reports),
        errors=[e for r in reports for e in r.errors],
        expected_events=events0 + sum(r.events for r in reports),
        events=events,
        expected_decisions=decisions0 + sum(r.decisions for r in reports),
        decisions=decisions,
        expected_messages=messages0 + sum(r.messages for r in reports),
        messages=messages,
        chain_ok=chain_ok,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an empty database URL (or SQLite path)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--actions", type=int, default=500)
    args = parser.parse_args()
    result = run_load(args.db, args.processes, args.actions)
    for line in result.lines():
        print(line)
    for error in result.errors[:20]:
        print(f"  error: {error}")
    ok = not result.errors and not result.lost_events and result.chain_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
