"""The review record: queue items, decisions, questions, members, policies and the audit chain.

Decisions, question messages and audit events are append-only (database triggers enforce it).
Review items and questions carry the current state, kept in step with the events in the same
transaction; review items have a version counter for optimistic locking.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .indexed_text import fits_index

# Review states, in the reviewer's words.
STATE_OPEN = "open"
STATE_DECIDED = "decided"
STATE_TO_DISCUSS = "to_discuss"
STATE_QUESTION = "question"
STATE_STALE = "stale"
REVIEW_STATES = (STATE_OPEN, STATE_DECIDED, STATE_TO_DISCUSS, STATE_QUESTION, STATE_STALE)


# SQLite only, made by migration 0007 and not mapped here: the dashboard's GROUP BY (scan,
# scope, state, alert, policy version, expressions) reads this index alone, in its order. On
# PostgreSQL an index entry is capped at 2,704 bytes, which a file naming a hundred licenses
# passes in its two expressions (the import would fail); there the GROUP BY reads the table.
FIGURES_INDEX = "ix_review_items_figures"


class ReviewItem(Base):
    """One regular file of one scan, as it stands in the review queue."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_queue", "scan_id", "needs_review", "priority", "path"),
        Index("ix_review_items_state", "scan_id", "state", "priority", "path"),
        # The queue lists a scan's distinct expressions by walking these (see queue_text).
        # PostgreSQL indexes only the values that fit an index entry (see indexed_text).
        Index(
            "ix_review_items_spdx",
            "scan_id",
            "detected_spdx",
            postgresql_where=fits_index("detected_spdx"),
        ),
        Index(
            "ix_review_items_expression",
            "scan_id",
            "detected_expression",
            postgresql_where=fits_index("detected_expression"),
        ),
        Index(
            "ix_review_items_concluded",
            "scan_id",
            "concluded_expression",
            postgresql_where=fits_index("concluded_expression"),
        ),
        # The "all files" scope pages on (priority, path) without needs_review in the way.
        Index("ix_review_items_all", "scan_id", "priority", "path"),
        # The directory tree groups a scan's items by parent directory, scope, state and alert.
        Index(
            "ix_review_items_dir", "scan_id", "dir_path", "needs_review", "state", "policy_alert"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), unique=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    path: Mapped[str] = mapped_column(Text)  # copied from files so the queue pages on one index
    # The parent directory ("" at the top): the directory tree counts by it in SQL.
    # Byte order on PostgreSQL too, so a subtree's range of directories is an index seek
    # (migration 0010).
    dir_path: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"), default="", server_default=""
    )
    state: Mapped[str] = mapped_column(String(16), default=STATE_OPEN)
    needs_review: Mapped[bool] = mapped_column(
        Boolean, default=True
    )  # has findings, todo or errors
    priority: Mapped[int] = mapped_column(Integer, default=4)  # 1 = most urgent
    priority_reason: Mapped[str | None] = mapped_column(String(100))
    policy_alert: Mapped[str | None] = mapped_column(String(16))  # error/warning/missing/ok
    policy_version: Mapped[int | None] = mapped_column(Integer)
    detected_expression: Mapped[str | None] = mapped_column(Text)
    detected_spdx: Mapped[str | None] = mapped_column(Text)
    best_score: Mapped[float | None] = mapped_column(Float)
    has_todo: Mapped[bool] = mapped_column(Boolean, default=False)
    # No foreign key: decisions already reference review items, and a cycle would need ALTER
    # TABLE ADD CONSTRAINT, which SQLite lacks. The decision service keeps this in step.
    current_decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    concluded_expression: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[str | None] = mapped_column(String(32))


class Decision(Base):
    """A reviewer's conclusion on one file. Append-only: a new decision supersedes the old one."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_sha256", "project_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    concluded_expression: Mapped[str | None] = mapped_column(Text)  # None only for a revert
    decision_type: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(40))
    public_note: Mapped[str | None] = mapped_column(Text)
    private_comment: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # manual / bulk / reuse / undo
    bulk_id: Mapped[str | None] = mapped_column(String(36), index=True)
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    findings_hash: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(32))
    event_seq: Mapped[int | None] = mapped_column(Integer)


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    detection_id: Mapped[int | None] = mapped_column(ForeignKey("license_detections.id"))
    asked_by: Mapped[str] = mapped_column(String(200))
    assigned_to: Mapped[str | None] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open/answered/resolved
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)


class QuestionMessage(Base):
    """One message of a question thread. Append-only."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # ask / answer / comment / resolve / reopen
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # reviewer / engineer / auditor / admin
    added_by: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[str] = mapped_column(String(32))


class Policy(Base):
    """One loaded version of the license policy. The newest version is in force."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[str] = mapped_column(String(32))


class PolicyRule(Base):
    __tablename__ = "policy_rules"
    __table_args__ = (UniqueConstraint("policy_id", "license_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    license_key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(Text)
    compliance_alert: Mapped[str] = mapped_column(String(16))  # "" / warning / error


class AuditEvent(Base):
    """One link of the hash chain. hash = sha256(prev_hash + canonical JSON of the other fields)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(200))
    project_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, kept as text so hashes reproduce
    # Where the event came from (see services/trail/origin.py); NULL on events older than 0002.
    os_user: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(255))
    db_login: Mapped[str | None] = mapped_column(String(200))  # PostgreSQL's session_user
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
