"""Decision rows as plain records: what the form, the CLI, history and every export read.

One type for one decision row, so a conflict message, a decision log and an SPDX annotation all
describe the same thing. Records are frozen and slotted: exports stream 100k of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import Decision, ReviewItem
from ospo_tui.services.review.decision_fields import DECISION_TYPES, DecisionFields

_BATCH = 5000


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision row: what was concluded, by whom, how (manual, bulk, reuse, undo) and when."""

    id: int
    review_item_id: int
    file_id: int
    concluded_expression: str | None
    decision_type: str
    reason: str | None
    public_note: str | None
    private_comment: str | None
    origin: str
    bulk_id: str | None
    actor: str
    role: str
    created_at: str
    event_seq: int | None
    supersedes_id: int | None
    reused_from_id: int | None
    findings_hash: str | None

    @property
    def fields(self) -> DecisionFields:
        """What was concluded, as the form takes it and a new decision would repeat it."""
        return DecisionFields(
            self.concluded_expression,
            self.decision_type,
            self.reason,
            self.public_note,
            self.private_comment,
        )

    def describe(self) -> str:
        label = DECISION_TYPES.get(self.decision_type, self.decision_type)
        return (
            f"{self.actor} decided {self.concluded_expression or '(cleared)'} ({label})"
            f" at {self.created_at}"
        )

    @classmethod
    def from_row(cls, row: Any) -> DecisionRecord:
        """From a result row that selected ``DECISION_COLUMNS`` (other columns are ignored)."""
        return cls(
            id=row.id,
            review_item_id=row.review_item_id,
            file_id=row.file_id,
            concluded_expression=row.concluded_expression,
            decision_type=row.decision_type,
            reason=row.reason,
            public_note=row.public_note,
            private_comment=row.private_comment,
            origin=row.origin,
            bulk_id=row.bulk_id,
            actor=row.actor,
            role=row.role,
            created_at=row.created_at,
            event_seq=row.event_seq,
            supersedes_id=row.supersedes_id,
            reused_from_id=row.reused_from_id,
            findings_hash=row.findings_hash,
        )


DECISION_COLUMNS = (
    Decision.id,
    Decision.review_item_id,
    Decision.file_id,
    Decision.concluded_expression,
    Decision.decision_type,
    Decision.reason,
    Decision.public_note,
    Decision.private_comment,
    Decision.origin,
    Decision.bulk_id,
    Decision.actor,
    Decision.role,
    Decision.created_at,
    Decision.event_seq,
    Decision.supersedes_id,
    Decision.reused_from_id,
    Decision.findings_hash,
)


def get_decision(session: Session, decision_id: int | None) -> DecisionRecord | None:
    if decision_id is None:
        return None
    row = session.execute(select(*DECISION_COLUMNS).where(Decision.id == decision_id)).first()
    return DecisionRecord.from_row(row) if row else None


def current_decision(session: Session, review_item_id: int) -> DecisionRecord | None:
    decision_id = session.scalar(
        select(ReviewItem.current_decision_id).where(ReviewItem.id == review_item_id)
    )
    return get_decision(session, decision_id)


def decisions_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, DecisionRecord]:
    """The decisions with these ids (None is skipped), read in batches."""
    wanted = list({i for i in ids if i is not None})
    found: dict[int, DecisionRecord] = {}
    for start in range(0, len(wanted), _BATCH):
        for row in session.execute(
            select(*DECISION_COLUMNS).where(Decision.id.in_(wanted[start : start + _BATCH]))
        ):
            found[row.id] = DecisionRecord.from_row(row)
    return found
