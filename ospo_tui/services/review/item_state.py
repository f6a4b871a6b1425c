"""A review item's state: the rules that move it, and the one version-checked way to write it.

Decisions and questions both move a file through the queue (open, decided, to_discuss, question,
stale). The rules live here, and every change goes through ``write_item_changes``: an UPDATE that
names the version the writer read and bumps it, so a change computed from an outdated read is
refused (``StaleVersions``) instead of overwriting someone else's. ``check_version`` is the same
optimistic locking one step earlier, against the version the reviewer saw on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy.orm import Session

from ospo_tui.errors import ConflictError
from ospo_tui.models import (
    STATE_DECIDED,
    STATE_OPEN,
    STATE_QUESTION,
    STATE_TO_DISCUSS,
    Decision,
    Question,
    ReviewItem,
    ScannedFile,
)
from ospo_tui.services.review.decision_fields import CLEARED, DecisionFields
from ospo_tui.services.review.question_threads import QUESTION_OPEN

_BATCH = 5000

# -- the rules ----------------------------------------------------------------------------------


def state_after_decision(decision_type: str) -> str:
    """Decided, or to_discuss for a call for discussion; a cleared decision reopens the file."""
    if decision_type == CLEARED:
        return STATE_OPEN
    return STATE_TO_DISCUSS if decision_type == "to_discuss" else STATE_DECIDED


def state_after_question(session: Session, item: ItemSnapshot, *, asking: bool) -> str:
    """Asking (or reopening) a question puts the file in "question"; once no question on it
    waits for an engineer, it goes back to the state its current decision gives it (decided or
    to_discuss), or to "open" when it has none. A file decided meanwhile stays decided."""
    if asking:
        return STATE_QUESTION
    if item.state != STATE_QUESTION:
        return item.state
    waiting = session.scalar(
        select(func.count())
        .select_from(Question)
        .where(Question.review_item_id == item.id, Question.state == QUESTION_OPEN)
    )
    if waiting:
        return STATE_QUESTION
    if item.current_decision_id is not None and item.decision is not None:
        return state_after_decision(item.decision.decision_type)
    return STATE_OPEN


def check_version(seen: int | None, current: int, refusal: Callable[[int], ConflictError]) -> None:
    """Optimistic locking: refuse a change made on a version that is no longer current.

    ``seen`` is the version the reviewer read (None: whatever is current, as the CLI does
    without a version); ``refusal`` builds the error that tells them what to do.
    """
    if seen is not None and seen != current:
        raise refusal(seen)


class StaleVersions(Exception):
    """Some items changed between snapshot and update; the transaction must not commit."""

    def __init__(self, changed: int) -> None:
        super().__init__(f"{changed} items changed")
        self.changed = changed


# -- reading an item before a change -------------------------------------------------------------


@dataclass(frozen=True)
class ItemSnapshot:
    """A review item as it stands before a change: what the event records as "old"."""

    id: int
    version: int
    path: str
    scan_id: int
    project_id: int
    file_id: int
    state: str
    priority: int
    priority_reason: str | None
    concluded_expression: str | None
    current_decision_id: int | None
    detected_spdx: str | None
    sha256: str | None
    findings_hash: str | None
    decision: DecisionFields | None

    def as_payload(self) -> dict[str, Any]:
        fields = self.decision.as_payload() if self.decision else {}
        return {
            **fields,
            "concluded_expression": self.concluded_expression,
            "state": self.state,
            "decision_id": self.current_decision_id,
            "version": self.version,
        }

    @classmethod
    def from_row(cls, row: Any) -> ItemSnapshot:
        decision = None
        if row.decision_type is not None:
            decision = DecisionFields(
                row.d_concluded, row.decision_type, row.reason, row.public_note, row.private_comment
            )
        return cls(
            id=row.id,
            version=row.version,
            path=row.path,
            scan_id=row.scan_id,
            project_id=row.project_id,
            file_id=row.file_id,
            state=row.state,
            priority=row.priority,
            priority_reason=row.priority_reason,
            concluded_expression=row.concluded_expression,
            current_decision_id=row.current_decision_id,
            detected_spdx=row.detected_spdx,
            sha256=row.sha256,
            findings_hash=row.findings_hash,
            decision=decision,
        )


_SNAPSHOT_COLUMNS = (
    ReviewItem.id,
    ReviewItem.version,
    ReviewItem.path,
    ReviewItem.scan_id,
    ReviewItem.project_id,
    ReviewItem.file_id,
    ReviewItem.state,
    ReviewItem.priority,
    ReviewItem.priority_reason,
    ReviewItem.concluded_expression,
    ReviewItem.current_decision_id,
    ReviewItem.detected_spdx,
    ScannedFile.sha256,
    ScannedFile.findings_hash,
    Decision.concluded_expression.label("d_concluded"),
    Decision.decision_type,
    Decision.reason,
    Decision.public_note,
    Decision.private_comment,
)


def load_snapshots(
    session: Session, condition: ColumnElement[bool], *, for_update: bool = False
) -> list[ItemSnapshot]:
    """The items matching ``condition``, in path order; ``for_update`` also takes their row locks
    (PostgreSQL), for a writer that has no version from the reviewer to check against."""
    query = (
        select(*_SNAPSHOT_COLUMNS)
        .join(ScannedFile, ScannedFile.id == ReviewItem.file_id)
        .outerjoin(Decision, Decision.id == ReviewItem.current_decision_id)
        .where(condition)
        .order_by(ReviewItem.path, ReviewItem.id)
    )
    if for_update:
        query = query.with_for_update(of=ReviewItem.__table__)
    return [ItemSnapshot.from_row(row) for row in session.execute(query)]


def load_snapshots_by_id(session: Session, ids: Sequence[int]) -> list[ItemSnapshot]:
    snapshots: list[ItemSnapshot] = []
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _BATCH):
        snapshots.extend(load_snapshots(session, ReviewItem.id.in_(unique[start : start + _BATCH])))
    return snapshots


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    """An item's next state and conclusion, computed from the snapshot ``item`` (its version)."""

    item: ItemSnapshot
    state: str
    concluded_expression: str | None
    priority: int
    priority_reason: str | None

    @classmethod
    def state_only(cls, item: ItemSnapshot, state: str) -> ItemChange:
        """A new state, the conclusion and priority as they are (a question moved the file)."""
        return cls(item, state, item.concluded_expression, item.priority, item.priority_reason)


