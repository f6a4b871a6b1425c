"""Typed SQLAlchemy 2 models of the review database (imported as ``ospo_tui.models``)."""

from .base import Base
from .curation import CopyrightFalsePositive, CustomLicense
from .packages import (
    Dependency,
    PackageData,
    PackageDecision,
    PackageFile,
    ScanPackage,
    ScanSummary,
)
from .review import (
    REVIEW_STATES,
    STATE_DECIDED,
    STATE_OPEN,
    STATE_QUESTION,
    STATE_STALE,
    STATE_TO_DISCUSS,
    AuditEvent,
    Decision,
    Member,
    Policy,
    PolicyRule,
    Question,
    QuestionMessage,
    ReviewItem,
)
from .scan import (
    CopyrightStatement,
    LicenseDetection,
    LicenseMatch,
    LicenseReference,
    Project,
    Scan,
    ScannedFile,
    ScanResultCache,
    TodoItem,
)

# Rows here are never updated or deleted: row triggers refuse it, and on PostgreSQL statement
# triggers refuse TRUNCATE and member logins hold only INSERT and SELECT on them.
APPEND_ONLY_TABLES = ("audit_events", "decisions", "question_messages", "package_decisions")

__all__ = [
    "REVIEW_STATES",
    "STATE_DECIDED",
    "STATE_OPEN",
    "STATE_QUESTION",
    "STATE_STALE",
    "STATE_TO_DISCUSS",
    "AuditEvent",
    "Base",
    "CopyrightFalsePositive",
    "CopyrightStatement",
    "CustomLicense",
    "Decision",
    "Dependency",
    "LicenseDetection",
    "LicenseMatch",
    "LicenseReference",
    "Member",
    "PackageData",
    "PackageDecision",
    "PackageFile",
    "Policy",
    "PolicyRule",
    "Project",
    "Question",
    "QuestionMessage",
    "ReviewItem",
    "Scan",
    "ScanPackage",
    "ScanResultCache",
    "ScanSummary",
    "ScannedFile",
    "TodoItem",
]
