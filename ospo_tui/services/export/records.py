"""What exports read: a scan's files with their findings and decisions, and its decisions.

A 100k-file export must stay within flat memory, so reads page through the scan by path (keyset
pagination on the ``files (scan_id, path)`` index) and yield small frozen records, never ORM
objects; the matches, copyrights and decisions of one page are fetched with one query each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ospo_tui.models import (
    CopyrightFalsePositive,
    CopyrightStatement,
    Decision,
    LicenseDetection,
    LicenseMatch,
    ReviewItem,
    ScannedFile,
)
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.review.decision_records import DECISION_COLUMNS, DecisionRecord

# Decision types that take a file out of the release: no attribution is owed for it.
NOT_SHIPPED_TYPES = frozenset({"irrelevant", "do_not_use", "non_functional"})
# A decision that asks for discussion concludes nothing yet.
UNCONCLUDED_TYPES = frozenset({"to_discuss"})
PAGE_SIZE = 2000


@dataclass(frozen=True, slots=True)
class MatchEvidence:
    """One ScanCode license match: why the scanner thinks a license is there."""

    license_expression: str | None
    license_expression_spdx: str | None
    rule: str | None
    score: float | None
    start_line: int | None
    end_line: int | None
    is_clue: bool

    def summary(self) -> str:
        score = "" if self.score is None else f" score {self.score:g}"
        lines = "" if self.start_line is None else f" lines {self.start_line}-{self.end_line}"
        return (
            f"{self.license_expression_spdx or self.license_expression} ({self.rule}{score}{lines})"
        )


@dataclass(frozen=True, slots=True)
class CopyrightFinding:
    kind: str  # copyright / holder / author
    value: str
    start_line: int | None
    end_line: int | None


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One regular file of the scan with its findings and where its review stands."""

    file_id: int
    path: str
    sha1: str | None
    sha256: str | None
    md5: str | None
    size: int | None
    detected_expression: str | None
    detected_spdx: str | None
    state: str | None
    concluded_expression: str | None
    decision_type: str | None
    public_note: str | None
    matches: tuple[MatchEvidence, ...]
    copyrights: tuple[CopyrightFinding, ...]
    decisions: tuple[DecisionRecord, ...]

    @property
    def is_decided(self) -> bool:
        """A current decision that concludes something (not a request for discussion)."""
        return self.decision_type is not None and self.decision_type not in UNCONCLUDED_TYPES

    @property
    def is_shipped(self) -> bool:
        return self.is_decided and self.decision_type not in NOT_SHIPPED_TYPES

    def copyright_values(self, kind: str = "copyright") -> list[str]:
        return list(dict.fromkeys(c.value for c in self.copyrights if c.kind == kind))


def count_files(session: Session, scan_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ScannedFile)
            .where(ScannedFile.scan_id == scan_id, ScannedFile.type == "file")
        )
        or 0
    )


_FILE_COLUMNS = (
    ScannedFile.id,
    ScannedFile.path,
    ScannedFile.sha1,
    ScannedFile.sha256,
    ScannedFile.md5,
    ScannedFile.size,
    ScannedFile.detected_license_expression,
    ScannedFile.detected_license_expression_spdx,
    ReviewItem.state,
    ReviewItem.concluded_expression,
    Decision.decision_type,
    Decision.public_note,
)


def iter_files(
    session: Session, scan_id: int, *, with_decisions: bool = False, page: int = PAGE_SIZE
) -> Iterator[FileRecord]:
    """Every regular file of the scan in path order, with matches, copyrights and decision.

    ``with_decisions`` adds each file's whole decision history, oldest first.
    """
    last_path: str | None = None
    while True:
        query = (
            select(*_FILE_COLUMNS)
            .outerjoin(ReviewItem, ReviewItem.file_id == ScannedFile.id)
            .outerjoin(Decision, Decision.id == ReviewItem.current_decision_id)
            .where(ScannedFile.scan_id == scan_id, ScannedFile.type == "file")
            .order_by(ScannedFile.path)
            .limit(page)
        )
        if last_path is not None:
            query = query.where(ScannedFile.path > last_path)
        rows = session.execute(query).all()
        if not rows:
            return
        ids = [row[0] for row in rows]
        matches = matches_by_file(session, ids)
        copyrights = copyrights_by_file(session, ids)
        history = decisions_by_file(session, ids) if with_decisions else {}
        for row in rows:
            file_id = row[0]
            yield FileRecord(
                file_id=file_id,
                path=row[1],
                sha1=row[2],
                sha256=row[3],
                md5=row[4],
                size=row[5],
                detected_expression=row[6],
                detected_spdx=row[7],
                state=row[8],
                concluded_expression=row[9],
                decision_type=row[10],
                public_note=row[11],
                matches=tuple(matches.get(file_id, ())),
                copyrights=tuple(copyrights.get(file_id, ())),
                decisions=tuple(history.get(file_id, ())),
            )
        last_path = rows[-1][1]