_items = ReviewItem.__table__

_VERSION_CHECKED_UPDATE = (
    update(_items)
    .where(_items.c.id == bindparam("b_id"), _items.c.version == bindparam("b_version"))
    .values(
        version=_items.c.version + 1,
        state=bindparam("b_state"),
        concluded_expression=bindparam("b_concluded"),
        priority=bindparam("b_priority"),
        priority_reason=bindparam("b_priority_reason"),
        updated_at=bindparam("b_now"),
    )
)


def write_item_changes(session: Session, changes: Sequence[ItemChange], now: str) -> None:
    """Update the items, each only if its version is still the snapshot's; bumps the versions.

    On PostgreSQL the UPDATE also takes the row locks. Raises ``StaleVersions`` if any item's
    version moved; the caller rolls back.
    """
    rows = [
        {
            "b_id": change.item.id,
            "b_version": change.item.version,
            "b_state": change.state,
            "b_concluded": change.concluded_expression,
            "b_priority": change.priority,
            "b_priority_reason": change.priority_reason,
            "b_now": now,
        }
        for change in changes
    ]
    updated = 0
    for start in range(0, len(rows), _BATCH):
        result = session.connection().execute(_VERSION_CHECKED_UPDATE, rows[start : start + _BATCH])
        updated += result.rowcount
    if updated != len(rows):
        raise StaleVersions(len(rows) - updated)
