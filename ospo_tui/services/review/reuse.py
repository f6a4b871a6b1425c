"""Carrying decisions over to a new scan of a project, by file content (sha256).

When a scan arrives, every file whose sha256 was decided in an earlier scan of the same project
gets that decision again, as a ``reuse`` decision pointing at its source. If the file's findings
differ from those the decision was made on (``findings_hash``), the item is marked ``stale``,
raised to the top of the queue, and the event records the difference so the reviewer sees what
changed. Everything is set-based: one query finds the sources, one batched write records them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session, aliased

from ospo_tui.models import (
    STATE_STALE,
    AuditEvent,
    Decision,
    LicenseMatch,
    ReviewItem,
    Scan,
    ScannedFile,
)
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.decision_records import (
    DecisionRecord,
    decisions_by_id,
    get_decision,
)
from ospo_tui.services.review.decisions import DecisionChange, write_decisions
from ospo_tui.services.review.item_state import ItemSnapshot, load_snapshots_by_id
from ospo_tui.services.trail.chain import Actor

STALE_REASON = "stale decision: findings changed"
_MAX_LISTED = 50  # matches listed per side in a difference; the count is always exact


@dataclass(frozen=True)
class _Reuse:
    """A file of the new scan, the earlier decision on the same content, and that one's scan."""

    item: ItemSnapshot
    source: DecisionRecord
    source_scan_id: int

    @property
    def is_stale(self) -> bool:
        return self.item.findings_hash != self.source.findings_hash


def carry_over_decisions(session: Session, scan: Scan, actor: Actor) -> int:
    """Reuse earlier decisions on ``scan``'s files with the same sha256; returns how many."""
    reuses = _reuses(session, scan)
    if not reuses:
        scan.reused_count = 0
        return 0
    differences = _differences(session, [reuse for reuse in reuses if reuse.is_stale])
    batch_id = str(uuid.uuid4())
    changes = [_change(reuse, differences.get(reuse.item.id), batch_id) for reuse in reuses]
    write_decisions(session, actor, "decision.reuse", changes)
    scan.reused_count = len(changes)
    session.flush()
    return len(changes)


def _reuses(session: Session, scan: Scan) -> list[_Reuse]:
    """Each file of ``scan`` whose content was decided in an earlier scan of the project, with
    the newest such decision, in path order."""
    if session.scalar(_decided_before(scan).limit(1)) is None:
        return []  # a project's first scan: nothing to reuse, and no join to plan
    _count_own_rows(session)
    earlier = (
        select(
            ScannedFile.sha256.label("sha256"),
            func.max(ReviewItem.current_decision_id).label("decision_id"),
        )
        .join(ReviewItem, ReviewItem.file_id == ScannedFile.id)
        .where(
            ReviewItem.project_id == scan.project_id,
            ReviewItem.scan_id != scan.id,
            ReviewItem.current_decision_id.is_not(None),
            ScannedFile.sha256.is_not(None),
        )
        .group_by(ScannedFile.sha256)
        .subquery()
    )
    source_item = aliased(ReviewItem)
    triples = session.execute(
        select(ReviewItem.id, earlier.c.decision_id, source_item.scan_id)
        .join(ScannedFile, ScannedFile.id == ReviewItem.file_id)
        .join(earlier, earlier.c.sha256 == ScannedFile.sha256)
        .join(Decision, Decision.id == earlier.c.decision_id)
        .join(source_item, source_item.id == Decision.review_item_id)
        .where(ReviewItem.scan_id == scan.id)
        .order_by(ReviewItem.path)
    ).all()
    sources = decisions_by_id(session, [decision_id for _, decision_id, _ in triples])
    items = {item.id: item for item in load_snapshots_by_id(session, [i for i, _, _ in triples])}
    return [
        _Reuse(items[item_id], sources[decision_id], source_scan_id)
        for item_id, decision_id, source_scan_id in triples
    ]


def _decided_before(scan: Scan) -> Select[Any]:
    """Any decision in the project: the new scan has none of its own before its carry-over."""
    return select(Decision.id).where(Decision.project_id == scan.project_id)


