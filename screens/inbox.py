"""The inbox: the questions waiting for the person at the keyboard, by role.

Engineers see the open questions assigned to them; reviewers see their questions that have been
answered; admins and auditors see every question not yet resolved. ``t`` switches to every
unresolved question of the team. Enter opens the thread beside the file's source and findings.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import reading_actor
from ospo_tui.screens.messages import ReviewItemChanged, notify_safe
from ospo_tui.screens.question_view import QUESTION_STYLES, QuestionScreen
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.review.question_threads import (
    QUESTION_ANSWERED,
    QUESTION_OPEN,
    QuestionFilter,
    QuestionView,
    inbox_filter,
    list_questions,
)
from ospo_tui.services.trail.chain import Actor

INBOX_TITLES = {
    "engineer": "open questions assigned to you",
    "reviewer": "answered questions you asked",
}


class InboxScreen(Screen[None]):
    DEFAULT_CSS = """
    InboxScreen #inbox-head {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    InboxScreen DataTable {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("enter", "open_question", "Open", id="inbox.open", tooltip="Show the thread"),
        Binding(
            "t", "toggle_all", "Team / mine", id="inbox.all", tooltip="Every unresolved question"
        ),
        Binding("r", "reload", "Reload", id="inbox.reload", tooltip="Read the inbox again"),
        Binding("escape", "back", "Back", id="inbox.back", tooltip="Back"),
    ]

    class Loaded(Message):
        def __init__(self, actor: Actor, views: list[QuestionView]) -> None:
            super().__init__()
            self.actor = actor
            self.views = views

    def __init__(self) -> None:
        super().__init__()
        self.show_all = False
        self.views: list[QuestionView] = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="inbox-head")
        table: DataTable[Text] = DataTable(id="inbox-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("#", "State", "Path", "Asked by", "To", "Updated", "Last message")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "inbox"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox")
    def load(self) -> None:
        try:
            actor = reading_actor(self.app)
            flt = (
                QuestionFilter(states=(QUESTION_OPEN, QUESTION_ANSWERED))
                if self.show_all
                else inbox_filter(actor)
            )
            views = list_questions(workbench(self.app).db, actor, flt)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        self.post_message(self.Loaded(actor, views))

    def on_inbox_screen_loaded(self, message: Loaded) -> None:
        actor, self.views = message.actor, message.views
        head = Text()
        head.append_text(safe_line(actor.name, max_len=60, style="bold"))
        head.append(f" ({actor.role}) · ")
        what = (
            "every unresolved question"
            if self.show_all
            else INBOX_TITLES.get(actor.role, "every unresolved question")
        )
        head.append(f"{what}: {len(self.views)}")
        self.query_one("#inbox-head", Static).update(head)
        table = self.query_one(DataTable)
        table.clear()
        for view in self.views:
            last = view.last_message
            table.add_row(
                Text(str(view.id), justify="right"),
                Text(view.state, style=QUESTION_STYLES.get(view.state, "")),
                safe_line(view.path, max_len=70),
                safe_line(view.asked_by, max_len=20),
                safe_line(view.assigned_to or "", max_len=20),
                Text(view.updated_at[:16].replace("T", " ")),
                safe_line(f"{last.author}: {last.body}" if last else "", max_len=80),
                key=str(view.id),
            )
        self.loads += 1

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_question()

    def action_open_question(self) -> None:
        table = self.query_one(DataTable)
        if not self.views or table.cursor_row < 0:
            return
        self.app.push_screen(QuestionScreen(self.views[table.cursor_row].id))

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        self.load()  # any item's change may move a question in or out of the inbox
