"""Question threads as people read them: views, filters, inboxes and whole threads.

Everything here only reads. A view carries the file's review state and the latest message, so an
inbox row says where things stand without opening the thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import LicenseDetection, Project, Question, QuestionMessage, ReviewItem
from ospo_tui.services.access.roles import require
from ospo_tui.services.trail.chain import Actor

# A question's life: open (waiting for its engineer) -> answered -> resolved; reopen goes back.
QUESTION_OPEN = "open"
QUESTION_ANSWERED = "answered"
QUESTION_RESOLVED = "resolved"
QUESTION_STATES = (QUESTION_OPEN, QUESTION_ANSWERED, QUESTION_RESOLVED)


@dataclass(frozen=True)
class MessageView:
    id: int
    author: str
    role: str
    kind: str  # ask / answer / comment / resolve / reopen
    body: str
    created_at: str


@dataclass(frozen=True)
class QuestionView:
    id: int
    project: str
    project_id: int
    scan_id: int
    review_item_id: int
    file_id: int
    path: str
    item_state: str
    detection_id: int | None
    detection_expression: str | None
    asked_by: str
    assigned_to: str | None
    state: str
    created_at: str
    updated_at: str
    version: int
    last_message: MessageView | None = None


@dataclass(frozen=True)
class QuestionThread:
    question: QuestionView
    messages: list[MessageView] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionFilter:
    states: tuple[str, ...] = ()
    assigned_to: str | None = None
    asked_by: str | None = None
    involving: str | None = None  # asked by or assigned to this person
    project: str | None = None
    review_item_id: int | None = None
    limit: int = 500


def checked_states(states: Sequence[str]) -> tuple[str, ...]:
    for state in states:
        if state not in QUESTION_STATES:
            raise InputError(f"unknown question state {state!r}: use {', '.join(QUESTION_STATES)}")
    return tuple(states)


_VIEW_COLUMNS = (
    Question.id,
    Project.name,
    Question.project_id,
    ReviewItem.scan_id,
    Question.review_item_id,
    ReviewItem.file_id,
    ReviewItem.path,
    ReviewItem.state,
    Question.detection_id,
    LicenseDetection.license_expression_spdx,
    Question.asked_by,
    Question.assigned_to,
    Question.state,
    Question.created_at,
    Question.updated_at,
    Question.version,
)


def _views(
    session: Session, flt: QuestionFilter, question_id: int | None = None
) -> list[QuestionView]:
    query = (
        select(*_VIEW_COLUMNS)
        .join(ReviewItem, ReviewItem.id == Question.review_item_id)
        .join(Project, Project.id == Question.project_id)
        .outerjoin(LicenseDetection, LicenseDetection.id == Question.detection_id)
    )
    if question_id is not None:
        query = query.where(Question.id == question_id)
    if flt.states:
        query = query.where(Question.state.in_(checked_states(flt.states)))
    if flt.assigned_to is not None:
        query = query.where(Question.assigned_to == flt.assigned_to)
    if flt.asked_by is not None:
        query = query.where(Question.asked_by == flt.asked_by)
    if flt.involving is not None:
        query = query.where(
            or_(Question.assigned_to == flt.involving, Question.asked_by == flt.involving)
        )
    if flt.project is not None:
        query = query.where(Project.name == flt.project)
    if flt.review_item_id is not None:
        query = query.where(Question.review_item_id == flt.review_item_id)
    query = query.order_by(Question.updated_at.desc(), Question.id.desc()).limit(flt.limit)
    rows = session.execute(query).all()
    latest = _latest_messages(session, [row[0] for row in rows])
    names = [f.name for f in fields(QuestionView) if f.name != "last_message"]
    return [
        QuestionView(**dict(zip(names, row, strict=True)), last_message=latest.get(row[0]))
        for row in rows
    ]


def _message(row: QuestionMessage) -> MessageView:
    return MessageView(row.id, row.author, row.role, row.kind, row.body, row.created_at)


def _latest_messages(session: Session, question_ids: list[int]) -> dict[int, MessageView]:
    latest: dict[int, MessageView] = {}
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start : start + 500]
        newest = (
            select(func.max(QuestionMessage.id))
            .where(QuestionMessage.question_id.in_(chunk))
            .group_by(QuestionMessage.question_id)
        )
        for message in session.scalars(
            select(QuestionMessage).where(QuestionMessage.id.in_(newest))
        ):
            latest[message.question_id] = _message(message)
    return latest


def list_questions(db: Database, actor: Actor, flt: QuestionFilter) -> list[QuestionView]:
    require(db, actor, "read", "questions")
    with db.reader() as session:
        return _views(session, flt)


def inbox_filter(actor: Actor) -> QuestionFilter:
    """What waits for this person: engineers see questions assigned to them and still open;
    reviewers see their questions that have been answered; admins and auditors see every
    question not yet resolved."""
    if actor.role == "engineer":
        return QuestionFilter(states=(QUESTION_OPEN,), assigned_to=actor.name)
    if actor.role == "reviewer":
        return QuestionFilter(states=(QUESTION_ANSWERED,), asked_by=actor.name)
    return QuestionFilter(states=(QUESTION_OPEN, QUESTION_ANSWERED))


def inbox(db: Database, actor: Actor) -> list[QuestionView]:
    return list_questions(db, actor, inbox_filter(actor))


def _one_view(session: Session, question_id: int) -> QuestionView:
    found = _views(session, QuestionFilter(limit=1), question_id)
    if not found:
        raise NotFoundError(f"no question {question_id}")
    return found[0]


def get_question(db: Database, actor: Actor, question_id: int) -> QuestionView:
    require(db, actor, "read", f"question {question_id}")
    with db.reader() as session:
        return _one_view(session, question_id)


def question_thread(db: Database, actor: Actor, question_id: int) -> QuestionThread:
    require(db, actor, "read", f"question {question_id}")
    with db.reader() as session:
        view = _one_view(session, question_id)
        messages = [
            _message(m)
            for m in session.scalars(
                select(QuestionMessage)
                .where(QuestionMessage.question_id == question_id)
                .order_by(QuestionMessage.id)
            )
        ]
    return QuestionThread(view, messages)


def questions_on_item(db: Database, actor: Actor, review_item_id: int) -> list[QuestionView]:
    """Every question about one file, newest activity first (the file view shows them)."""
    return list_questions(db, actor, QuestionFilter(review_item_id=review_item_id))
