"""Decision rows as plain records: what the form, the CLI, history and every export read.

One type for one decision row, so a conflict message, a decision log and an SPDX annotation all
describe the same thing. Records are frozen and slotted: exports stream 100k of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from operator import attrgetter
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
        return cls(*_RECORD_VALUES(row))


# Every field of a record is the decision column of the same name: one list, not two to keep
# in step.
_RECORD_FIELDS = tuple(f.name for f in fields(DecisionRecord))
_RECORD_VALUES = attrgetter(*_RECORD_FIELDS)
DECISION_COLUMNS = tuple(getattr(Decision, name) for name in _RECORD_FIELDS)


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
