"""Reviewer ↔ engineer questions on a file or one of its detections, with the whole thread kept.

A question is asked by a reviewer and assigned to one engineer; its state goes
open → answered → resolved, and a reviewer may reopen it. Every message is an append-only
``QuestionMessage`` row plus an audit event, written in the same transaction as the state change.

The file's review state follows its questions: asking (or reopening) puts the file in the
"question" state, so the queue's "question asked" filter shows it; once no question on the file
is open any more (answered or resolved), the file goes back to "open", into the reviewer's queue,
and the answered question waits in the reviewer's inbox. A file decided while its question was
still open stays decided. Those rules, and the version-checked write that moves the file, are
``item_state``'s, the same as for decisions. Reading threads is ``question_threads``; finding
the file and detection a question is about, ``question_subjects``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import LicenseDetection, Member, Question, QuestionMessage, ReviewItem
from ospo_tui.services.access.roles import deny, require
from ospo_tui.services.review.decisions import refusal_path
from ospo_tui.services.review.item_state import (
    ItemChange,
    ItemSnapshot,
    StaleVersions,
    check_version,
    load_snapshots,
    state_after_question,
    write_item_changes,
)
from ospo_tui.services.review.question_threads import (
    QUESTION_ANSWERED,
    QUESTION_OPEN,
    QUESTION_RESOLVED,
    QuestionView,
    get_question,
)
from ospo_tui.services.trail.chain import Actor, append_event

MAX_MESSAGE_CHARS = 20_000


def checked_text(text: str, what: str = "message") -> str:
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise InputError(f"the {what} is empty")
    if len(body) > MAX_MESSAGE_CHARS:
        raise InputError(f"the {what} is {len(body)} characters long; the limit is 20,000")
    if "\x00" in body:
        raise InputError(f"the {what} contains a NUL character")
    return body


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


# --- state changes ---------------------------------------------------------------------------


def _locked_question(session: Session, question_id: int) -> Question:
    question = session.scalar(select(Question).where(Question.id == question_id).with_for_update())
    if question is None:
        raise NotFoundError(f"no question {question_id}")
    return question


def _locked_item(session: Session, review_item_id: int) -> ItemSnapshot:
    found = load_snapshots(session, ReviewItem.id == review_item_id, for_update=True)
    if not found:
        raise NotFoundError(f"no review item {review_item_id}")
    return found[0]


def _move_item(session: Session, item: ItemSnapshot, *, asking: bool, now: str) -> dict[str, str]:
    """The file follows its questions (see ``state_after_question``), version-checked as a
    decision is; the event records the old and the new state."""
    state = state_after_question(session, item, asking=asking)
    if state != item.state:
        try:
            write_item_changes(session, [ItemChange.state_only(item, state)], now)
        except StaleVersions:
            raise ConflictError(
                f"{item.path} changed while the question was being saved; nothing was saved - "
                "reload and try again"
            ) from None
    return {"old": item.state, "new": state}


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
    item: ItemSnapshot,
    message: QuestionMessage,
    question_state: dict[str, str],
    item_state: dict[str, str],
) -> None:
    """The event holds every value of the message and the question's new state, at the time
    the rows were written, so replay (``audit verify``) rebuilds both."""
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
            "version": question.version,
        },
        project_id=question.project_id,
        at=message.created_at,
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
    require(db, actor, "ask", f"about file {refusal_path(db, review_item_id)}")
    body = checked_text(text, "question")
    now = utc_now()
    with db.session() as session:
        item = _locked_item(session, review_item_id)
        check_version(
            expected_version,
            item.version,
            lambda seen: ConflictError(
                f"{item.path} changed since you opened it (version {seen} → {item.version}); "
                "reload and ask again"
            ),
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
        item_state = _move_item(session, item, asking=True, now=now)
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
        check_version(
            expected_version,
            question.version,
            lambda _: ConflictError(
                f"question {question_id} changed since you read it; reload the thread"
            ),
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
        item_state = _move_item(session, item, asking=to_state == QUESTION_OPEN, now=now)
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
