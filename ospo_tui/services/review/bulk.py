"""One decision applied to many files at once, and undoing such a bulk as one operation.

A bulk selects files of one scan by id, by detected expression or by path glob. The preview
counts them; applying writes one decision row and one audit event per file, all tagged with the
bulk id, in one transaction. Undo restores each file's previous decision (or returns it to the
queue) with new ``undo`` decisions, tagged with the undo's own bulk id and the undone one.

Undo refuses when a file of the bulk was decided again since (its current decision is no longer
the bulk's), naming the file, unless the caller asks to skip such files; the skipped files are
reported. A later decision is never silently overwritten.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import AuditEvent, Decision, ReviewItem
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.review.custom_licenses import accepted_ids
from ospo_tui.services.review.decision_fields import CLEARED, DecisionFields, validate_fields
from ospo_tui.services.review.decision_records import decisions_by_id
from ospo_tui.services.review.decisions import DecisionChange, run_retrying, write_decisions
from ospo_tui.services.review.indexed_text import equals
from ospo_tui.services.review.item_state import (
    ItemSnapshot,
    StaleVersions,
    load_snapshots,
    load_snapshots_by_id,
)
from ospo_tui.services.review.queue import PathGlob, QueueFilter, queue_selection
from ospo_tui.services.review.search import files_with_matched_text
from ospo_tui.services.trail.chain import Actor
from ospo_tui.wording import plural

_BATCH = 5000


@dataclass(frozen=True)
class BulkSelection:
    """Files of one scan; criteria combine with AND. At least one is required."""

    scan_id: int
    review_item_ids: tuple[int, ...] = ()
    same_expression: str | None = None  # detected expression, SPDX or ScanCode form, exact
    path_glob: str | None = None  # shell-style * and ?, over the whole path
    skip_decided: bool = False  # leave files that already have a decision alone
    queue_filter: QueueFilter | None = None  # every file the queue shows under this filter
    matched_phrase: str | None = None  # every file whose matched text holds it (MonkBulk)

    def condition(self) -> ColumnElement[bool]:
        if not (
            self.review_item_ids
            or self.same_expression
            or self.path_glob
            or self.queue_filter
            or self.matched_phrase
        ):
            raise InputError(
                "a bulk decision needs files: ids, --same-expression, --glob or --phrase"
            )
        parts: list[ColumnElement[bool]] = [ReviewItem.scan_id == self.scan_id]
        if self.review_item_ids:
            parts.append(ReviewItem.id.in_(self.review_item_ids))
        if self.same_expression:
            expression = self.same_expression.strip()
            parts.append(
                or_(
                    equals(ReviewItem.detected_spdx, expression),
                    equals(ReviewItem.detected_expression, expression),
                )
            )
        if self.path_glob:
            parts.append(PathGlob(ReviewItem.path, self.path_glob))
        if self.matched_phrase is not None:
            parts.append(ReviewItem.file_id.in_(files_with_matched_text(self.matched_phrase)))
        if self.skip_decided:
            parts.append(ReviewItem.current_decision_id.is_(None))
        if self.queue_filter is not None:
            if self.queue_filter.scan_id != self.scan_id:
                raise InputError("the queue filter is for another scan")
            parts.append(ReviewItem.id.in_(queue_selection(self.queue_filter)))
        return and_(*parts)

    def as_payload(self) -> dict[str, object]:
        return {
            "scan_id": self.scan_id,
            "ids": len(self.review_item_ids),
            "same_expression": self.same_expression,
            "path_glob": self.path_glob,
            "skip_decided": self.skip_decided,
            "queue_filter": None if self.queue_filter is None else asdict(self.queue_filter),
            "matched_phrase": self.matched_phrase,
        }


@dataclass(frozen=True)
class BulkPreview:
    files: int
    already_decided: int
    sample_paths: tuple[str, ...]


@dataclass(frozen=True)
class BulkResult:
    bulk_id: str
    files: int
    skipped_paths: tuple[str, ...] = ()


def preview_bulk(reading: Reading, selection: BulkSelection, sample: int = 5) -> BulkPreview:
    """How many files the bulk would touch (shown before the reviewer confirms)."""
    session = reading.session
    condition = selection.condition()
    files, decided = session.execute(
        select(func.count(), func.count(ReviewItem.current_decision_id)).where(condition)
    ).one()
    paths = session.scalars(
        select(ReviewItem.path).where(condition).order_by(ReviewItem.path).limit(sample)
    ).all()
    return BulkPreview(int(files), int(decided or 0), tuple(paths))


def apply_bulk(
    db: Database,
    actor: Actor,
    selection: BulkSelection,
    concluded: str | None,
    decision_type: str,
    reason: str | None = None,
    public_note: str | None = None,
    private_comment: str | None = None,
    *,
    expected_count: int | None = None,
) -> BulkResult:
    """Decide every selected file alike. ``expected_count`` is the previewed count: if the
    selection grew or shrank since, nothing is written (ConflictError)."""
    # The role first: a refused user is audited and learns nothing from input errors.
    require(db, actor, "decide", f"bulk over scan {selection.scan_id}")
    fields = validate_fields(
        concluded, decision_type, reason, public_note, private_comment, accepted_ids(db)
    )
    selection.condition()
    bulk_id = str(uuid.uuid4())

    def work(session: Session) -> BulkResult:
        items = load_snapshots(session, selection.condition())
        if not items:
            raise InputError("the selection matches no file")
        if expected_count is not None and len(items) != expected_count:
            raise ConflictError(
                f"the selection now matches {plural(len(items), 'file')}, not the {expected_count} "
                "previewed; nothing was saved - preview again"
            )
        extra = {"selection": selection.as_payload()}
        changes = [
            DecisionChange(item, fields, "bulk", bulk_id=bulk_id, extra=extra) for item in items
        ]
        try:
            write_decisions(session, actor, "decision.bulk", changes)
        except StaleVersions as exc:
            raise ConflictError(
                f"{exc.changed} of the selected files changed while the bulk was applied; "
                "nothing was saved - try again"
            ) from None
        return BulkResult(bulk_id, len(items))

    return run_retrying(db, work)


def bulk_decision_count(session: Session, bulk_id: str) -> int:
    return session.scalar(select(func.count()).where(Decision.bulk_id == bulk_id)) or 0


# (decision id, review item id, superseded decision id, event seq) of one decision of a bulk
_BulkRow = Row[int, int, int | None, int | None]


def undo_bulk(
    db: Database, actor: Actor, bulk_id: str, *, skip_changed: bool = False
) -> BulkResult:
    """Revert bulk ``bulk_id`` as one operation; see the module docstring for changed files."""
    bulk_id = bulk_id.strip()
    require(db, actor, "undo", f"bulk {bulk_id}")
    undo_id = str(uuid.uuid4())
    return run_retrying(db, lambda session: _undo(session, actor, bulk_id, undo_id, skip_changed))


def _undo(
    session: Session, actor: Actor, bulk_id: str, undo_id: str, skip_changed: bool
) -> BulkResult:
    undone = _bulk_decisions(session, bulk_id)
    items = {s.id: s for s in load_snapshots_by_id(session, [d.review_item_id for d in undone])}
    current = [d for d in undone if items[d.review_item_id].current_decision_id == d.id]
    changed = [d for d in undone if items[d.review_item_id].current_decision_id != d.id]
    if changed:
        already = _undone_by(session, bulk_id)
        if already and not current:
            raise InputError(f"bulk {bulk_id} was already undone (by {already})")
        if not skip_changed:
            first = items[changed[0].review_item_id].path
            raise ConflictError(
                f"{len(changed)} of the {len(undone)} files of bulk {bulk_id} were decided "
                f"again since (first: {first}); nothing was undone - use --skip-changed to "
                "undo the others"
            )
    if not current:
        raise InputError(f"nothing left to undo in bulk {bulk_id}")
    changes = _restoring(session, current, items, bulk_id, undo_id)
    try:
        write_decisions(session, actor, "decision.undo", changes)
    except StaleVersions as exc:
        raise ConflictError(
            f"{exc.changed} files changed while the undo ran; nothing was undone - try again"
        ) from None
    skipped = tuple(items[d.review_item_id].path for d in changed)
    return BulkResult(undo_id, len(changes), skipped)


def _bulk_decisions(session: Session, bulk_id: str) -> Sequence[_BulkRow]:
    """The decisions a bulk wrote (id, item, superseded decision, event), or why it cannot be
    undone."""
    undone = session.execute(
        select(Decision.id, Decision.review_item_id, Decision.supersedes_id, Decision.event_seq)
        .where(Decision.bulk_id == bulk_id)
        .order_by(Decision.id)
    ).all()
    if not undone:
        raise NotFoundError(f"no bulk operation {bulk_id!r}")
    origins = set(
        session.scalars(select(Decision.origin).where(Decision.bulk_id == bulk_id).distinct())
    )
    if origins & {"undo", "reuse"}:
        raise InputError(
            f"{bulk_id} is an {'undo' if 'undo' in origins else 'reuse'} operation, not a bulk"
            " decision: decide the files again instead"
        )
    return undone


def _restoring(
    session: Session,
    current: list[_BulkRow],
    items: dict[int, ItemSnapshot],
    bulk_id: str,
    undo_id: str,
) -> list[DecisionChange]:
    """Each file back to the decision the bulk superseded (or to the open queue), in the state
    it was in before the bulk."""
    restored = decisions_by_id(session, [d.supersedes_id for d in current])
    old_states = _old_states(session, [d.event_seq for d in current])
    changes = []
    for decision in current:
        previous = restored.get(decision.supersedes_id) if decision.supersedes_id else None
        changes.append(
            DecisionChange(
                items[decision.review_item_id],
                previous.fields if previous else DecisionFields(None, CLEARED),
                "undo",
                state=old_states.get(decision.event_seq),
                bulk_id=undo_id,
                findings_hash=previous.findings_hash if previous else None,
                findings_from_item=previous is None,
                supersedes_id=decision.id,
                extra={
                    "undoes_bulk_id": bulk_id,
                    "restores_decision_id": decision.supersedes_id,
                },
            )
        )
    return changes


def _undone_by(session: Session, bulk_id: str) -> str | None:
    """The bulk id of an undo that already reverted ``bulk_id``, if any."""
    undone = select(Decision.id).where(Decision.bulk_id == bulk_id)
    return session.scalar(
        select(Decision.bulk_id)
        .where(Decision.origin == "undo", Decision.supersedes_id.in_(undone))
        .limit(1)
    )


def _old_states(session: Session, seqs: list[int | None]) -> dict[int, str]:
    """Each file's state before the bulk, from the "old" values its bulk event recorded."""
    wanted = [s for s in seqs if s is not None]
    states: dict[int, str] = {}
    for start in range(0, len(wanted), _BATCH):
        for seq, payload in session.execute(
            select(AuditEvent.seq, AuditEvent.payload).where(
                AuditEvent.seq.in_(wanted[start : start + _BATCH])
            )
        ):
            state = json.loads(payload).get("old", {}).get("state")
            if isinstance(state, str):
                states[seq] = state
    return states
