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

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import (
    STATE_DECIDED,
    STATE_OPEN,
    STATE_TO_DISCUSS,
    Decision,
    ReviewItem,
    Scan,
    ScannedFile,
)
from ospo_tui.services.access.roles import allowed, require
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.trail.chain import Actor, append_events, locked_chain_head

# In the reviewer's words, as the form and reports show them.
DECISION_TYPES: dict[str, str] = {
    "identified": "Identified",
    "to_discuss": "To be discussed",
    "irrelevant": "Irrelevant (not shipped)",
    "do_not_use": "Do not use",
    "non_functional": "Non-functional (build or test only)",
}
# ORT's curation reasons, spelled the way reviewers type them.
REASONS: dict[str, str] = {
    "code": "Code",
    "data_of": "Data of",
    "documentation_of": "Documentation of",
    "incorrect_detection": "Incorrect detection",
    "not_detected": "Not detected",
    "reference": "Reference",
}
CLEARED = "cleared"  # decision_type of an undo that returns a file to the open queue
MAX_NOTE = 10_000
STALE_REASON = "stale decision: findings changed"
_BATCH = 5000


@dataclass(frozen=True)
class DecisionFields:
    """What a reviewer concludes; ``concluded_expression`` is None only for a cleared file."""

    concluded_expression: str | None
    decision_type: str
    reason: str | None = None
    public_note: str | None = None
    private_comment: str | None = None

    def as_columns(self) -> dict[str, Any]:
        """The values of a decision row."""
        return {
            "concluded_expression": self.concluded_expression,
            "decision_type": self.decision_type,
            "reason": self.reason,
            "public_note": self.public_note,
            "private_comment": self.private_comment,
        }

    @classmethod
    def from_row(cls, row: Any) -> DecisionFields:
        """From a result row that selected ``FIELD_COLUMNS``."""
        return cls(
            row.concluded_expression,
            row.decision_type,
            row.reason,
            row.public_note,
            row.private_comment,
        )

    def as_payload(self) -> dict[str, Any]:
        """The values an audit event records: the private comment only as its digest."""
        return {
            "concluded_expression": self.concluded_expression,
            "decision_type": self.decision_type,
            "reason": self.reason,
            "public_note": self.public_note,
            "private_comment_sha256": private_comment_digest(self.private_comment),
        }


