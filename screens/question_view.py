"""One question: its whole thread beside the file's source and findings, so an engineer answers
(and a reviewer decides) with the evidence in view.

The source and findings come from the inspector's service and source widget; ``i`` opens the
full inspector on the file.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe, safe_line
from ospo_tui.screens.acting import reading_actor, reading_as_user
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.keys import decide_key
from ospo_tui.screens.messages import DecisionRequested, ReviewItemChanged, notify_safe
from ospo_tui.screens.question_actions import message_dialog, record
from ospo_tui.screens.queue_table import STATE_LABELS
from ospo_tui.screens.source_view import SourceView
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.decisions import may_decide
from ospo_tui.services.review.inspector import FileReview, load_file_review
from ospo_tui.services.review.question_threads import QuestionThread, QuestionView, question_thread
from ospo_tui.services.review.queue import QueueFilter, QueueRow, queue_row

QUESTION_STYLES = {"open": "bold magenta", "answered": "bold green", "resolved": "dim"}
KIND_STYLES = {"ask": "magenta", "answer": "green", "reopen": "yellow", "resolve": "dim"}


def thread_text(thread: QuestionThread) -> Text:
    """Every message, oldest first; bodies are shown literally (never markup)."""
    text = Text()
    for number, message in enumerate(thread.messages):
        if number:
            text.append("\n")
        text.append_text(safe_line(message.author, max_len=60, style="bold"))
        text.append(f" ({message.role}) ", style="dim")
        text.append(message.kind, style=KIND_STYLES.get(message.kind, ""))
        text.append(f"  {message.created_at}\n", style="dim")
        text.append_text(safe(message.body))
        text.append("\n")
    return text


class QuestionScreen(Screen[None]):
    DEFAULT_CSS = """
    QuestionScreen #question-head {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    QuestionScreen #question-thread {
        width: 2fr;
        border-right: solid $primary-background;
        padding: 0 1;
    }
    QuestionScreen #question-file {
        width: 3fr;
    }
    QuestionScreen #question-file-head {
        height: auto;
        padding: 0 1;
    }
    QuestionScreen #question-matches {
        height: 8;
    }
    """
    BINDINGS = [
        Binding("a", "answer", "Answer", id="question.answer", tooltip="Answer (engineers)"),
        Binding("c", "comment", "Comment", id="question.comment", tooltip="Add a comment"),
        decide_key("question"),
        Binding(
            "R",
            "resolve",
            "Resolve",
            id="question.resolve",
            tooltip="Mark the question resolved (reviewers)",
        ),
        Binding("o", "reopen", "Reopen", id="question.reopen", tooltip="Reopen it, with a reason"),
        Binding("i", "inspect", "Inspect", id="question.inspect", tooltip="Full file inspector"),
        Binding("r", "reload", "Reload", show=False, id="question.reload", tooltip="Read again"),
        Binding("escape", "back", "Back", id="question.back", tooltip="Back to the inbox"),
    ]

    class Loaded(Message):
        def __init__(self, thread: QuestionThread, review: FileReview) -> None:
            super().__init__()
            self.thread = thread
            self.review = review

    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id
        self.thread: QuestionThread | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="question-head")
        with Horizontal():
            with VerticalScroll(id="question-thread"):
                yield Static("", id="question-thread-text")
            with Vertical(id="question-file"):
                yield Static("", id="question-file-head")
                yield SourceView(id="question-source")
                matches: DataTable[Text] = DataTable(id="question-matches", cursor_type="row")
                matches.add_columns("Expression", "Lines", "Score", "Rule")
                yield matches
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"question {self.question_id}"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="question-view")
    def load(self) -> None:
        worker = get_current_worker()
        try:
            db, actor = workbench(self.app).db, reading_actor(self.app)
            thread = question_thread(db, actor, self.question_id)
            item_id = thread.question.review_item_id
            with reading(db, actor, f"review item {item_id}") as snapshot:
                review = load_file_review(snapshot, item_id)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(thread, review))

    def on_question_screen_loaded(self, message: Loaded) -> None:
        self.thread = message.thread
        view = message.thread.question
        head = Text()
        head.append(f"Question {view.id} ")
        head.append(view.state, style=QUESTION_STYLES.get(view.state, ""))
        head.append(" · ")
        head.append_text(safe_line(view.path, max_len=None, style="bold"))
        head.append("\nasked by ")
        head.append_text(safe_line(view.asked_by, max_len=60))
        head.append(" · assigned to ")
        head.append_text(safe_line(view.assigned_to or "nobody", max_len=60))
        if view.detection_id is not None:
            head.append(" · about the detection ")
            head.append_text(safe_line(view.detection_expression or "?", max_len=80))
        self.query_one("#question-head", Static).update(head)
        self.query_one("#question-thread-text", Static).update(thread_text(message.thread))
        self._show_file(message.review)
        self.loads += 1

    def _show_file(self, review: FileReview) -> None:
        item = review.item
        label, style = STATE_LABELS.get(item.state, (item.state, ""))
        head = Text()
        head.append(label, style=style)
        head.append(" · detected: ")
        head.append_text(safe_line(item.detected_spdx or item.detected_expression or "none"))
        head.append(" · decision: ")
        head.append_text(safe_line(item.concluded_expression or "none yet"))
        if review.source.text is None:
            head.append("\n")
            head.append_text(safe_line(f"Source not shown: {review.source.reason}", max_len=None))
        self.query_one("#question-file-head", Static).update(head)
        source = self.query_one(SourceView)
        source.show(review.source.text or "", review.matched_ranges)
        if review.matched_ranges:
            source.jump(0)
        table = self.query_one("#question-matches", DataTable)
        table.clear()
        for match in review.matches:
            table.add_row(
                safe_line(match.spdx or match.expression or "", max_len=50),
                Text(match.lines),
                Text("" if match.score is None else f"{match.score:.0f}"),
                safe_line(match.rule_identifier or "", max_len=40),
            )

    # -- actions -------------------------------------------------------------------------------

    def _after(self, view: QuestionView) -> None:
        if view.id == self.question_id:
            self.load()

    def action_answer(self) -> None:
        if self.thread is not None:
            message_dialog(self.app, "answer", self.thread.question, self._after)

    def action_comment(self) -> None:
        if self.thread is not None:
            message_dialog(self.app, "comment", self.thread.question, self._after)

    def action_reopen(self) -> None:
        if self.thread is not None:
            message_dialog(self.app, "reopen", self.thread.question, self._after)

    def action_resolve(self) -> None:
        record(self.app, "resolve", self.question_id, "", self._after)

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, group="question-decide")
    def action_decide(self) -> None:
        """Refused here (and audited) for roles that may not decide, before any form opens."""
        if self.thread is None:
            return
        view = self.thread.question
        try:
            may_decide(workbench(self.app).db, reading_actor(self.app), view.review_item_id)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        self.post_message(DecisionRequested(view.review_item_id))

    @work(thread=True, exit_on_error=False, group="question-inspect")
    def action_inspect(self) -> None:
        if self.thread is None:
            return
        view = self.thread.question
        with reading_as_user(self.app, f"review item {view.review_item_id}") as snapshot:
            row = queue_row(snapshot, view.review_item_id)
        if row is not None:
            self.app.call_from_thread(self._open_inspector, view.scan_id, row)

    def _open_inspector(self, scan_id: int, row: QueueRow) -> None:
        self.app.push_screen(InspectorScreen(QueueFilter(scan_id=scan_id, scope="all"), row))

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        question = self.thread.question if self.thread is not None else None
        if question is not None and question.review_item_id == message.review_item_id:
            self.load()
