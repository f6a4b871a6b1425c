"""The file inspector: source with matched lines, matches, copyrights, license text, history.

``]`` and ``[`` move to the next or previous file of the queue (same filter) without going
back, so a reviewer triages from here; escape returns to the queue on the file last shown.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from ospo_tui.errors import OspoError
from ospo_tui.screens.acting import acting_actor, reading_as_user
from ospo_tui.screens.decision_history import DecisionHistory
from ospo_tui.screens.inspector_find import FindInput, FoundAt, describe, find_in_file
from ospo_tui.screens.inspector_keys import INSPECTOR_KEYS
from ospo_tui.screens.inspector_panes import (
    copyright_rows,
    head_text,
    licenses_text,
    match_note,
    match_rows,
    matched_text,
    notes_text,
    source_note,
)
from ospo_tui.screens.messages import (
    DecisionRequested,
    ReviewItemChanged,
    announce_change,
    notify_safe,
)
from ospo_tui.screens.question_actions import ask_or_answer
from ospo_tui.screens.source_view import SourceView
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.review.false_positives import mark_false_positive, restore_copyright
from ospo_tui.services.review.inspector import FileReview, load_file_review
from ospo_tui.services.review.queue import QueueFilter, QueueRow, queue_neighbour

TAB_FOCUS = {
    "source": "#source-view",
    "matches": "#matches-table",
    "copyrights": "#copyrights-table",
    "license": "#license-box",
    "notes": "#notes-box",
    "history": "#history-box",
}


class InspectorScreen(Screen[QueueRow | None]):
    """Dismissed with the file last shown, so the queue under it can put its cursor there."""

    BINDINGS = INSPECTOR_KEYS

    class Loaded(Message):
        def __init__(self, review: FileReview, row: QueueRow) -> None:
            super().__init__()
            self.review = review
            self.row = row

    def __init__(self, flt: QueueFilter, row: QueueRow) -> None:
        super().__init__()
        self.flt = flt
        self.row = row
        self.review: FileReview | None = None
        self.history_item_id: int | None = None  # whose history the History tab shows
        self.panes_shown: set[str] = set()  # tabs filled for the file on screen
        self.loads = 0  # files shown so far (tests and the benchmark wait on it)
        self.find_text = ""  # what / looks for, kept from file to file
        self.found: list[FoundAt] = []
        self.found_at = -1
        self.copyrights_of: int | None = None  # whose copyrights the table shows

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="inspector-head")
        with TabbedContent(initial="source", id="inspector-tabs"):
            with TabPane("1 Source", id="source"):
                yield Static("", id="source-status")
                yield SourceView(id="source-view")
            with TabPane("2 Matches", id="matches"):
                table: DataTable[Text] = DataTable(
                    id="matches-table", cursor_type="row", zebra_stripes=True
                )
                table.add_columns("Expression", "Rule", "Matcher", "Score", "Coverage", "Lines")
                yield table
                with VerticalScroll(id="matched-text-box"):
                    yield Static("", id="matched-text")
            with TabPane("3 Copyrights", id="copyrights"):
                holders: DataTable[Text] = DataTable(
                    id="copyrights-table", cursor_type="row", zebra_stripes=True
                )
                holders.add_columns("Kind", "Statement", "Lines")
                yield holders
            with TabPane("4 License text", id="license"), VerticalScroll(id="license-box"):
                yield Static("", id="license-text")
            with TabPane("5 Notes", id="notes"), VerticalScroll(id="notes-box"):
                yield Static("", id="notes-text")
            with TabPane("6 History", id="history"), VerticalScroll(id="history-box"):
                yield Static(Text("Loading history…", style="dim"), id="history-text")
        yield FindInput(placeholder="find in the source and the matched text…", id="inspector-find")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"inspector · scan {self.flt.scan_id}"
        self.load(self.row)

    # -- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspector")
    def load(self, row: QueueRow) -> None:
        worker = get_current_worker()
        with reading_as_user(self.app, f"review item {row.id}") as snapshot:
            review = load_file_review(snapshot, row.id)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(review, row))

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspector")
    def step(self, forward: bool) -> None:
        worker = get_current_worker()
        with reading_as_user(self.app, "the review queue") as snapshot:
            row = queue_neighbour(snapshot, self.flt, self.row.key, forward=forward)
            review = load_file_review(snapshot, row.id) if row is not None else None
        if worker.is_cancelled:
            return
        if row is None or review is None:
            where = "last" if forward else "first"
            self.app.call_from_thread(
                notify_safe, self.app, f"this is the {where} file of the queue"
            )
            return
        self.post_message(self.Loaded(review, row))

    def on_inspector_screen_loaded(self, message: Loaded) -> None:
        self.row = message.row
        self.review = review = message.review
        self._show_head(review)
        # Only the pane in view is filled now; the others when their tab is opened, so
        # "next file" does not lay out a license text nobody is looking at.
        self.panes_shown.clear()
        self._fill_pane(self.query_one("#inspector-tabs", TabbedContent).active)
        if self.loads == 0:
            self.action_tab("source")
        self.found = find_in_file(review, self.find_text)
        self.found_at = -1
        self.loads += 1

    def _fill_pane(self, pane: str) -> None:
        review = self.review
        if review is None or pane in self.panes_shown:
            return
        self.panes_shown.add(pane)
        fill = {
            "source": self._show_source,
            "matches": self._show_matches,
            "copyrights": self._show_copyrights,
            "license": self._show_licenses,
            "notes": self._show_notes,
            "history": self._show_history,
        }.get(pane)
        if fill is not None:
            fill(review)

    # -- panes ---------------------------------------------------------------------------------

    def _show_head(self, review: FileReview) -> None:
        self.query_one("#inspector-head", Static).update(head_text(review))

    def _show_source(self, review: FileReview) -> None:
        view = self.query_one(SourceView)
        text = review.source.text
        view.show(text or "", review.matched_ranges if text is not None else ())
        self.query_one("#source-status", Static).update(source_note(review))
        if text is not None and review.matched_ranges:
            view.jump(0)

    @on(SourceView.MatchShown)
    def _match_shown(self, message: SourceView.MatchShown) -> None:
        note = match_note(self.review, message.index, message.count, message.start, message.end)
        self.query_one("#source-status", Static).update(note)

    def _show_matches(self, review: FileReview) -> None:
        table = self.query_one("#matches-table", DataTable)
        table.clear()
        for row in match_rows(review):
            table.add_row(*row)
        self._show_matched_text(0)

    def _show_matched_text(self, index: int) -> None:
        self.query_one("#matched-text", Static).update(matched_text(self.review, index))

    @on(DataTable.RowHighlighted, "#matches-table")
    def _match_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_matched_text(event.cursor_row)

    @on(DataTable.RowSelected, "#matches-table")
    def _match_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a match: show it in the source."""
        if self.review is None:
            return
        match = self.review.matches[event.cursor_row]
        if match.start_line is None:
            return
        end = match.end_line if match.end_line is not None else match.start_line
        ranges = self.review.matched_ranges
        if (match.start_line, end) in ranges:
            self.action_tab("source")
            self.query_one(SourceView).jump(ranges.index((match.start_line, end)))

    def _show_copyrights(self, review: FileReview) -> None:
        table = self.query_one("#copyrights-table", DataTable)
        # The cursor stays put when the same file is read again (after f marks a detection).
        cursor = table.cursor_row if self.copyrights_of == review.item.id else 0
        self.copyrights_of = review.item.id
        table.clear()
        for row in copyright_rows(review):
            table.add_row(*row)
        table.move_cursor(row=cursor)

    def _show_licenses(self, review: FileReview) -> None:
        self.query_one("#license-text", Static).update(licenses_text(review))

    def _show_notes(self, review: FileReview) -> None:
        self.query_one("#notes-text", Static).update(notes_text(review))

    def _show_history(self, review: FileReview) -> None:
        # Filled only when its tab is in view, so "next file" reads no audit events.
        self._mount_history()

    @on(TabbedContent.TabActivated, "#inspector-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:
            self._fill_pane(event.pane.id)

    def _mount_history(self) -> None:
        if self.review is None or self.history_item_id == self.review.item.id:
            return
        item_id = self.history_item_id = self.review.item.id
        box = self.query_one("#history-box", VerticalScroll)

        async def swap() -> None:
            await box.remove_children()  # the old pane must be gone before the new one mounts
            if self.history_item_id == item_id:
                await box.mount(DecisionHistory(item_id))

        self.call_later(swap)

    # -- actions -------------------------------------------------------------------------------

    def action_next_file(self) -> None:
        self.step(True)

    def action_previous_file(self) -> None:
        self.step(False)

    def action_next_match(self) -> None:
        self.action_tab("source")
        self.query_one(SourceView).action_next_match()

    def action_previous_match(self) -> None:
        self.action_tab("source")
        self.query_one(SourceView).action_previous_match()

    def action_tab(self, name: str) -> None:
        # Focus follows the tab: a focused widget left in a hidden pane would pull it back.
        self.query_one("#inspector-tabs", TabbedContent).active = name
        self._fill_pane(name)  # now, not on TabActivated: m / M jump in it right away
        self.query_one(TAB_FOCUS[name]).focus()

    def action_decide(self) -> None:
        self.post_message(DecisionRequested(self.row.id))

    def action_question(self) -> None:
        ask_or_answer(self.app, self.row.id, self.row.path)

    def action_back(self) -> None:
        field = self.query_one(FindInput)
        if field.display:
            field.display = False  # escape first closes the find field, then the screen
            self.action_tab(self.query_one("#inspector-tabs", TabbedContent).active)
            return
        self.dismiss(self.row)

    # -- finding in the file -------------------------------------------------------------------

    def action_find(self) -> None:
        field = self.query_one(FindInput)
        field.display = True
        field.value = ""
        field.focus()

    @on(Input.Changed, "#inspector-find")
    def _find_typed(self, event: Input.Changed) -> None:
        self.find_text = event.value
        self.found = find_in_file(self.review, event.value) if self.review else []
        self.found_at = -1
        if event.value:
            self._step_found(1)

    @on(Input.Submitted, "#inspector-find")
    def _find_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(FindInput).display = False
        pane = self.found[self.found_at].pane if self.found_at >= 0 else None
        self.action_tab(pane or self.query_one("#inspector-tabs", TabbedContent).active)

    def action_find_next(self) -> None:
        self._step_found(1)

    def action_find_previous(self) -> None:
        self._step_found(-1)

    def _step_found(self, step: int) -> None:
        if not self.find_text:
            notify_safe(self.app, "nothing to find yet: press / and type")
            return
        if self.found:
            self.found_at = (self.found_at + step) % len(self.found)
            hit = self.found[self.found_at]
            self.query_one("#inspector-tabs", TabbedContent).active = hit.pane
            self._fill_pane(hit.pane)
            if hit.pane == "source":
                self.query_one(SourceView).show_line(hit.index)
            else:
                self.query_one("#matches-table", DataTable).move_cursor(row=hit.index)
        self.sub_title = describe(self.find_text, self.found, self.found_at)

    # -- false-positive copyrights -------------------------------------------------------------

    def action_false_positive(self) -> None:
        tabs = self.query_one("#inspector-tabs", TabbedContent)
        row = self.query_one("#copyrights-table", DataTable).cursor_row
        if self.review is None or tabs.active != "copyrights":
            notify_safe(self.app, "open the Copyrights tab (3) and pick a detection first")
            return
        if 0 <= row < len(self.review.copyrights):
            statement = self.review.copyrights[row]
            self.copyright_marked(statement.id, not statement.false_positive)

    @work(thread=True, exit_on_error=False, group="inspector-copyright")
    def copyright_marked(self, copyright_id: int, mark: bool) -> None:
        change = mark_false_positive if mark else restore_copyright
        try:
            done = change(workbench(self.app).db, acting_actor(self.app), copyright_id)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        what = "is not a copyright: left out of the exports" if mark else "counts again"
        self.app.call_from_thread(notify_safe, self.app, f"{done.kind} {done.value!r} {what}")
        announce_change(self.app, self.row.id)

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        if message.review_item_id == self.row.id or message.bulk:
            self.history_item_id = None  # the History tab reads the file's events again
            self.load(self.row)
