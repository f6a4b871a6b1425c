"""A workbench with real review history (import, decisions, a bulk, a question thread), and the
figures two copies of it must share, for the copy, backup and crash tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.services.database.copy import row_counts
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.questions import answer, ask
from ospo_tui.services.trail.chain import verify_chain
from tests.team_support import ENGINEER, REVIEWER, make_team


@dataclass(frozen=True)
class Fingerprint:
    rows: dict[str, int]
    events: int
    head_hash: str
    ok: bool


def fingerprint(db: Database) -> Fingerprint:
    with db.session() as session:
        result = verify_chain(session)
        rows = row_counts(session.connection())
    return Fingerprint(rows, result.events, result.head_hash, result.ok)


def fill_workbench(db: Database) -> int:
    """Members, the zlib scan, a manual decision with a private comment, a bulk decision over
    the C sources, and an answered question. Returns the scan id."""
    team = make_team(db)
    decide(
        db,
        REVIEWER,
        team.other_item_id,
        1,
        "Zlib",
        "identified",
        public_note="header matches the zlib license — “quoted”",
        private_comment="checked upstream ✓",
    )
    apply_bulk(
        db,
        REVIEWER,
        BulkSelection(team.scan_id, path_glob="zlib-1.2.11/contrib/*", skip_decided=True),
        "Zlib",
        "identified",
        reason="code",
    )
    question = ask(db, REVIEWER, team.item_id, ENGINEER.name, "Is deflate.c vendored?")
    answer(db, ENGINEER, question.id, "No, it is ours.")
    return team.scan_id


def first_open_item(db: Database, scan_id: int) -> tuple[int, int]:
    """(id, version) of an undecided file, to show a copy still accepts new decisions."""
    with db.session() as session:
        row = session.execute(
            select(ReviewItem.id, ReviewItem.version)
            .where(ReviewItem.scan_id == scan_id, ReviewItem.current_decision_id.is_(None))
            .order_by(ReviewItem.id)
            .limit(1)
        ).one()
    return row[0], row[1]
