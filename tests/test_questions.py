"""Questions between reviewers and engineers: states, the file's review state, threads, audit."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from ospo_tui.models import AuditEvent, QuestionMessage, ReviewItem
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.question_subjects import (
    detections_of,
    find_detection,
    find_review_item,
)
from ospo_tui.services.review.question_threads import (
    QuestionFilter,
    get_question,
    inbox,
    list_questions,
    question_thread,
)
from ospo_tui.services.review.queue import QueueFilter, queue_page
from ospo_tui.services.trail.chain import verify_chain
from tests.conftest import admin_reading
from tests.team_support import (
    ADMIN,
    AUDITOR,
    ENGINEER,
    OTHER_ENGINEER,
    REVIEWER,
    Team,
    acting_as,
    denied_events,
    make_team,
)

QUESTION = "Is this file shipped? Was it copied from elsewhere?"
ANSWER = "Vendored from upstream zlib 1.2.11 unchanged; it is shipped in the wheel."


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def item_state(db: Database, item_id: int) -> tuple[str, int]:
    with db.session() as s:
        item = s.get(ReviewItem, item_id)
        assert item is not None
        return item.state, item.version


def events(db: Database, prefix: str) -> list[dict]:  # type: ignore[type-arg]
    with db.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.action.like(prefix + "%")).order_by(AuditEvent.seq)
        ).all()
        return [{"action": r.action, "actor": r.actor, **json.loads(r.payload)} for r in rows]


def test_round_trip_moves_the_file_through_the_queue_and_audits_every_step(
    db: Database, team: Team
) -> None:
    state, version = item_state(db, team.item_id)
    assert state == "open"

    asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION, expected_version=version)
    assert (asked.state, asked.assigned_to, asked.asked_by, asked.path) == (
        "open",
        "ed",
        "rita",
        team.path,
    )
    assert item_state(db, team.item_id) == ("question", version + 1)
    with admin_reading(db) as snapshot:
        in_question = queue_page(snapshot, QueueFilter(scan_id=team.scan_id, states=("question",)))
    assert [row.path for row in in_question] == [team.path]
    assert [v.id for v in inbox(db, ENGINEER)] == [asked.id]
    assert inbox(db, OTHER_ENGINEER) == []
    assert inbox(db, REVIEWER) == []

    answered = q.answer(db, ENGINEER, asked.id, ANSWER)
    assert answered.state == "answered"
    assert answered.item_state == "open"  # back in the reviewer's queue
    assert item_state(db, team.item_id) == ("open", version + 2)
    assert inbox(db, ENGINEER) == []
    (waiting,) = inbox(db, REVIEWER)
    assert waiting.id == asked.id
    assert waiting.last_message is not None
    assert (waiting.last_message.kind, waiting.last_message.body) == ("answer", ANSWER)

    q.comment(db, REVIEWER, asked.id, "Thanks: which wheel?")
    q.comment(db, ENGINEER, asked.id, "The manylinux one.")
    assert get_question(db, REVIEWER, asked.id).state == "answered"

    assert q.resolve(db, REVIEWER, asked.id).state == "resolved"
    assert item_state(db, team.item_id)[0] == "open"
    reopened = q.reopen(db, REVIEWER, asked.id, "Upstream says it was patched; check again.")
    assert reopened.state == "open"
    assert item_state(db, team.item_id)[0] == "question"

    thread = question_thread(db, AUDITOR, asked.id)
    assert [(m.kind, m.author, m.role) for m in thread.messages] == [
        ("ask", "rita", "reviewer"),
        ("answer", "ed", "engineer"),
        ("comment", "rita", "reviewer"),
        ("comment", "ed", "engineer"),
        ("resolve", "rita", "reviewer"),
        ("reopen", "rita", "reviewer"),
    ]
    assert thread.messages[0].body == QUESTION

    audited = events(db, "question.")
    assert [(e["action"], e["actor"]) for e in audited] == [
        ("question.ask", "rita"),
        ("question.answer", "ed"),
        ("question.comment", "rita"),
        ("question.comment", "ed"),
        ("question.resolve", "rita"),
        ("question.reopen", "rita"),
    ]
    assert audited[0]["item_state"] == {"old": "open", "new": "question"}
    assert audited[0]["question_state"] == {"old": "", "new": "open"}
    assert audited[0]["text"] == QUESTION
    assert audited[1]["item_state"] == {"old": "question", "new": "open"}
    assert audited[1]["question_state"] == {"old": "open", "new": "answered"}
    assert audited[5]["item_state"] == {"old": "open", "new": "question"}
    assert [e["message_id"] for e in audited] == [m.id for m in thread.messages]
    with db.session() as s:
        assert verify_chain(s).ok


def test_messages_are_append_only(db: Database, team: Team) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION)
    with pytest.raises(Exception, match="(?i)append-only|not allowed|forbid"):
        with db.session() as s:
            s.execute(
                update(QuestionMessage)
                .where(QuestionMessage.question_id == asked.id)
                .values(body="rewritten")
            )
    assert question_thread(db, REVIEWER, asked.id).messages[0].body == QUESTION


def test_the_file_waits_until_every_question_on_it_is_answered(db: Database, team: Team) -> None:
    first = q.ask(db, REVIEWER, team.item_id, "ed", "Shipped?")
    second = q.ask(db, REVIEWER, team.item_id, "eve", "Copied?", detection_id=team.detection_ids[1])
    assert second.detection_id == team.detection_ids[1]
    assert second.detection_expression  # the detection's SPDX expression is shown with it
    q.answer(db, ENGINEER, first.id, "Yes.")
    assert item_state(db, team.item_id)[0] == "question"
    q.resolve(db, REVIEWER, second.id, "Found it myself in the git history.")
    assert item_state(db, team.item_id)[0] == "open"
    assert [v.id for v in list_questions(db, AUDITOR, QuestionFilter(states=("open",)))] == []


def test_a_file_decided_while_its_question_was_open_stays_decided(db: Database, team: Team) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION)
    with db.session() as s:  # what the decisions service does to the review item
        s.execute(update(ReviewItem).where(ReviewItem.id == team.item_id).values(state="decided"))
    q.answer(db, ENGINEER, asked.id, ANSWER)
    assert item_state(db, team.item_id)[0] == "decided"
    assert [v.id for v in inbox(db, REVIEWER)] == [asked.id]


def test_bad_questions_are_refused_and_change_nothing(db: Database, team: Team) -> None:
    before = item_state(db, team.item_id)
    with pytest.raises(InputError, match="no member named 'nobody'.*engineers: ed, eve"):
        q.ask(db, REVIEWER, team.item_id, "nobody", QUESTION)
    with pytest.raises(InputError, match="alice is an auditor, not an engineer"):
        q.ask(db, REVIEWER, team.item_id, "alice", QUESTION)
    with pytest.raises(InputError, match="empty"):
        q.ask(db, REVIEWER, team.item_id, "ed", "   \n ")
    with pytest.raises(InputError, match="20,000"):
        q.ask(db, REVIEWER, team.item_id, "ed", "x" * 20_001)
    with pytest.raises(InputError, match="is not a finding of zlib-1.2.11/deflate.c"):
        q.ask(db, REVIEWER, team.item_id, "ed", QUESTION, detection_id=team.other_detection_id)
    with pytest.raises(NotFoundError, match="no review item 999999"):
        q.ask(db, REVIEWER, 999_999, "ed", QUESTION)
    with pytest.raises(ConflictError, match="changed since you opened it"):
        q.ask(db, REVIEWER, team.item_id, "ed", QUESTION, expected_version=before[1] - 1)
    assert item_state(db, team.item_id) == before
    assert list_questions(db, AUDITOR, QuestionFilter()) == []
    assert events(db, "question.") == []


def test_only_the_assignee_or_an_admin_answers(db: Database, team: Team) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION)
    with pytest.raises(PermissionDenied, match="eve may not answer question .*assigned to ed"):
        q.answer(db, OTHER_ENGINEER, asked.id, "I think so")
    assert denied_events(db, "answer") == 1
    q.comment(db, OTHER_ENGINEER, asked.id, "ed wrote that part.")
    assert get_question(db, REVIEWER, asked.id).state == "open"
    assert q.answer(db, ADMIN, asked.id, "Answered by the admin.").state == "answered"


def test_state_rules(db: Database, team: Team) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION)
    with pytest.raises(ConflictError, match="is open; it cannot be reopened"):
        q.reopen(db, REVIEWER, asked.id, "why")
    q.answer(db, ENGINEER, asked.id, "first")
    assert q.answer(db, ENGINEER, asked.id, "and a correction").state == "answered"
    q.resolve(db, REVIEWER, asked.id)
    with pytest.raises(ConflictError, match="is resolved; it cannot be answered.*reopen"):
        q.answer(db, ENGINEER, asked.id, "late")
    with pytest.raises(ConflictError, match="is resolved; it cannot be resolved"):
        q.resolve(db, REVIEWER, asked.id)
    with pytest.raises(InputError, match="reason for reopening is empty"):
        q.reopen(db, REVIEWER, asked.id, "")
    with pytest.raises(NotFoundError, match="no question 424242"):
        q.answer(db, ENGINEER, 424242, "x")
    with pytest.raises(InputError, match="unknown question state"):
        list_questions(db, REVIEWER, QuestionFilter(states=("closed",)))


def test_listing_filters(db: Database, team: Team) -> None:
    a = q.ask(db, REVIEWER, team.item_id, "ed", "one")
    b = q.ask(db, ADMIN, team.other_item_id, "eve", "two")
    q.answer(db, OTHER_ENGINEER, b.id, "done")
    ids = lambda flt: {v.id for v in list_questions(db, AUDITOR, flt)}  # noqa: E731
    assert ids(QuestionFilter()) == {a.id, b.id}
    assert ids(QuestionFilter(involving="ed")) == {a.id}
    assert ids(QuestionFilter(involving="root")) == {b.id}
    assert ids(QuestionFilter(states=("answered",))) == {b.id}
    assert ids(QuestionFilter(project="zlib")) == {a.id, b.id}
    assert ids(QuestionFilter(project="other")) == set()
    assert ids(QuestionFilter(review_item_id=team.other_item_id)) == {b.id}
    assert {v.id for v in inbox(db, ADMIN)} == {a.id, b.id}


def test_find_review_item_by_full_path_or_unique_ending(db: Database, team: Team) -> None:
    assert find_review_item(db, ENGINEER, "zlib-1.2.11/deflate.c") == team.item_id
    assert find_review_item(db, ENGINEER, "./deflate.c", project="zlib") == team.item_id
    with pytest.raises(InputError, match="matches several files"):
        find_review_item(db, ENGINEER, "README")
    with pytest.raises(NotFoundError, match="no file 'nope.c'"):
        find_review_item(db, ENGINEER, "nope.c")
    with pytest.raises(NotFoundError, match="no file '50%_x.c'"):
        find_review_item(db, ENGINEER, "50%_x.c")


def run_cli(
    db: Database, user: str, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main([*acting_as(db.url, user), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_for_engineers_who_never_open_the_tui(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite_db
    team = make_team(db)
    hostile = "copied from \x1b]8;;http://evil\x07here\x1b[2J [bold]x[/bold]"
    code, out, _ = run_cli(db, "rita", "ask", "deflate.c", "--to", "ed", hostile, capsys=capsys)
    assert code == 0
    assert out.startswith("question 1 asked to ed about zlib-1.2.11/deflate.c")
    assert item_state(db, team.item_id)[0] == "question"

    code, out, _ = run_cli(db, "ed", "questions", "--mine", "--state", "open", capsys=capsys)
    lines = out.splitlines()
    assert lines[0].split("\t")[:4] == ["id", "state", "project", "path"]
    assert lines[1].split("\t")[:6] == ["1", "open", "zlib", team.path, "rita", "ed"]
    assert "\x1b" not in out and "\x07" not in out

    monkeypatch.setattr("sys.stdin", io.StringIO("Yes, shipped.\nCopied from upstream.\n"))
    code, out, _ = run_cli(db, "ed", "answer", "1", "-", capsys=capsys)
    assert (code, out.strip()) == (0, f"question 1 ({team.path}): answer recorded, now answered")

    code, out, _ = run_cli(db, "rita", "thread", "1", capsys=capsys)
    assert code == 0
    assert "ed (engineer) answer:\n    Yes, shipped.\n    Copied from upstream." in out
    assert "\x1b" not in out and "[bold]x[/bold]" in out  # shown literally, never interpreted

    code, out, _ = run_cli(db, "rita", "questions", "--inbox", capsys=capsys)
    assert [line.split("\t")[0] for line in out.splitlines()[1:]] == ["1"]

    code, _, err = run_cli(db, "alice", "answer", "1", "me too", capsys=capsys)
    assert code == 3
    assert err.strip() == (
        "ospo-tui: error: alice (auditor) may not answer question 1; it needs the role admin or"
        " engineer"
    )
    code, _, err = run_cli(db, "mallory", "questions", capsys=capsys)
    assert code == 3 and "ospo-tui members add mallory --role" in err
    code, _, err = run_cli(db, "rita", "ask", "deflate.c", "--to", "alice", "x", capsys=capsys)
    assert code == 2 and "alice is an auditor, not an engineer" in err
    code, out, _ = run_cli(db, "rita", "resolve", "1", capsys=capsys)
    assert (code, out.strip().endswith("now resolved")) == (0, True)
    code, _, err = run_cli(db, "ed", "comment", "1", "", capsys=capsys)
    assert code == 2 and "the comment is empty" in err


def test_a_question_can_point_at_one_detection_by_number_or_expression(
    db: Database, team: Team
) -> None:
    choices = detections_of(db, ENGINEER, team.item_id)
    assert [c.id for c in choices] == list(team.detection_ids)
    assert [c.label for c in choices] == [
        "detection 1: Zlib, lines 3-23",
        "detection 2: LicenseRef-scancode-warranty-disclaimer, lines 91-91",
    ]
    assert find_detection(db, REVIEWER, team.item_id, "2") == team.detection_ids[1]
    assert find_detection(db, REVIEWER, team.item_id, "zlib") == team.detection_ids[0]
    assert find_detection(db, REVIEWER, team.item_id, "ZLIB") == team.detection_ids[0]
    with pytest.raises(InputError, match="no detection '3' in this file \\(detection 1: Zlib"):
        find_detection(db, REVIEWER, team.item_id, "3")
    asked = q.ask(
        db, REVIEWER, team.item_id, "ed", "Is the disclaimer ours?", detection_id=choices[1].id
    )
    assert asked.detection_expression == "LicenseRef-scancode-warranty-disclaimer"


def test_cli_ask_about_a_detection(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    make_team(sqlite_db)
    code, out, _ = run_cli(
        sqlite_db,
        "rita",
        "ask",
        "deflate.c",
        "--to",
        "ed",
        "--detection",
        "2",
        "Ours?",
        capsys=capsys,
    )
    assert code == 0
    code, out, _ = run_cli(sqlite_db, "ed", "thread", "1", capsys=capsys)
    assert "about the detection LicenseRef-scancode-warranty-disclaimer" in out
    code, _, err = run_cli(
        sqlite_db,
        "rita",
        "ask",
        "deflate.c",
        "--to",
        "ed",
        "--detection",
        "mit",
        "x",
        capsys=capsys,
    )
    assert code == 2 and "no detection 'mit' in this file" in err


def _race_answer_and_resolve(db: Database, question_id: int) -> dict[str, str]:
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, work: Callable[[], object]) -> None:
        barrier.wait()
        try:
            work()
            outcomes[name] = "ok"
        except ConflictError:
            outcomes[name] = "conflict"

    threads = [
        threading.Thread(
            target=run, args=("answer", lambda: q.answer(db, ENGINEER, question_id, ANSWER))
        ),
        threading.Thread(
            target=run, args=("resolve", lambda: q.resolve(db, REVIEWER, question_id))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_answer_and_resolve_leave_one_consistent_story(db: Database, team: Team) -> None:
    """Row locks order the two writers: either the answer lands before the resolve, or the
    answer is refused because the question is already resolved; never both out of order."""
    for _ in range(5):
        asked = q.ask(db, REVIEWER, team.item_id, "ed", QUESTION)
        outcomes = _race_answer_and_resolve(db, asked.id)
        assert outcomes["resolve"] == "ok"
        kinds = [m.kind for m in question_thread(db, REVIEWER, asked.id).messages]
        if outcomes["answer"] == "ok":
            assert kinds == ["ask", "answer", "resolve"]
        else:
            assert kinds == ["ask", "resolve"]
        assert get_question(db, REVIEWER, asked.id).state == "resolved"
        assert item_state(db, team.item_id)[0] == "open"
    with db.session() as s:
        assert verify_chain(s).ok