def private_comment_digest(comment: str | None) -> str | None:
    """Hex SHA-256 of the comment's UTF-8 text, as audit events record it; None for none."""
    return None if comment is None else hashlib.sha256(comment.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DecisionView:
    id: int
    review_item_id: int
    fields: DecisionFields
    origin: str
    bulk_id: str | None
    actor: str
    role: str
    created_at: str
    event_seq: int | None
    supersedes_id: int | None
    reused_from_id: int | None
    findings_hash: str | None

    def describe(self) -> str:
        label = DECISION_TYPES.get(self.fields.decision_type, self.fields.decision_type)
        return (
            f"{self.actor} decided {self.fields.concluded_expression or '(cleared)'} ({label})"
            f" at {self.created_at}"
        )


@dataclass(frozen=True)
class DecisionResult:
    review_item_id: int
    path: str
    decision: DecisionView
    previous: DecisionView | None
    version: int
    state: str


class DecisionConflict(ConflictError):
    """The file changed since the reviewer read it; ``current`` is the other decision."""

    def __init__(self, path: str, expected: int, actual: int, current: DecisionView | None) -> None:
        self.path = path
        self.expected_version = expected
        self.actual_version = actual
        self.current = current
        other = current.describe() if current else "its decision was cleared"
        super().__init__(
            f"{path} changed since you read it (version {expected}, now {actual}): {other}; "
            "your decision was not saved - review theirs and decide again"
        )


def state_for(decision_type: str) -> str:
    if decision_type == CLEARED:
        return STATE_OPEN
    return STATE_TO_DISCUSS if decision_type == "to_discuss" else STATE_DECIDED


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_NOTE:
        raise InputError(f"the {what} is longer than {MAX_NOTE} characters")
    if "\x00" in value:
        raise InputError(f"the {what} contains a NUL character")
    return value or None


def validate_fields(
    concluded: str | None,
    decision_type: str,
    reason: str | None = None,
    public_note: str | None = None,
    private_comment: str | None = None,
) -> DecisionFields:
    """Checked and normalised input, or InputError naming the first problem."""
    kind = (decision_type or "").strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in DECISION_TYPES:
        raise InputError(
            f"unknown decision type {decision_type!r}: use one of {', '.join(DECISION_TYPES)}"
        )
    why = (reason or "").strip().lower().replace("-", "_").replace(" ", "_") or None
    if why is not None and why not in REASONS:
        raise InputError(f"unknown reason {reason!r}: use one of {', '.join(REASONS)}")
    return DecisionFields(
        concluded_expression=normalise_spdx(concluded),
        decision_type=kind,
        reason=why,
        public_note=_text(public_note, "public note"),
        private_comment=_text(private_comment, "private comment"),
    )


# -- reading ------------------------------------------------------------------------------------

# What a reviewer concluded, as stored on a decision row (see DecisionFields.from_row).
FIELD_COLUMNS = (
    Decision.concluded_expression,
    Decision.decision_type,
    Decision.reason,
    Decision.public_note,
    Decision.private_comment,
)

_DECISION_COLUMNS = (
    Decision.id,
    Decision.review_item_id,
    *FIELD_COLUMNS,
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


def _view(row: Any) -> DecisionView:
    return DecisionView(
        id=row.id,
        review_item_id=row.review_item_id,
        fields=DecisionFields.from_row(row),
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


def get_decision(session: Session, decision_id: int | None) -> DecisionView | None:
    if decision_id is None:
        return None
    row = session.execute(select(*_DECISION_COLUMNS).where(Decision.id == decision_id)).first()
    return _view(row) if row else None


def current_decision(session: Session, review_item_id: int) -> DecisionView | None:
    decision_id = session.scalar(
        select(ReviewItem.current_decision_id).where(ReviewItem.id == review_item_id)
    )
    return get_decision(session, decision_id)


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
    query = (
        select(*_SNAPSHOT_COLUMNS)
        .join(ScannedFile, ScannedFile.id == ReviewItem.file_id)
        .outerjoin(Decision, Decision.id == ReviewItem.current_decision_id)
        .where(condition)
        .order_by(ReviewItem.path, ReviewItem.id)
    )
    if for_update:
        query = query.with_for_update(of=ReviewItem.__table__)
    snapshots = []
    for row in session.execute(query):
        decision = None
        if row.decision_type is not None:
            decision = DecisionFields(
                row.d_concluded,
                row.decision_type,
                row.reason,
                row.public_note,
                row.private_comment,
            )
        snapshots.append(
            ItemSnapshot(
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
        )
    return snapshots


def load_snapshots_by_id(session: Session, ids: Sequence[int]) -> list[ItemSnapshot]:
    snapshots: list[ItemSnapshot] = []
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _BATCH):
        snapshots.extend(load_snapshots(session, ReviewItem.id.in_(unique[start : start + _BATCH])))
    return snapshots


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


_items = ReviewItem.__table__
_decisions = Decision.__table__

_UPDATE_ITEM = (
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
_LINK_DECISION = (
    update(_items)
    .where(_items.c.id == bindparam("b_id"))
    .values(current_decision_id=bindparam("b_decision"))
)


class StaleVersions(Exception):
    """Some items changed between snapshot and update; the transaction must not commit."""

    def __init__(self, changed: int) -> None:
        super().__init__(f"{changed} items changed")
        self.changed = changed


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
    item_rows = []
    for change in changes:
        fields, item = change.fields, change.item
        clearing = fields.decision_type == CLEARED
        item_rows.append(
            {
                "b_id": item.id,
                "b_version": item.version,
                "b_state": change.state or state_for(fields.decision_type),
                "b_concluded": None if clearing else fields.concluded_expression,
                "b_priority": item.priority if change.priority is None else change.priority,
                "b_priority_reason": change.priority_reason or item.priority_reason,
                "b_now": now,
            }
        )
    updated = 0
    for start in range(0, len(item_rows), _BATCH):
        result = session.execute(_UPDATE_ITEM, item_rows[start : start + _BATCH])
        updated += result.rowcount  # type: ignore[attr-defined]
    if updated != len(item_rows):
        raise StaleVersions(len(item_rows) - updated)

    head, _ = locked_chain_head(session)
    decision_rows = [
        {
            "project_id": change.item.project_id,
            "review_item_id": change.item.id,
            "file_id": change.item.file_id,
            "sha256": change.item.sha256,
            **change.fields.as_columns(),
            "origin": change.origin,
            "bulk_id": change.bulk_id,
            "reused_from_id": change.reused_from_id,
            "supersedes_id": change.supersedes_id
            if change.supersedes_id is not None
            else change.item.current_decision_id,
            "findings_hash": change.item.findings_hash
            if change.findings_from_item
            else change.findings_hash,
            "actor": actor.name,
            "role": actor.role,
            "created_at": now,
            "event_seq": head + number,
        }
        for number, change in enumerate(changes, start=1)
    ]
    decision_ids = _insert_decisions(session, changes, decision_rows)

    entries = []
    for change, decision_id, item_row in zip(changes, decision_ids, item_rows, strict=True):
        item = change.item
        cleared = change.fields.decision_type == CLEARED
        new = {
            **change.fields.as_payload(),
            "state": item_row["b_state"],
            "decision_id": None if cleared else decision_id,
            "version": item.version + 1,
        }
        payload = {
            "path": item.path,
            "scan_id": item.scan_id,
            "file_id": item.file_id,
            "sha256": item.sha256,
            "decision_id": decision_id,
            "origin": change.origin,
            "bulk_id": change.bulk_id,
            "old": item.as_payload(),
            "new": new,
            **change.extra,
        }
        entries.append((action, "review_item", item.id, payload, item.project_id))
    written = append_events(session, actor, entries)
    if written[0]["seq"] != head + 1:  # the lock is held, so this cannot move; be sure anyway
        raise RuntimeError("audit chain head moved while locked")

    links = [
        {"b_id": change.item.id, "b_decision": None if row["decision_type"] == CLEARED else did}
        for change, row, did in zip(changes, decision_rows, decision_ids, strict=True)
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
    if expected_version is not None and item.version != expected_version:
        raise DecisionConflict(item.path, expected_version, item.version, previous)
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
        state=state_for(fields.decision_type),
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
    fields = validate_fields(concluded, decision_type, reason, public_note, private_comment)
    return run_retrying(
        db, lambda s: record_decision(s, actor, review_item_id, expected_version, fields)
    )


def may_decide(db: Database, actor: Actor, review_item_id: int) -> None:
    """The role first: a refused user is audited and learns nothing from input errors. Screens
    ask it before opening a form, so the refusal comes before any typing."""
    if not allowed(actor, "decide"):
        require(db, actor, "decide", f"file {_item_path(db, review_item_id)}")


def _item_path(db: Database, review_item_id: int) -> str:
    """The path a refusal names (the id when there is no such item: the decision reports it)."""
    with db.reader() as session:
        path = session.scalar(select(ReviewItem.path).where(ReviewItem.id == review_item_id))
    # repr: a hostile path's control characters reach the terminal escaped.
    return repr(path) if path is not None else f"#{review_item_id}"
