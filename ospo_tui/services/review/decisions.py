"""Recording a reviewer's decision on a file: validated, attributable, audited, never lost.

A decision row is append-only; a new one supersedes the old. The review item (state, concluded
expression, current decision, version) is kept in step in the same transaction as the decision
row and its audit event, whose payload holds the old and the new values. A private comment is
kept only on the decision row; the event holds its SHA-256, so the chain proves the comment
without disclosing it and a log exported without private comments still re-hashes. Optimistic
locking: the
item's version must still be the one the reviewer saw, else ``DecisionConflict`` names the other
decision and nothing is written.

Single decisions, bulk decisions, their undo and reuse onto a rescan all go through
``write_decisions``, so every path writes the same rows and the same events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, NotFoundError
from ospo_tui.models import Decision, ReviewItem, Scan
from ospo_tui.services.access.roles import allowed, require
from ospo_tui.services.review.custom_licenses import accepted_ids
from ospo_tui.services.review.decision_fields import CLEARED, DecisionFields, validate_fields
from ospo_tui.services.review.decision_records import DecisionRecord, get_decision
from ospo_tui.services.review.item_state import (
    ItemChange,
    ItemSnapshot,
    StaleVersions,
    check_version,
    load_snapshots,
    state_after_decision,
    write_item_changes,
)
from ospo_tui.services.trail.chain import Actor, EventEntry, append_events, locked_chain_head

_BATCH = 5000


@dataclass(frozen=True)
class DecisionResult:
    review_item_id: int
    path: str
    decision: DecisionRecord
    previous: DecisionRecord | None
    version: int
    state: str


class DecisionConflict(ConflictError):
    """The file changed since the reviewer read it; ``current`` is the other decision."""

    def __init__(
        self, path: str, expected: int, actual: int, current: DecisionRecord | None
    ) -> None:
        self.path = path
        self.expected_version = expected
        self.actual_version = actual
        self.current = current
        other = current.describe() if current else "its decision was cleared"
        super().__init__(
            f"{path} changed since you read it (version {expected}, now {actual}): {other}; "
            "your decision was not saved - review theirs and decide again"
        )


def resolve_review_item(session: Session, scan: Scan, path: str) -> int:
    """The review item of ``path`` in ``scan`` (a regular file), or NotFoundError."""
    item_id = session.scalar(
        select(ReviewItem.id).where(ReviewItem.scan_id == scan.id, ReviewItem.path == path)
    )
    if item_id is None:
        raise NotFoundError(f"no file {path!r} in scan {scan.id}")
    return item_id


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionChange:
    """One file's new decision within a write: what, why, and what the event should add."""

    item: ItemSnapshot
    fields: DecisionFields
    origin: str  # manual / bulk / reuse / undo
    state: str | None = None  # default: from the decision type
    bulk_id: str | None = None
    reused_from_id: int | None = None
    # What the decision was made on: the file's own findings, unless carried from elsewhere
    # (reuse and undo keep the original's, even None, so staleness is judged against it).
    findings_hash: str | None = None
    findings_from_item: bool = True
    priority: int | None = None
    priority_reason: str | None = None
    supersedes_id: int | None = None  # default: the item's current decision
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def clears(self) -> bool:
        """An undo back to no decision: the file returns to the open queue."""
        return self.fields.decision_type == CLEARED

    def item_change(self) -> ItemChange:
        item = self.item
        return ItemChange(
            item,
            self.state or state_after_decision(self.fields.decision_type),
            None if self.clears else self.fields.concluded_expression,
            item.priority if self.priority is None else self.priority,
            self.priority_reason or item.priority_reason,
        )

    def decision_row(self, actor: Actor, now: str, event_seq: int) -> dict[str, Any]:
        item = self.item
        return {
            "project_id": item.project_id,
            "review_item_id": item.id,
            "file_id": item.file_id,
            "sha256": item.sha256,
            **self.fields.as_columns(),
            "origin": self.origin,
            "bulk_id": self.bulk_id,
            "reused_from_id": self.reused_from_id,
            "supersedes_id": item.current_decision_id
            if self.supersedes_id is None
            else self.supersedes_id,
            "findings_hash": item.findings_hash if self.findings_from_item else self.findings_hash,
            "actor": actor.name,
            "role": actor.role,
            "created_at": now,
            "event_seq": event_seq,
        }

    def event_entry(
        self, action: str, state: str, decision_id: int, row: dict[str, Any]
    ) -> EventEntry:
        """The audit event: the item's old values and its new ones, in one payload, with every
        value of the decision ``row`` that replay (``audit verify``) needs to rebuild it."""
        item = self.item
        new = {
            **self.fields.as_payload(),
            "state": state,
            "decision_id": None if self.clears else decision_id,
            "version": item.version + 1,
        }
        payload = {
            "path": item.path,
            "scan_id": item.scan_id,
            "file_id": item.file_id,
            "sha256": item.sha256,
            "decision_id": decision_id,
            "origin": self.origin,
            "bulk_id": self.bulk_id,
            "reused_from_id": row["reused_from_id"],
            "supersedes_id": row["supersedes_id"],
            "findings_hash": row["findings_hash"],
            "old": item.as_payload(),
            "new": new,
            **self.extra,
        }
        return (action, "review_item", item.id, payload, item.project_id)


