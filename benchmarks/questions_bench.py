"""Question figures on a large review: asking and answering through the services, and the
inbox and listing queries the TUI and CLI run, with many questions already in the database.

    .venv/bin/python -m benchmarks.questions_bench [--files 20000] [--questions 20000] [--db URL]

Existing questions are bulk-inserted (they stand for months of history); the timed operations go
through the real services, role checks and audit events included.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.synthetic_scan import write_synthetic_scan
from ospo_tui.clock import utc_now
from ospo_tui.db import Database, open_database
from ospo_tui.models import Question, QuestionMessage, ReviewItem
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.members import add_member
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.question_threads import (
    QuestionFilter,
    inbox,
    list_questions,
    question_thread,
)
from ospo_tui.services.trail.chain import Actor

INBOX_TARGET = 0.1  # seconds: the inbox must feel instant
ADMIN = Actor("bench", "admin")
ENGINEERS = [Actor(f"eng{i:02d}", "engineer") for i in range(20)]
REVIEWERS = [Actor(f"rev{i}", "reviewer") for i in range(5)]
STATES = ("open", "answered", "resolved", "resolved")


def _timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, max) seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def _seed(db: Database, files: int, questions: int, tmp: Path) -> list[int]:
    scan = tmp / "synthetic.json"
    write_synthetic_scan(scan, files)
    with db.session() as session:
        resolve_actor(session, ADMIN.name)
    for actor in ENGINEERS + REVIEWERS:
        add_member(db, ADMIN, actor.name, actor.role)
    import_scan_file(db, scan, project="bench", actor=ADMIN)
    with db.session() as session:
        items = list(
            session.execute(select(ReviewItem.id, ReviewItem.project_id).order_by(ReviewItem.id))
        )
        now = utc_now()
        rows = [
            {
                "project_id": items[n % len(items)][1],
                "review_item_id": items[n % len(items)][0],
                "asked_by": REVIEWERS[n % len(REVIEWERS)].name,
                "assigned_to": ENGINEERS[n % len(ENGINEERS)].name,
                "state": STATES[n % len(STATES)],
                "created_at": now,
                "updated_at": now,
                "version": 2,
            }
            for n in range(questions)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Question), rows[start : start + 5000])
        ids = list(session.scalars(select(Question.id).order_by(Question.id)))
        messages = [
            {
                "question_id": qid,
                "author": "rev0",
                "role": "reviewer",
                "kind": kind,
                "body": f"message {n} of question {qid}",
                "created_at": now,
            }
            for qid in ids
            for n, kind in enumerate(("ask", "answer"))
        ]
        for start in range(0, len(messages), 5000):
            session.execute(insert(QuestionMessage), messages[start : start + 5000])
    return [item_id for item_id, _ in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--ops", type=int, default=100, help="asks and answers to time")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        db = open_database(args.db or f"sqlite:///{tmp / 'bench.sqlite'}")
        started = time.perf_counter()
        items = _seed(db, args.files, args.questions, tmp)
        print(
            f"seeded {len(items):,} review items, {args.questions:,} questions "
            f"in {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})"
        )
        rita, ed = REVIEWERS[0], ENGINEERS[0]
        asked: list[int] = []

        def ask_one() -> None:
            item = items[len(asked) * 7 % len(items)]
            asked.append(q.ask(db, rita, item, ed.name, "Shipped? Copied?").id)

        answered = iter(asked)
        figures = [
            ("ask (service, audited)", _timed(ask_one, args.ops), None),
            (
                "answer (service, audited)",
                _timed(lambda: q.answer(db, ed, next(answered), "Yes."), args.ops),
                None,
            ),
            ("engineer inbox", _timed(lambda: inbox(db, ed), 20), INBOX_TARGET),
            ("reviewer inbox", _timed(lambda: inbox(db, rita), 20), INBOX_TARGET),
            ("admin inbox (500 newest)", _timed(lambda: inbox(db, ADMIN), 20), INBOX_TARGET),
            (
                "questions --mine --state open",
                _timed(
                    lambda: list_questions(
                        db, ed, QuestionFilter(states=("open",), involving=ed.name)
                    ),
                    20,
                ),
                INBOX_TARGET,
            ),
            (
                "thread of one question",
                _timed(lambda: question_thread(db, ed, asked[0]), 20),
                INBOX_TARGET,
            ),
        ]
        print(f"{'operation':<32}{'median ms':>10}{'max ms':>10}{'target ms':>11}{'ratio':>8}")
        for name, (median, worst), target in figures:
            ratio = f"{median / target:.2f}" if target else ""
            shown = f"{target * 1000:.0f}" if target else ""
            print(f"{name:<32}{median * 1000:>10.1f}{worst * 1000:>10.1f}{shown:>11}{ratio:>8}")
        db.dispose()


if __name__ == "__main__":
    main()
