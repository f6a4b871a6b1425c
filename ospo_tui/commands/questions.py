"""``ospo-tui questions|ask|answer|comment|resolve|reopen|thread``: the question threads, for
engineers who never open the TUI and for scripts.

A message given as ``-`` is read from standard input, so long answers can come from a file or
an editor. Untrusted text (paths, messages) has control characters replaced before printing.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ospo_tui.safe_text import clean
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.question_subjects import find_detection, find_review_item
from ospo_tui.services.review.question_threads import (
    QUESTION_STATES,
    QuestionFilter,
    inbox_filter,
    list_questions,
    question_thread,
)

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser("questions", help="list questions (newest activity first)")
    listing.add_argument(
        "--mine", action="store_true", help="only questions you asked or that are assigned to you"
    )
    listing.add_argument("--inbox", action="store_true", help="only what waits for you")
    listing.add_argument(
        "--state", action="append", choices=QUESTION_STATES, help="only this state (repeatable)"
    )
    listing.add_argument("--project", help="only this project")
    listing.add_argument("--limit", type=int, default=500, help="at most N rows (default 500)")
    listing.set_defaults(handler=run_list)

    ask = subparsers.add_parser("ask", help="ask an engineer about a file (reviewers)")
    ask.add_argument("file", help="path of the file in the scan (a unique path ending will do)")
    ask.add_argument("--to", required=True, metavar="NAME", help="the engineer to ask")
    ask.add_argument("text", help="the question ('-' reads standard input)")
    ask.add_argument("--project", help="project (needed when there are several)")
    ask.add_argument("--scan", type=int, help="scan id (default: the project's latest)")
    ask.add_argument(
        "--detection",
        metavar="N|EXPR",
        help="about one detection of the file: its number in the file (1, 2...) or its expression",
    )
    ask.set_defaults(handler=run_ask)

    for name, text_help, helptext in (
        ("answer", "the answer", "answer a question assigned to you (engineers)"),
        ("comment", "the comment", "add a comment to a question's thread"),
        ("reopen", "why it is reopened", "reopen an answered or resolved question (reviewers)"),
    ):
        command = subparsers.add_parser(name, help=helptext)
        command.add_argument("question_id", type=int, metavar="QID")
        command.add_argument("text", help=f"{text_help} ('-' reads standard input)")
        command.set_defaults(handler=run_message, kind=name)

    resolve = subparsers.add_parser("resolve", help="mark a question resolved (reviewers)")
    resolve.add_argument("question_id", type=int, metavar="QID")
    resolve.add_argument("text", nargs="?", default="", help="an optional closing note")
    resolve.set_defaults(handler=run_message, kind="resolve")

    thread = subparsers.add_parser("thread", help="show a question with every message")
    thread.add_argument("question_id", type=int, metavar="QID")
    thread.set_defaults(handler=run_thread)


def _text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _one(value: object, max_len: int | None = None) -> str:
    return clean("" if value is None else value, single_line=True, max_len=max_len)


def run_list(ctx: CliContext) -> int:
    args, actor = ctx.args, ctx.reading_actor()
    if args.inbox:
        flt = inbox_filter(actor)
    else:
        flt = QuestionFilter(
            states=tuple(args.state or ()), involving=actor.name if args.mine else None
        )
    flt = QuestionFilter(
        states=tuple(args.state or ()) or flt.states,
        assigned_to=flt.assigned_to,
        asked_by=flt.asked_by,
        involving=flt.involving,
        project=args.project,
        limit=max(1, args.limit),
    )
    views = list_questions(ctx.db, actor, flt)
    ctx.out("id\tstate\tproject\tpath\tasked_by\tassigned_to\tupdated_at\tlast_message")
    for view in views:
        last = view.last_message
        ctx.out(
            "\t".join(
                _one(v)
                for v in (
                    view.id,
                    view.state,
                    view.project,
                    view.path,
                    view.asked_by,
                    view.assigned_to,
                    view.updated_at,
                    last and f"{last.kind} by {last.author}: {_one(last.body, 80)}",
                )
            )
        )
    return 0


def run_ask(ctx: CliContext) -> int:
    args, actor = ctx.args, ctx.actor()
    item_id = find_review_item(ctx.db, actor, args.file, args.project, args.scan)
    detection = find_detection(ctx.db, actor, item_id, args.detection) if args.detection else None
    view = q.ask(ctx.db, actor, item_id, args.to, _text(args.text), detection_id=detection)
    ctx.out(f"question {view.id} asked to {_one(view.assigned_to)} about {_one(view.path)}")
    return 0


def run_message(ctx: CliContext) -> int:
    args, actor = ctx.args, ctx.actor()
    act = {"answer": q.answer, "comment": q.comment, "resolve": q.resolve, "reopen": q.reopen}
    text = _text(args.text) if args.text else ""
    view = act[args.kind](ctx.db, actor, args.question_id, text)
    ctx.out(f"question {view.id} ({_one(view.path)}): {args.kind} recorded, now {view.state}")
    return 0


def run_thread(ctx: CliContext) -> int:
    thread = question_thread(ctx.db, ctx.reading_actor(), ctx.args.question_id)
    view = thread.question
    ctx.out(f"question {view.id}\t{view.state}\t{_one(view.project)}\t{_one(view.path)}")
    about = (
        f"; about the detection {_one(view.detection_expression)}"
        if view.detection_id is not None
        else ""
    )
    ctx.out(
        f"asked by {_one(view.asked_by)}, assigned to {_one(view.assigned_to)}; "
        f"file is {view.item_state}{about}"
    )
    for message in thread.messages:
        ctx.out("")
        ctx.out(f"[{message.created_at}] {_one(message.author)} ({message.role}) {message.kind}:")
        for line in clean(message.body).splitlines() or [""]:
            ctx.out("    " + line)
    return 0
