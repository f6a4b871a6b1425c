"""Projects and scans as the picker and the CLI list them, with review counts; and the scan (and
files) a command names, found for whoever may read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import STATE_DECIDED, Project, Question, ReviewItem, Scan
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.decisions import resolve_review_item


@dataclass(frozen=True)
class ScanSummary:
    id: int
    project: str
    source: str
    label: str | None
    tool_version: str | None
    output_format_version: str | None
    created_at: str
    files: int
    with_findings: int
    decided: int  # decided files with findings (the default scope)
    decided_all: int  # decided files of every scope
    open_questions: int
    reused: int


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    scans: int
    latest_scan: ScanSummary | None


@dataclass(frozen=True)
class ScanFiles:
    """The scan a command works on and the review items of the paths it named, in their order."""

    scan_id: int
    review_item_ids: tuple[int, ...]


def _review_counts() -> Subquery:
    """Per scan: files, files with findings, decided files with findings, decided files."""
    decided = ReviewItem.state == STATE_DECIDED
    return (
        select(
            ReviewItem.scan_id.label("scan_id"),
            func.count().label("files"),
            func.sum(case((ReviewItem.needs_review, 1), else_=0)).label("with_findings"),
            func.sum(case((and_(decided, ReviewItem.needs_review), 1), else_=0)).label("decided"),
            func.sum(case((decided, 1), else_=0)).label("decided_all"),
        )
        .group_by(ReviewItem.scan_id)
        .subquery()
    )


def scan_summaries(reading: Reading, project: str | None = None) -> list[ScanSummary]:
    """Every complete scan (of ``project``) with its review counts, by project then age.

    "Decided" counts files in the decided state, as the dashboard does, per scope: files with
    findings and all files.
    """
    review = _review_counts()
    questions = (
        select(ReviewItem.scan_id.label("scan_id"), func.count().label("open_questions"))
        .join(Question, Question.review_item_id == ReviewItem.id)
        .where(Question.state.in_(("open", "answered")))
        .group_by(ReviewItem.scan_id)
        .subquery()
    )
    query = (
        select(
            Scan,
            Project.name,
            func.coalesce(review.c.files, 0),
            func.coalesce(review.c.with_findings, 0),
            func.coalesce(review.c.decided, 0),
            func.coalesce(review.c.decided_all, 0),
            func.coalesce(questions.c.open_questions, 0),
        )
        .join(Project, Project.id == Scan.project_id)
        .outerjoin(review, review.c.scan_id == Scan.id)
        .outerjoin(questions, questions.c.scan_id == Scan.id)
        .where(Scan.state == "complete")
        .order_by(Project.name, Scan.id)
    )
    if project is not None:
        query = query.where(Project.name == project)
    return [
        ScanSummary(
            id=scan.id,
            project=name,
            source=scan.source,
            label=scan.label,
            tool_version=scan.tool_version,
            output_format_version=scan.output_format_version,
            created_at=scan.created_at,
            files=int(files),
            with_findings=int(findings),
            decided=int(decided),
            decided_all=int(decided_all),
            open_questions=int(open_q),
            reused=scan.reused_count,
        )
        for scan, name, files, findings, decided, decided_all, open_q in reading.session.execute(
            query
        )
    ]


def project_summaries(reading: Reading) -> list[ProjectSummary]:
    """Every project with its number of scans and the counts of its latest one."""
    latest: dict[str, ScanSummary] = {}
    counts: dict[str, int] = {}
    for summary in scan_summaries(reading):
        latest[summary.project] = summary
        counts[summary.project] = counts.get(summary.project, 0) + 1
    return [
        ProjectSummary(
            id=p.id, name=p.name, scans=counts.get(p.name, 0), latest_scan=latest.get(p.name)
        )
        for p in reading.session.scalars(select(Project).order_by(Project.name))
    ]


def find_project_id(reading: Reading, name: str) -> int | None:
    """The project's id, None when there is no such project (yet)."""
    return reading.session.scalar(select(Project.id).where(Project.name == name))


def resolve_project_id(reading: Reading, name: str) -> int:
    """The project's id; NotFoundError when there is no such project."""
    found = find_project_id(reading, name)
    if found is None:
        raise NotFoundError(f"no project named {name!r}")
    return found


def scan_files(
    reading: Reading,
    paths: Sequence[str] = (),
    *,
    project: str | None = None,
    scan_id: int | None = None,
) -> ScanFiles:
    """The scan a command names (see ``resolve_scan``) and the review items of ``paths`` in it."""
    scan = resolve_scan(reading.session, project, scan_id)
    items = tuple(resolve_review_item(reading.session, scan, path) for path in paths)
    return ScanFiles(scan.id, items)


def resolve_scan(session: Session, project: str | None = None, scan_id: int | None = None) -> Scan:
    """The scan a command works on: the given id, else the latest complete scan of the project.

    With no project named, a database holding a single project needs none.
    """
    if scan_id is not None:
        scan = session.get(Scan, scan_id)
        if scan is None or scan.state != "complete":
            raise NotFoundError(f"no scan {scan_id}")
        if project is not None:
            owner = session.get(Project, scan.project_id)
            if owner is None or owner.name != project:
                raise NotFoundError(f"scan {scan_id} does not belong to project {project!r}")
        return scan
    if project is None:
        names = session.scalars(select(Project.name).order_by(Project.name).limit(2)).all()
        if not names:
            raise NotFoundError("the database holds no project yet: import or scan one first")
        if len(names) > 1:
            raise InputError("several projects exist: name one with --project")
        project = names[0]
    found = session.scalar(select(Project).where(Project.name == project))
    if found is None:
        raise NotFoundError(f"no project named {project!r}")
    scan = session.scalar(
        select(Scan)
        .where(Scan.project_id == found.id, Scan.state == "complete")
        .order_by(Scan.id.desc())
        .limit(1)
    )
    if scan is None:
        raise NotFoundError(f"project {project!r} has no complete scan")
    return scan