_decisions = Decision.__table__
_items = ReviewItem.__table__
_LINK_DECISION = (
    update(_items)
    .where(_items.c.id == bindparam("b_id"))
    .values(current_decision_id=bindparam("b_decision"))
)


def write_decisions(
    session: Session, actor: Actor, action: str, changes: Sequence[DecisionChange]
) -> list[int]:
    """Decision rows, events and review items for ``changes``, in the caller's transaction.

    Items are updated first (version-checked, which also takes their row locks on PostgreSQL),
    then the chain lock, so writers always lock in the same order. Raises ``StaleVersions`` if
    any item's version moved; the caller rolls back. Returns the new decision ids, in order.
    """
    if not changes:
        return []
    now = utc_now()
    item_changes = [change.item_change() for change in changes]
    write_item_changes(session, item_changes, now)

    head, _ = locked_chain_head(session)
    rows = [
        change.decision_row(actor, now, head + number)
        for number, change in enumerate(changes, start=1)
    ]
    decision_ids = _insert_decisions(session, changes, rows)
    entries = [
        change.event_entry(action, item_change.state, decision_id, row)
        for change, item_change, decision_id, row in zip(
            changes, item_changes, decision_ids, rows, strict=True
        )
    ]
    written = append_events(session, actor, entries, at=now)
    if written[0]["seq"] != head + 1:  # the lock is held, so this cannot move; be sure anyway
        raise RuntimeError("audit chain head moved while locked")

    links = [
        {"b_id": change.item.id, "b_decision": None if change.clears else decision_id}
        for change, decision_id in zip(changes, decision_ids, strict=True)
    ]
    for start in range(0, len(links), _BATCH):
        session.execute(_LINK_DECISION, links[start : start + _BATCH])
    return decision_ids


