"""The file inspector: source with matched lines, matches, copyrights, license text, history.

``]`` and ``[`` move to the next or previous file of the queue (same filter) without going
back, so a reviewer triages from here; escape returns to the queue on the file last shown.
"""

from __future__ import annotations

import importlib

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from ospo_tui.safe_text import safe, safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.messages import notify_safe
from ospo_tui.screens.queue_table import ALERT_STYLES, STATE_LABELS
from ospo_tui.screens.source_view import SourceView
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
# The decision history pane (issue 5): a module exposing
# ``history_widget(app, review_item_id) -> Widget``; until it exists the pane says so.
HISTORY_MODULE = "ospo_tui.screens.decision_history"


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".removesuffix(".0")


class InspectorScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "right_square_bracket",
            "next_file",
            "Next file",
            key_display="]",
            id="inspector.next",
            tooltip="Next file of the queue",
        ),
        Binding(
            "left_square_bracket",
            "previous_file",
            "Prev file",
            key_display="[",
            id="inspector.previous",
            tooltip="Previous file of the queue",
        ),
        Binding(
            "d", "decide", "Decide", id="inspector.decide", tooltip="Record a decision on this file"
        ),
        Binding("a", "question", "Ask/answer", id="inspector.question", tooltip="Ask an engineer"),
        Binding(
            "m",
            "next_match",
            "Next match",
            id="inspector.next_match",
            tooltip="Jump to the next matched line range in the source",
        ),
        Binding(
            "M",
            "previous_match",
            "Prev match",
            id="inspector.previous_match",
            tooltip="Jump to the previous matched line range",
        ),
        Binding(
            "1",
            "tab('source')",
            "Source",
            show=False,
            id="inspector.tab_source",
            tooltip="Source tab",
        ),
        Binding(
            "2",
            "tab('matches')",
            "Matches",
            show=False,
            id="inspector.tab_matches",
            tooltip="Matches tab",
        ),
        Binding(
            "3",
            "tab('copyrights')",
            "Copyrights",
            show=False,
            id="inspector.tab_copyrights",
            tooltip="Copyrights tab",
        ),
        Binding(
            "4",
            "tab('license')",
            "License text",
            show=False,
            id="inspector.tab_license",
            tooltip="License reference text tab",
        ),
        Binding(
            "5",
            "tab('notes')",
            "Notes",
            show=False,
            id="inspector.tab_notes",
            tooltip="ScanCode todo comments, scan errors, file facts",
        ),
        Binding(
            "6",
            "tab('history')",
            "History",
            show=False,
            id="inspector.tab_history",
            tooltip="Decision history tab",
        ),
        Binding(
            "escape", "back", "Back", id="inspector.back", tooltip="Back to the queue, on this file"
        ),
    ]

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
                yield Static(Text("No decision history service installed yet."), id="history-text")
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
        item = review.item
        label, style = STATE_LABELS.get(item.state, (item.state, ""))
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append_text(safe_line(item.path, max_len=None, style="bold"))
        head.append("\n")
        head.append(label, style=style)
        head.append(f" · priority {item.priority}")
        if item.priority_reason:
            head.append_text(safe_line(f" ({item.priority_reason})"))
        if item.policy_alert:
            head.append(" · policy ")
            head.append_text(
                safe_line(
                    item.policy_caption or item.policy_alert,
                    style=ALERT_STYLES.get(item.policy_alert, ""),
                )
            )
        head.append("\ndetected: ")
        head.append_text(
            safe_line(item.detected_spdx or item.detected_expression or "none", max_len=None)
        )
        if item.detected_expression and item.detected_expression != item.detected_spdx:
            head.append("\nScanCode: ", style="dim")
            head.append_text(safe_line(item.detected_expression, max_len=None, style="dim"))
        head.append("\ndecision: ")
        head.append_text(
            safe_line(
                item.concluded_expression or "none yet",
                max_len=None,
                style="green" if item.concluded_expression else "dim",
            )
        )
        self.query_one("#inspector-head", Static).update(head)

    def _show_source(self, review: FileReview) -> None:
        view = self.query_one(SourceView)
        status = self.query_one("#source-status", Static)
        source = review.source
        if source.text is None:
            view.show("", ())
            status.update(
                safe_line(f"Source not shown: {source.reason}", max_len=None, style="italic")
            )
            return
        view.show(source.text, review.matched_ranges)
        note = Text()
        count = len(review.matched_ranges)
        note.append(
            f"{count} matched line range{'s' if count != 1 else ''} · m / M jump between them"
        )
        if source.differs:
            note.append("  ⚠ the file on disk differs from the scanned one", style="bold yellow")
        status.update(note)
        if review.matched_ranges:
            view.jump(0)

    @on(SourceView.MatchShown)
    def _match_shown(self, message: SourceView.MatchShown) -> None:
        text = Text(
            f"match {message.index + 1} of {message.count}: lines {message.start}-{message.end}"
        )
        if self.review is not None and self.review.source.differs:
            text.append("  ⚠ the file on disk differs from the scanned one", style="bold yellow")
        self.query_one("#source-status", Static).update(text)

    def _show_matches(self, review: FileReview) -> None:
        table = self.query_one("#matches-table", DataTable)
        table.clear()
        for match in review.matches:
            expression = match.spdx or match.expression or ""
            table.add_row(
                safe_line(expression + (" (clue)" if match.is_clue else ""), max_len=60),
                safe_line(match.rule_identifier or "", max_len=50),
                safe_line(match.matcher or ""),
                Text(_fmt(match.score), justify="right"),
                Text(_fmt(match.coverage), justify="right"),
                Text(match.lines),
            )
        self._show_matched_text(0)

    def _show_matched_text(self, index: int) -> None:
        box = self.query_one("#matched-text", Static)
        if self.review is None or not self.review.matches:
            box.update(Text("No license match in this file.", style="italic"))
            return
        match = self.review.matches[min(index, len(self.review.matches) - 1)]
        text = Text()
        text.append(f"Matched text, lines {match.lines or '?'}", style="bold")
        if match.rule_url:
            text.append("\nrule: ")
            text.append_text(safe_line(match.rule_url, max_len=None, style="dim"))
        text.append("\n\n")
        text.append_text(safe(match.matched_text or "(ScanCode did not record the matched text)"))
        box.update(text)

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
        table.clear()
        for statement in review.copyrights:
            lines = "" if statement.start_line is None else str(statement.start_line)
            if statement.end_line not in (None, statement.start_line):
                lines += f"-{statement.end_line}"
            table.add_row(
                Text(statement.kind), safe_line(statement.value, max_len=200), Text(lines)
            )

    def _show_licenses(self, review: FileReview) -> None:
        text = Text()
        if not review.licenses:
            text.append("No license detected in this file.", style="italic")
        for number, lic in enumerate(review.licenses):
            if number:
                text.append("\n\n" + "─" * 60 + "\n\n")
            text.append_text(safe_line(lic.key, max_len=None, style="bold"))
            if lic.spdx:
                text.append_text(safe_line(f"  SPDX: {lic.spdx}", max_len=None))
            if lic.category:
                text.append_text(safe_line(f"  category: {lic.category}", max_len=None))
            if lic.name:
                text.append("\n")
                text.append_text(safe_line(lic.name, max_len=None, style="italic"))
            origin = (
                "this scan's license references"
                if lic.origin == "scan"
                else "ScanCode's license database"
            )
            text.append(f"\nfrom {origin}\n\n", style="dim")
            text.append_text(safe(lic.text or "(no reference text for this key)"))
        self.query_one("#license-text", Static).update(text)

    def _show_notes(self, review: FileReview) -> None:
        text = Text()
        text.append("ScanCode todo items\n", style="bold")
        if not review.todos:
            text.append("none\n", style="dim")
        for todo in review.todos:
            text.append_text(
                safe_line(f"• detection {todo.detection_identifier or '?'}", max_len=None)
            )
            text.append("\n")
            for code, comment in todo.review_comments:
                text.append_text(safe(f"  {code}: {comment}" if code else f"  {comment}"))
                text.append("\n")
        text.append("\nScan errors\n", style="bold")
        if not review.file.scan_errors:
            text.append("none\n", style="dim")
        for error in review.file.scan_errors:
            text.append_text(safe(f"• {error}"))
            text.append("\n")
        info = review.file
        text.append("\nFile\n", style="bold")
        facts = (
            ("size", "" if info.size is None else f"{info.size:,} bytes"),
            ("sha256", info.sha256 or ""),
            ("sha1", info.sha1 or ""),
            ("type", info.file_type or ""),
            ("mime", info.mime_type or ""),
            ("language", info.programming_language or ""),
            (
                "license text",
                ""
                if info.percentage_of_license_text is None
                else f"{info.percentage_of_license_text:.1f} %",
            ),
        )
        for name, value in facts:
            if value:
                text.append(f"{name:>13}  ", style="dim")
                text.append_text(safe_line(value, max_len=None))
                text.append("\n")
        self.query_one("#notes-text", Static).update(text)

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
        try:
            module = importlib.import_module(HISTORY_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name != HISTORY_MODULE:
                raise
            return
        item_id = self.history_item_id = self.review.item.id
        box = self.query_one("#history-box", VerticalScroll)

        async def swap() -> None:
            await box.remove_children()  # the old pane must be gone before the new one mounts
            if self.history_item_id == item_id:
                await box.mount(module.history_widget(self.app, item_id))

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
        self.app.action_decide(self.row.id)  # type: ignore[attr-defined]

    def action_question(self) -> None:
        from ospo_tui.screens.question_actions import ask_or_answer

        ask_or_answer(self.app, self.row.id, self.row.path)

    def action_back(self) -> None:
        from ospo_tui.screens.queue import QueueScreen

        self.app.pop_screen()
        if isinstance(self.app.screen, QueueScreen):
            self.app.screen.followed(self.row)

    def review_item_changed(self, review_item_id: int) -> None:
        if review_item_id == self.row.id:
            self.load(self.row)
