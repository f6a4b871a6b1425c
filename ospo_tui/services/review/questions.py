"""Reviewer ↔ engineer questions on a file or one of its detections, with the whole thread kept.

A question is asked by a reviewer and assigned to one engineer; its state goes
open → answered → resolved, and a reviewer may reopen it. Every message is an append-only
``QuestionMessage`` row plus an audit event, written in the same transaction as the state change.

The file's review state follows its questions: asking (or reopening) puts the file in the
"question" state, so the queue's "question asked" filter shows it; once no question on the file
is open any more (answered or resolved), the file goes back to "open", into the reviewer's queue,
and the answered question waits in the reviewer's inbox. A file decided while its question was
still open stays decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import (
    STATE_OPEN,
    STATE_QUESTION,
    LicenseDetection,
    LicenseMatch,
    Member,
    Project,
    Question,
    QuestionMessage,
    ReviewItem,
)
from ospo_tui.services.access.roles import deny, require
from ospo_tui.services.review.catalog import resolve_scan
from ospo_tui.services.trail.chain import Actor, append_event

QUESTION_OPEN = "open"
QUESTION_ANSWERED = "answered"
QUESTION_RESOLVED = "resolved"
QUESTION_STATES = (QUESTION_OPEN, QUESTION_ANSWERED, QUESTION_RESOLVED)
MAX_MESSAGE_CHARS = 20_000


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


# --- checks -------------------------------------------------------------------------------


def checked_text(text: str, what: str = "message") -> str:
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise InputError(f"the {what} is empty")
    if len(body) > MAX_MESSAGE_CHARS:
        raise InputError(f"the {what} is {len(body)} characters long; the limit is 20,000")
    if "\x00" in body:
        raise InputError(f"the {what} contains a NUL character")
    return body


def checked_states(states: Sequence[str]) -> tuple[str, ...]:
    for state in states:
        if state not in QUESTION_STATES:
            raise InputError(f"unknown question state {state!r}: use {', '.join(QUESTION_STATES)}")
    return tuple(states)


def _engineer(session: Session, name: str) -> str:
    member = session.scalar(select(Member).where(Member.name == name.strip()))
    engineers = session.scalars(
        select(Member.name).where(Member.role == "engineer").order_by(Member.name).limit(10)
    ).all()
    known = f" (engineers: {', '.join(engineers)})" if engineers else " (no engineer is a member)"
    if member is None:
        raise InputError(f"no member named {name.strip()!r}{known}")
    if member.role != "engineer":
        raise InputError(
            f"{member.name} is {_article(member.role)} {member.role}, not an engineer: questions go to engineers{known}"
        )
    return member.name


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


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
    require(db, actor, "read", f"review item {review_item_id}")
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


# --- state changes ---------------------------------------------------------------------------


def _locked_item(session: Session, review_item_id: int) -> ReviewItem:
    item = session.scalar(
        select(ReviewItem).where(ReviewItem.id == review_item_id).with_for_update()
    )
    if item is None:
        raise NotFoundError(f"no review item {review_item_id}")
    return item


def _locked_question(session: Session, question_id: int) -> Question:
    question = session.scalar(select(Question).where(Question.id == question_id).with_for_update())
    if question is None:
        raise NotFoundError(f"no question {question_id}")
    return question


def _set_item_state(item: ReviewItem, state: str, now: str) -> dict[str, str]:
    old = item.state
    if old != state:
        item.state = state
        item.version += 1
        item.updated_at = now
    return {"old": old, "new": state}


def _settle_item(session: Session, item: ReviewItem, now: str) -> dict[str, str]:
    """Back to "open" once no question on the file waits for an engineer."""
    if item.state != STATE_QUESTION:
        return {"old": item.state, "new": item.state}
    waiting = session.scalar(
        select(func.count())
        .select_from(Question)
        .where(Question.review_item_id == item.id, Question.state == QUESTION_OPEN)
    )
    return _set_item_state(item, STATE_QUESTION if waiting else STATE_OPEN, now)


def _add_message(
    session: Session, question: Question, actor: Actor, kind: str, body: str, now: str
) -> QuestionMessage:
    message = QuestionMessage(
        question_id=question.id,
        author=actor.name,
        role=actor.role,
        kind=kind,
        body=body,
        created_at=now,
    )
    session.add(message)
    question.updated_at = now
    question.version += 1
    session.flush()
    return message


def _audit(
    session: Session,
    actor: Actor,
    kind: str,
    question: Question,
    item: ReviewItem,
    message: QuestionMessage,
    question_state: dict[str, str],
    item_state: dict[str, str],
) -> None:
    append_event(
        session,
        actor,
        f"question.{kind}",
        "question",
        question.id,
        {
            "question_id": question.id,
            "review_item_id": item.id,
            "path": item.path,
            "detection_id": question.detection_id,
            "asked_by": question.asked_by,
            "assigned_to": question.assigned_to,
            "message_id": message.id,
            "text": message.body,
            "question_state": question_state,
            "item_state": item_state,
        },
        project_id=question.project_id,
    )


def ask(
    db: Database,
    actor: Actor,
    review_item_id: int,
    to: str,
    text: str,
    *,
    detection_id: int | None = None,
    expected_version: int | None = None,
) -> QuestionView:
    """A reviewer asks the engineer ``to`` about a file (or one detection in it)."""
    require(db, actor, "ask", f"review item {review_item_id}")
    body = checked_text(text, "question")
    now = utc_now()
    with db.session() as session:
        item = _locked_item(session, review_item_id)
        if expected_version is not None and item.version != expected_version:
            raise ConflictError(
                f"{item.path} changed since you opened it (version {expected_version} → "
                f"{item.version}); reload and ask again"
            )
        engineer = _engineer(session, to)
        if detection_id is not None:
            owner = session.scalar(
                select(LicenseDetection.file_id).where(LicenseDetection.id == detection_id)
            )
            if owner != item.file_id:
                raise InputError(f"detection {detection_id} is not a finding of {item.path}")
        question = Question(
            project_id=item.project_id,
            review_item_id=item.id,
            detection_id=detection_id,
            asked_by=actor.name,
            assigned_to=engineer,
            state=QUESTION_OPEN,
            created_at=now,
            updated_at=now,
            version=0,
        )
        session.add(question)
        session.flush()
        message = _add_message(session, question, actor, "ask", body, now)
        item_state = _set_item_state(item, STATE_QUESTION, now)
        _audit(
            session,
            actor,
            "ask",
            question,
            item,
            message,
            {"old": "", "new": QUESTION_OPEN},
            item_state,
        )
        question_id = question.id
    return get_question(db, actor, question_id)


def _assignee(db: Database, question_id: int) -> str | None:
    with db.reader() as session:
        row = session.execute(
            select(Question.id, Question.assigned_to).where(Question.id == question_id)
        ).first()
    if row is None:
        raise NotFoundError(f"no question {question_id}")
    return row[1]


def answer(
    db: Database,
    actor: Actor,
    question_id: int,
    text: str,
    *,
    expected_version: int | None = None,
) -> QuestionView:
    """The assigned engineer (or an admin) answers; the file goes back to the reviewer."""
    subject = f"question {question_id}"
    require(db, actor, "answer", subject)
    body = checked_text(text, "answer")
    assignee = _assignee(db, question_id)
    if actor.role != "admin" and actor.name != assignee:
        raise deny(
            db,
            actor,
            "answer",
            subject,
            f"{actor.name} may not answer {subject}: it is assigned to {assignee}; "
            f"add a comment instead (ospo-tui comment {question_id} TEXT)",
        )
    return _change(
        db,
        actor,
        question_id,
        "answer",
        body,
        from_states=(QUESTION_OPEN, QUESTION_ANSWERED),
        to_state=QUESTION_ANSWERED,
        expected_version=expected_version,
    )


def comment(db: Database, actor: Actor, question_id: int, text: str) -> QuestionView:
    """A remark in the thread, by a reviewer or an engineer; the states do not change."""
    require(db, actor, "comment", f"question {question_id}")
    return _change(db, actor, question_id, "comment", checked_text(text, "comment"))


def resolve(db: Database, actor: Actor, question_id: int, text: str = "") -> QuestionView:
    """A reviewer closes the question, usually before or after deciding the file."""
    require(db, actor, "resolve_question", f"question {question_id}")
    body = (text or "").strip() and checked_text(text, "note")
    return _change(
        db,
        actor,
        question_id,
        "resolve",
        body or "resolved",
        from_states=(QUESTION_OPEN, QUESTION_ANSWERED),
        to_state=QUESTION_RESOLVED,
    )


def reopen(db: Database, actor: Actor, question_id: int, text: str) -> QuestionView:
    """A reviewer sends the question back to its engineer; the file waits on it again."""
    require(db, actor, "reopen_question", f"question {question_id}")
    return _change(
        db,
        actor,
        question_id,
        "reopen",
        checked_text(text, "reason for reopening"),
        from_states=(QUESTION_ANSWERED, QUESTION_RESOLVED),
        to_state=QUESTION_OPEN,
    )


def _change(
    db: Database,
    actor: Actor,
    question_id: int,
    kind: str,
    body: str,
    *,
    from_states: tuple[str, ...] | None = None,
    to_state: str | None = None,
    expected_version: int | None = None,
) -> QuestionView:
    now = utc_now()
    with db.session() as session:
        question = _locked_question(session, question_id)
        if expected_version is not None and question.version != expected_version:
            raise ConflictError(
                f"question {question_id} changed since you read it; reload the thread"
            )
        if from_states is not None and question.state not in from_states:
            raise ConflictError(
                f"question {question_id} is {question.state}; it cannot be {_past(kind)}"
                + (" (a reviewer can reopen it)" if question.state == QUESTION_RESOLVED else "")
            )
        item = _locked_item(session, question.review_item_id)
        old_state = question.state
        if to_state is not None:
            question.state = to_state
        message = _add_message(session, question, actor, kind, body, now)
        if to_state == QUESTION_OPEN:
            item_state = _set_item_state(item, STATE_QUESTION, now)
        else:
            item_state = _settle_item(session, item, now)
        _audit(
            session,
            actor,
            kind,
            question,
            item,
            message,
            {"old": old_state, "new": question.state},
            item_state,
        )
    return get_question(db, actor, question_id)


def _past(kind: str) -> str:
    return {"answer": "answered", "resolve": "resolved", "reopen": "reopened"}.get(kind, kind)


# --- reading ------------------------------------------------------------------------------


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


def get_question(db: Database, actor: Actor, question_id: int) -> QuestionView:
    require(db, actor, "read", f"question {question_id}")
    with db.reader() as session:
        found = _views(session, QuestionFilter(limit=1), question_id)
    if not found:
        raise NotFoundError(f"no question {question_id}")
    return found[0]


def question_thread(db: Database, actor: Actor, question_id: int) -> QuestionThread:
    require(db, actor, "read", f"question {question_id}")
    with db.reader() as session:
        found = _views(session, QuestionFilter(limit=1), question_id)
        if not found:
            raise NotFoundError(f"no question {question_id}")
        messages = [
            _message(m)
            for m in session.scalars(
                select(QuestionMessage)
                .where(QuestionMessage.question_id == question_id)
                .order_by(QuestionMessage.id)
            )
        ]
    return QuestionThread(found[0], messages)


def questions_on_item(db: Database, actor: Actor, review_item_id: int) -> list[QuestionView]:
    """Every question about one file, newest activity first (the file view shows them)."""
    return list_questions(db, actor, QuestionFilter(review_item_id=review_item_id))