def _insert_decisions(
    session: Session, changes: Sequence[DecisionChange], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert the rows; their ids in order.

    A batch shares one bulk id, so a plain executemany plus one indexed read of (item, id) by
    bulk id is used: INSERT ... RETURNING with ordered results costs quadratic time in
    SQLAlchemy's result splicing, 15 s for 10,000 rows.
    """
    bulk_ids = {change.bulk_id for change in changes}
    bulk_id = next(iter(bulk_ids))
    if len(changes) == 1 or len(bulk_ids) != 1 or bulk_id is None:
        return [
            session.execute(insert(_decisions).returning(_decisions.c.id), row).scalar_one()
            for row in rows
        ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(_decisions), rows[start : start + _BATCH])
    by_item: dict[int, int] = dict(
        session.execute(
            select(Decision.review_item_id, Decision.id).where(Decision.bulk_id == bulk_id)
        ).all()
    )
    if len(by_item) != len(rows):
        raise RuntimeError(f"bulk {bulk_id} names an item twice or reuses an old bulk id")
    return [by_item[change.item.id] for change in changes]


# -- one decision -------------------------------------------------------------------------------

T = TypeVar("T")


def _is_transient(exc: DBAPIError) -> bool:
    """SQLite busy/locked, PostgreSQL serialization failure or deadlock: worth another try."""
    text = str(exc.orig).lower()
    code = getattr(exc.orig, "sqlstate", None)
    return "database is locked" in text or "database is busy" in text or code in ("40001", "40P01")


def run_retrying(db: Database, work: Callable[[Session], T], attempts: int = 20) -> T:
    """``work`` in its own transaction, retried when the database says "try again"."""
    for attempt in range(1, attempts + 1):
        try:
            with db.session() as session:
                return work(session)
        except OperationalError as exc:
            if attempt == attempts or not _is_transient(exc):
                raise
        except DBAPIError as exc:
            if attempt == attempts or not _is_transient(exc):
                raise
        time.sleep(min(0.05 * attempt, 1.0))
    raise AssertionError("unreachable")


def record_decision(
    session: Session,
    actor: Actor,
    review_item_id: int,
    expected_version: int | None,
    fields: DecisionFields,
    *,
    origin: str = "manual",
) -> DecisionResult:
    """One decision in the caller's transaction (fields already validated)."""
    found = load_snapshots(
        session, ReviewItem.id == review_item_id, for_update=expected_version is None
    )
    if not found:
        raise NotFoundError(f"no review item {review_item_id}")
    item = found[0]
    previous = get_decision(session, item.current_decision_id)
    check_version(
        expected_version,
        item.version,
        lambda seen: DecisionConflict(item.path, seen, item.version, previous),
    )
    try:
        (decision_id,) = write_decisions(
            session, actor, "decision.record", [DecisionChange(item, fields, origin)]
        )
    except StaleVersions:
        # Someone committed in between (PostgreSQL re-checks the row after their commit).
        now = load_snapshots(session, ReviewItem.id == review_item_id)[0]
        raise DecisionConflict(
            item.path, item.version, now.version, get_decision(session, now.current_decision_id)
        ) from None
    decision = get_decision(session, decision_id)
    assert decision is not None
    return DecisionResult(
        review_item_id=item.id,
        path=item.path,
        decision=decision,
        previous=previous,
        version=item.version + 1,
        state=state_after_decision(fields.decision_type),
    )


def decide(
    db: Database,
    actor: Actor,
    review_item_id: int,
    expected_version: int | None,
    concluded: str | None,
    decision_type: str,
    reason: str | None = None,
    public_note: str | None = None,
    private_comment: str | None = None,
) -> DecisionResult:
    """Record a reviewer's decision on one file; see the module docstring for the guarantees.

    ``expected_version`` is the item version the reviewer saw (None: whatever is current).
    """
    may_decide(db, actor, review_item_id)
    fields = validate_fields(
        concluded, decision_type, reason, public_note, private_comment, accepted_ids(db)
    )
    return run_retrying(
        db, lambda s: record_decision(s, actor, review_item_id, expected_version, fields)
    )


def may_decide(db: Database, actor: Actor, review_item_id: int) -> None:
    """The role first: a refused user is audited and learns nothing from input errors. Screens
    ask it before opening a form, so the refusal comes before any typing."""
    if not allowed(actor, "decide"):
        require(db, actor, "decide", f"file {refusal_path(db, review_item_id)}")


def refusal_path(db: Database, review_item_id: int) -> str:
    """The path a refusal names (the id when there is no such item: the decision reports it)."""
    with db.reader() as session:
        path = session.scalar(select(ReviewItem.path).where(ReviewItem.id == review_item_id))
    # repr: a hostile path's control characters reach the terminal escaped.
    return repr(path) if path is not None else f"#{review_item_id}"
