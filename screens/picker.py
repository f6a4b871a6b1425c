"""The start screen: projects and their scans, with review counts; enter opens the queue."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.services.review.catalog import ScanSummary, scan_summaries

COLUMNS = (
    "Project",
    "Scan",
    "Label",
    "Source",
    "Imported",
    "Files",
    "With findings",
    "Decided (with findings)",
    "Decided (all files)",
    "Open questions",
)
EMPTY_HINT = (
    "No scan yet. Try the bundled sample with `ospo-tui demo`, or import one with "
    "`ospo-tui import SCAN.json --project NAME`."
)


@dataclass(frozen=True)
class PickerData:
    scans: tuple[ScanSummary, ...]
    refusal: str | None = None  # why the scans are not shown (a guest's refused read)


class PickerScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open_queue", "Open queue", id="picker.open", tooltip="Review this scan"),
        Binding("r", "reload", "Reload", id="picker.reload", tooltip="Count again"),
        Binding("j", "cursor_down", "Down", show=False, id="picker.down", tooltip="Next scan"),
        Binding("k", "cursor_up", "Up", show=False, id="picker.up", tooltip="Previous scan"),
    ]

    class Loaded(Message):
        def __init__(self, data: PickerData) -> None:
            super().__init__()
            self.data = data

    def __init__(self) -> None:
        super().__init__()
        self.scans: tuple[ScanSummary, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Projects and scans", style="bold"), id="picker-title")
        table: DataTable[Text] = DataTable(id="scans", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="picker-hint")
        yield Footer()

    def on_screen_resume(self) -> None:
        # Also runs when the screen is first shown; coming back from a queue it counts again.
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="picker")
    def load(self) -> None:
        worker = get_current_worker()
        try:
            with reading_as_user(self.app, "scans") as snapshot:
                data = PickerData(tuple(scan_summaries(snapshot)))
        except OspoError as err:
            data = PickerData((), str(err))
        if not worker.is_cancelled:
            self.post_message(self.Loaded(data))

    def on_picker_screen_loaded(self, message: Loaded) -> None:
        self.scans = message.data.scans
        table = self.query_one("#scans", DataTable)
        keep = table.cursor_row
        rows = [
            (
                safe_line(scan.project, max_len=60),
                Text(str(scan.id)),
                safe_line(scan.label or "", max_len=40),
                Text(scan.source),
                Text(scan.created_at[:16]),
                _count(scan.files),
                _count(scan.with_findings),
                _count(scan.decided),
                _count(scan.decided_all),
                _count(scan.open_questions),
            )
            for scan in self.scans
        ]
        # Widths set from the rows themselves: DataTable would measure them on idle and could
        # paint once with the header widths first.
        table.clear(columns=True)
        for index, header in enumerate(COLUMNS):
            width = max([len(header), *(row[index].cell_len for row in rows)])
            table.add_column(header, width=width)
        for scan, row in zip(self.scans, rows, strict=True):
            table.add_row(*row, key=str(scan.id))
        hint = self.query_one("#picker-hint", Static)
        if message.data.refusal is not None:
            hint.update(safe_line(message.data.refusal, max_len=None))
        else:
            hint.update(
                Text(EMPTY_HINT if not self.scans else "enter: review the scan under the cursor")
            )
        if self.scans:
            table.move_cursor(row=min(keep, len(self.scans) - 1))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_queue()

    def action_open_queue(self) -> None:
        table = self.query_one("#scans", DataTable)
        if not self.scans or table.cursor_row < 0:
            return
        scan = self.scans[table.cursor_row]
        self.app.push_screen(QueueScreen(scan.id, scan.project))

    def action_reload(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.query_one("#scans", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#scans", DataTable).action_cursor_up()


def _count(value: int) -> Text:
    return Text(f"{value:,}", justify="right")
