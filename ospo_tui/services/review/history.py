"""A file's history and the audit log, read from the audit events: who, when, what changed.

The events are the record, so the history is read from them rather than from the decision rows:
it shows decisions, bulks, reuse, undo, questions and the scans that brought the file in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ospo_tui.models import AuditEvent, Question, ReviewItem
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.catalog import find_project_id, resolve_project_id
from ospo_tui.services.review.decision_fields import CLEARED, DECISION_TYPES
from ospo_tui.wording import plural

# The events that bring files into the review, in the reviewer's words.
SCAN_ACTIONS = {"scan.import": "imported a ScanCode scan", "scan.scan": "scanned the source tree"}


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    occurred_at: str
    actor: str
    role: str
    action: str
    subject_type: str
    subject_id: str | None
    summary: str  # one line, untrusted text inside: render through safe_text
    payload: dict[str, Any]


def _decision_label(values: dict[str, Any]) -> str:
    kind = values.get("decision_type")
    if not kind or kind == CLEARED:
        return "(no decision)"
    label = DECISION_TYPES.get(kind, kind)
    reason = f", {values['reason']}" if values.get("reason") else ""
    return f"{values.get('concluded_expression')} [{label}{reason}]"


def _private_comment_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Events hold only the comment's digest: say that it changed; the text is on the decision."""
    before, after = old.get("private_comment_sha256"), new.get("private_comment_sha256")
    if before == after:
        return ""
    if after is None:
        return "; private comment removed"
    return "; private comment added" if before is None else "; private comment changed"


def describe(action: str, payload: dict[str, Any]) -> str:
    """One line for an event: for decisions, old → new value and state."""
    if action.startswith("decision."):
        old, new = payload.get("old") or {}, payload.get("new") or {}
        line = f"{_decision_label(old)} → {_decision_label(new)}"
        if old.get("state") != new.get("state"):
            line += f"; state {old.get('state')} → {new.get('state')}"
        if payload.get("origin") in ("bulk", "undo") and payload.get("bulk_id"):
            line += f"; {payload['origin']} {payload['bulk_id']}"
        if payload.get("undoes_bulk_id"):
            line += f" undoing {payload['undoes_bulk_id']}"
        if payload.get("origin") == "reuse":
            line += f"; reused from scan {payload.get('reused_from_scan_id')}"
        difference = payload.get("difference")
        if isinstance(difference, dict):
            line += (
                f"; STALE: detected {difference.get('old_detected')} → "
                f"{difference.get('new_detected')}, {difference.get('matches_removed_count', 0)}"
                f" match(es) gone, {difference.get('matches_added_count', 0)} new"
            )
        note = new.get("public_note")
        if note and note != old.get("public_note"):
            line += f"; note: {note}"
        return line + _private_comment_change(old, new)
    if action.startswith("question."):
        return (
            f"{action.removeprefix('question.')} on question {payload.get('question_id')}"
            f" ({payload.get('asked_by')} → {payload.get('assigned_to')}): {payload.get('text')}"
        )
    if action in SCAN_ACTIONS:
        counts = payload.get("counts") or {}
        files = counts.get("files")
        size = plural(files, "file") if isinstance(files, int) else "? files"
        return f"{SCAN_ACTIONS[action]} ({size})"
    shown = {k: v for k, v in payload.items() if not isinstance(v, dict | list)}
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) or action


def _entry(row: Any) -> HistoryEntry:
    payload = json.loads(row.payload or "{}")
    return HistoryEntry(
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor=row.actor,
        role=row.role,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        summary=describe(row.action, payload),
        payload=payload,
    )


_EVENT_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.role,
    AuditEvent.action,
    AuditEvent.subject_type,
    AuditEvent.subject_id,
    AuditEvent.payload,
)


def file_history(
    reading: Reading, path: str, project: str | None = None, *, include_scans: bool = True
) -> list[HistoryEntry]:
    """Every event about ``path`` (in every project, or in ``project``), oldest first."""
    project_id = None if project is None else resolve_project_id(reading, project)
    return _file_history(reading.session, path, project_id, include_scans=include_scans)


def _file_history(
    session: Session, path: str, project_id: int | None, *, include_scans: bool = True
) -> list[HistoryEntry]:
    query = select(ReviewItem.id, ReviewItem.scan_id).where(ReviewItem.path == path)
    if project_id is not None:
        query = query.where(ReviewItem.project_id == project_id)
    items = session.execute(query).all()
    if not items:
        return []
    item_ids = [str(i) for i, _ in items]
    question_ids = [
        str(q)
        for q in session.scalars(
            select(Question.id).where(Question.review_item_id.in_([i for i, _ in items]))
        )
    ]
    subjects = [and_(AuditEvent.subject_type == "review_item", AuditEvent.subject_id.in_(item_ids))]
    if question_ids:
        subjects.append(
            and_(AuditEvent.subject_type == "question", AuditEvent.subject_id.in_(question_ids))
        )
    if include_scans:
        scan_ids = sorted({str(s) for _, s in items})
        # Only the events that brought the file in (scan.import, scan.scan): exports and other
        # project-wide events about the scan are not the file's history.
        subjects.append(
            and_(
                AuditEvent.subject_type == "scan",
                AuditEvent.subject_id.in_(scan_ids),
                AuditEvent.action.in_(SCAN_ACTIONS),
            )
        )
    rows = session.execute(select(*_EVENT_COLUMNS).where(or_(*subjects)).order_by(AuditEvent.seq))
    return [_entry(row) for row in rows]


def item_history(reading: Reading, review_item_id: int) -> list[HistoryEntry]:
    """The history of the file behind a review item, over every scan of its project."""
    row = reading.session.execute(
        select(ReviewItem.path, ReviewItem.project_id).where(ReviewItem.id == review_item_id)
    ).first()
    return [] if row is None else _file_history(reading.session, row.path, row.project_id)


def audit_log(
    reading: Reading, *, limit: int = 50, project: str | None = None, path: str | None = None
) -> list[HistoryEntry]:
    """The newest ``limit`` events (of one project or one file), oldest first."""
    project_id = None
    if project is not None:
        project_id = find_project_id(reading, project)
        if project_id is None:
            return []
    if path is not None:
        return _file_history(reading.session, path, project_id)[-limit:]
    query = select(*_EVENT_COLUMNS).order_by(AuditEvent.seq.desc()).limit(limit)
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    return [_entry(row) for row in reversed(reading.session.execute(query).all())]