def _count_own_rows(session: Session) -> None:
    """PostgreSQL: ANALYZE the new scan's tables inside its own transaction.

    Only this transaction sees its uncommitted rows. An ANALYZE from anywhere else (autovacuum's
    too) counts them as absent, and the planner then joins the new scan's files by nested loops:
    at 10,000 files the reuse query ran for over 30 minutes. ANALYZE in a transaction block is
    allowed, counts the block's own rows, and its statistics roll back with it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE files, review_items"))


def _change(reuse: _Reuse, difference: dict[str, Any] | None, batch_id: str) -> DecisionChange:
    """The reused decision; a stale one goes to the top of the queue with what changed."""
    stale = difference is not None
    return DecisionChange(
        reuse.item,
        reuse.source.fields,
        "reuse",
        state=STATE_STALE if stale else None,
        bulk_id=batch_id,
        reused_from_id=reuse.source.id,
        findings_hash=reuse.source.findings_hash,
        findings_from_item=False,
        priority=1 if stale else None,
        priority_reason=STALE_REASON if stale else None,
        extra={
            "reused_from_decision_id": reuse.source.id,
            "reused_from_scan_id": reuse.source_scan_id,
            "stale": stale,
            **({"difference": difference} if difference is not None else {}),
        },
    )


def _decided_on_file(session: Session, source: DecisionRecord) -> int:
    """The file a decision was really made on: follow reuse links back to the original."""
    decision_id, file_id, origin = source.reused_from_id, source.file_id, source.origin
    hops = 0
    while origin == "reuse" and decision_id is not None and hops < 100:
        row = session.execute(
            select(Decision.file_id, Decision.origin, Decision.reused_from_id).where(
                Decision.id == decision_id
            )
        ).one()
        file_id, origin, decision_id = row.file_id, row.origin, row.reused_from_id
        hops += 1
    return file_id


def _match_lines(session: Session, file_id: int) -> list[str]:
    rows = session.execute(
        select(
            LicenseMatch.license_expression_spdx,
            LicenseMatch.license_expression,
            LicenseMatch.rule_identifier,
            LicenseMatch.start_line,
            LicenseMatch.end_line,
        )
        .where(LicenseMatch.file_id == file_id)
        .order_by(LicenseMatch.start_line, LicenseMatch.id)
    )
    return [
        f"{spdx or expr or '?'} ({rule or 'no rule'}) lines {start or '?'}-{end or '?'}"
        for spdx, expr, rule, start, end in rows
    ]


def _differences(session: Session, stale: list[_Reuse]) -> dict[int, dict[str, Any]]:
    """Old vs new detected expression and matches, for the (few) stale files only."""
    out: dict[int, dict[str, Any]] = {}
    for reuse in stale:
        old_file = _decided_on_file(session, reuse.source)
        old_expression = session.scalar(
            select(ScannedFile.detected_license_expression_spdx).where(ScannedFile.id == old_file)
        )
        old_matches = _match_lines(session, old_file)
        new_matches = _match_lines(session, reuse.item.file_id)
        removed = [m for m in old_matches if m not in new_matches]
        added = [m for m in new_matches if m not in old_matches]
        out[reuse.item.id] = {
            "old_detected": old_expression,
            "new_detected": reuse.item.detected_spdx,
            "decided_on_file_id": old_file,
            "matches_removed": removed[:_MAX_LISTED],
            "matches_added": added[:_MAX_LISTED],
            "matches_removed_count": len(removed),
            "matches_added_count": len(added),
        }
    return out


@dataclass(frozen=True)
class StaleDifference:
    """Why a reused decision needs re-confirmation: the findings it was made on vs now."""

    old_detected: str | None
    new_detected: str | None
    matches_removed: tuple[str, ...]
    matches_added: tuple[str, ...]
    reused_from_decision_id: int | None
    reused_from_scan_id: int | None


def stale_difference(reading: Reading, review_item_id: int) -> StaleDifference | None:
    """The difference recorded when the item's decision was reused as stale, else None."""
    session = reading.session
    state = session.scalar(select(ReviewItem.state).where(ReviewItem.id == review_item_id))
    if state != STATE_STALE:
        return None
    decision = get_decision(
        session,
        session.scalar(
            select(ReviewItem.current_decision_id).where(ReviewItem.id == review_item_id)
        ),
    )
    if decision is None or decision.event_seq is None:
        return None
    payload = session.scalar(select(AuditEvent.payload).where(AuditEvent.seq == decision.event_seq))
    recorded = json.loads(payload or "{}")
    difference = recorded.get("difference")
    if not isinstance(difference, dict):
        return None
    return StaleDifference(
        old_detected=difference.get("old_detected"),
        new_detected=difference.get("new_detected"),
        matches_removed=tuple(difference.get("matches_removed") or ()),
        matches_added=tuple(difference.get("matches_added") or ()),
        reused_from_decision_id=recorded.get("reused_from_decision_id"),
        reused_from_scan_id=recorded.get("reused_from_scan_id"),
    )