def matches_by_file(session: Session, ids: Sequence[int]) -> dict[int, list[MatchEvidence]]:
    found: dict[int, list[MatchEvidence]] = {}
    query = (
        select(
            LicenseMatch.file_id,
            LicenseMatch.license_expression,
            LicenseMatch.license_expression_spdx,
            LicenseMatch.rule_identifier,
            LicenseMatch.score,
            LicenseMatch.start_line,
            LicenseMatch.end_line,
            LicenseDetection.is_clue,
        )
        .join(LicenseDetection, LicenseDetection.id == LicenseMatch.detection_id)
        .where(LicenseMatch.file_id.in_(ids))
        .order_by(
            LicenseMatch.file_id,
            LicenseDetection.is_clue,
            LicenseDetection.position,
            LicenseMatch.position,
        )
    )
    for file_id, expression, spdx, rule, score, start, end, is_clue in session.execute(query):
        found.setdefault(file_id, []).append(
            MatchEvidence(expression, spdx, rule, score, start, end, is_clue)
        )
    return found


def copyrights_by_file(session: Session, ids: Sequence[int]) -> dict[int, list[CopyrightFinding]]:
    found: dict[int, list[CopyrightFinding]] = {}
    query = (
        select(
            CopyrightStatement.file_id,
            CopyrightStatement.kind,
            CopyrightStatement.value,
            CopyrightStatement.start_line,
            CopyrightStatement.end_line,
        )
        .where(
            CopyrightStatement.file_id.in_(ids),
            # A detection a reviewer marked as not a copyright is left out of every export.
            CopyrightStatement.id.not_in(select(CopyrightFalsePositive.copyright_id)),
        )
        .order_by(CopyrightStatement.file_id, CopyrightStatement.id)
    )
    for file_id, kind, value, start, end in session.execute(query):
        found.setdefault(file_id, []).append(CopyrightFinding(kind, value, start, end))
    return found


def decisions_by_file(session: Session, ids: Sequence[int]) -> dict[int, list[DecisionRecord]]:
    found: dict[int, list[DecisionRecord]] = {}
    # Through review items: decisions are indexed by review item, not by file.
    items = select(ReviewItem.id).where(ReviewItem.file_id.in_(ids))
    query = (
        select(*DECISION_COLUMNS)
        .where(Decision.review_item_id.in_(items.scalar_subquery()))
        .order_by(Decision.id)
    )
    for row in session.execute(query):
        found.setdefault(row.file_id, []).append(DecisionRecord.from_row(row))
    return found


def iter_decisions(
    session: Session, scope: ExportScope, *, page: int = PAGE_SIZE
) -> Iterator[list[DecisionRecord]]:
    """The decisions on files of the scope's scan, oldest first, one page at a time."""
    last_id = 0
    while True:
        rows = session.execute(
            select(*DECISION_COLUMNS)
            .join(ScannedFile, ScannedFile.id == Decision.file_id)
            # The scan implies the project; filtering on project_id too would lead SQLite to
            # walk the project's decisions index and sort on every page (quadratic).
            .where(ScannedFile.scan_id == scope.scan_id, Decision.id > last_id)
            .order_by(Decision.id)
            .limit(page)
        ).all()
        if not rows:
            return
        yield [DecisionRecord.from_row(row) for row in rows]
        last_id = rows[-1].id


def count_decisions(session: Session, scope: ExportScope) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Decision)
            .join(ScannedFile, ScannedFile.id == Decision.file_id)
            .where(Decision.project_id == scope.project_id, ScannedFile.scan_id == scope.scan_id)
        )
        or 0
    )
