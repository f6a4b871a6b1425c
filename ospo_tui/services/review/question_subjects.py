"""What a question is about: a file of the scan, and optionally one detection in it.

CLI users name both the way they see them (a path or a unique ending of it; a detection's number
in the file or its license expression), never by database id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import LicenseDetection, LicenseMatch, ReviewItem
from ospo_tui.services.access.roles import require
from ospo_tui.services.review.catalog import resolve_scan
from ospo_tui.services.review.decisions import refusal_path
from ospo_tui.services.trail.chain import Actor


def find_review_item(
    db: Database, actor: Actor, path: str, project: str | None = None, scan_id: int | None = None
) -> int:
    """The review item of ``path`` in the project's latest scan; a unique path suffix will do."""
    require(db, actor, "read", path)
    wanted = path.strip().removeprefix("./").rstrip("/")
    if not wanted:
        raise InputError("no file named")
    with db.reader() as session:
        scan = resolve_scan(session, project, scan_id)
        found = session.scalar(
            select(ReviewItem.id).where(ReviewItem.scan_id == scan.id, ReviewItem.path == wanted)
        )
        if found is not None:
            return found
        suffix = "%/" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = session.execute(
            select(ReviewItem.id, ReviewItem.path)
            .where(ReviewItem.scan_id == scan.id, ReviewItem.path.like(suffix, escape="\\"))
            .order_by(ReviewItem.path)
            .limit(4)
        ).all()
    if len(rows) == 1:
        return int(rows[0][0])
    if rows:
        shown = ", ".join(r[1] for r in rows[:3])
        raise InputError(f"{wanted!r} matches several files ({shown}...): give the full path")
    raise NotFoundError(f"no file {wanted!r} in scan {scan.id}")


@dataclass(frozen=True)
class DetectionChoice:
    """One detection of a file, as a question can point at it."""

    id: int
    number: int  # 1-based, in ScanCode's order within the file
    expression: str  # SPDX form when ScanCode gave one
    scancode_expression: str | None
    lines: str  # "12-30", or "" when ScanCode gave none
    is_clue: bool

    @property
    def label(self) -> str:
        where = f", lines {self.lines}" if self.lines else ""
        return f"detection {self.number}: {self.expression}{where}" + (
            " (clue)" if self.is_clue else ""
        )


def detections_of(db: Database, actor: Actor, review_item_id: int) -> list[DetectionChoice]:
    require(db, actor, "read", f"file {refusal_path(db, review_item_id)}")
    with db.reader() as session:
        file_id = session.scalar(select(ReviewItem.file_id).where(ReviewItem.id == review_item_id))
        if file_id is None:
            raise NotFoundError(f"no review item {review_item_id}")
        rows = session.execute(
            select(
                LicenseDetection.id,
                LicenseDetection.license_expression_spdx,
                LicenseDetection.license_expression,
                LicenseDetection.is_clue,
                func.min(LicenseMatch.start_line),
                func.max(LicenseMatch.end_line),
            )
            .outerjoin(LicenseMatch, LicenseMatch.detection_id == LicenseDetection.id)
            .where(LicenseDetection.file_id == file_id)
            .group_by(LicenseDetection.id)
            .order_by(LicenseDetection.position, LicenseDetection.id)
        ).all()
    return [
        DetectionChoice(
            id=row[0],
            number=number,
            expression=row[1] or row[2] or "?",
            scancode_expression=row[2],
            lines="" if row[4] is None else f"{row[4]}-{row[5] if row[5] is not None else row[4]}",
            is_clue=bool(row[3]),
        )
        for number, row in enumerate(rows, start=1)
    ]


def find_detection(db: Database, actor: Actor, review_item_id: int, spec: str) -> int:
    """A detection of the file by its number in the file (1, 2...) or by its license expression
    (SPDX or ScanCode form, any case), so CLI users never need database ids."""
    choices = detections_of(db, actor, review_item_id)
    wanted = spec.strip()
    if wanted.isdigit():
        for choice in choices:
            if choice.number == int(wanted):
                return choice.id
    else:
        for choice in choices:
            if wanted.lower() in (
                choice.expression.lower(),
                (choice.scancode_expression or "").lower(),
            ):
                return choice.id
    known = "; ".join(c.label for c in choices[:8]) or "the file has no detection"
    raise InputError(f"no detection {wanted!r} in this file ({known})")
