"""The question keys of the queue, the inspector and the question view.

A reviewer asks an engineer about a file; an engineer answers the question on it assigned to
them; the thread takes comments, resolve and reopen. The services decide who may do what and
audit every refusal; these helpers only collect text, call them off the UI thread and report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from ospo_tui.errors import OspoError
from ospo_tui.screens.acting import acting_actor, reading_actor
from ospo_tui.screens.messages import announce_change, notify_safe
from ospo_tui.screens.question_dialog import MessageDraft, QuestionDialog
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.access.members import list_members
from ospo_tui.services.access.roles import allowed, check
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.question_subjects import detections_of
from ospo_tui.services.review.question_threads import QUESTION_OPEN, QuestionView, questions_on_item

Done = Callable[[QuestionView], None]

_TITLES = {
    "answer": "Answer question {id} from {asked_by}",
    "comment": "Comment on question {id}",
    "reopen": "Reopen question {id}: why?",
}


def _in_thread(app: App[Any], work: Callable[[], None]) -> None:
    def guarded() -> None:
        try:
            work()
        except OspoError as err:
            app.call_from_thread(notify_safe, app, str(err), severity="error")

    app.run_worker(guarded, thread=True, group="questions", exit_on_error=False)


def _changed(app: App[Any], view: QuestionView, note: str, done: Done | None) -> None:
    notify_safe(app, note)
    announce_change(app, view.review_item_id)
    if done is not None:
        done(view)


def ask_or_answer(app: App[Any], review_item_id: int, path: str) -> None:
    """The ``a`` key on a file: reviewers ask, engineers answer what waits for them."""

    def prepare() -> None:
        db = workbench(app).db
        actor = reading_actor(app)  # only reads here: asking and answering resolve it again
        if allowed(actor, "ask"):
            engineers = [m.name for m in list_members(db, actor, "engineer")]
            if not engineers:
                raise OspoError(
                    "no engineer is a member yet: an admin adds one with "
                    "ospo-tui members add NAME --role engineer"
                )
            detections = [(d.label, d.id) for d in detections_of(db, actor, review_item_id)]
            dialog = QuestionDialog("Ask an engineer about this file", path, engineers, detections)
            app.call_from_thread(
                app.push_screen, dialog, lambda draft: _send_ask(app, review_item_id, draft)
            )
            return
        if not allowed(actor, "answer"):
            check(db, actor, "ask", f"file {path}")  # refused, and the refusal is audited
            return
        waiting = [
            view
            for view in questions_on_item(db, actor, review_item_id)
            if view.state == QUESTION_OPEN and view.assigned_to == actor.name
        ]
        if not waiting:
            raise OspoError(f"no open question on {path} is assigned to {actor.name}")
        app.call_from_thread(message_dialog, app, "answer", waiting[-1])

    _in_thread(app, prepare)


def _send_ask(app: App[Any], review_item_id: int, draft: MessageDraft | None) -> None:
    if draft is None or draft.to is None:
        return
    to = draft.to

    def send() -> None:
        view = q.ask(
            workbench(app).db,
            acting_actor(app),
            review_item_id,
            to,
            draft.text,
            detection_id=draft.detection_id,
        )
        note = f"question {view.id} asked to {view.assigned_to}"
        app.call_from_thread(_changed, app, view, note, None)

    _in_thread(app, send)


def message_dialog(app: App[Any], kind: str, view: QuestionView, done: Done | None = None) -> None:
    """Write an answer, comment or reopening reason for ``view`` (call on the UI thread)."""
    title = _TITLES[kind].format(id=view.id, asked_by=view.asked_by)
    subject = view.path
    if view.last_message is not None:
        subject += f"\n\n{view.last_message.author} ({view.last_message.kind}):\n"
        subject += view.last_message.body
    app.push_screen(
        QuestionDialog(title, subject),
        lambda draft: record(app, kind, view.id, draft.text, done) if draft else None,
    )


def record(
    app: App[Any], kind: str, question_id: int, text: str = "", done: Done | None = None
) -> None:
    """Record one message of ``kind`` (answer, comment, resolve, reopen) in a worker."""
    act = {"answer": q.answer, "comment": q.comment, "resolve": q.resolve, "reopen": q.reopen}

    def send() -> None:
        view = act[kind](workbench(app).db, acting_actor(app), question_id, text)
        note = f"question {view.id}: {kind} recorded, now {view.state}"
        app.call_from_thread(_changed, app, view, note, done)

    _in_thread(app, send)
