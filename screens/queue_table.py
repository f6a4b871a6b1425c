"""A DataTable that holds one window of the review queue and asks for more at its edges.

The queue may hold 100,000 files; the table never holds more than a window of them. When the
cursor would leave the window, the table posts ``EdgeReached`` and the screen loads the next
window from the database around the row the cursor should land on.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from ospo_tui.safe_text import clean, safe_line
from ospo_tui.services.queue import QueueRow

STATE_LABELS = {
    "open": ("open", "bold"),
    "decided": ("decided", "green"),
    "to_discuss": ("discuss", "yellow"),
    "question": ("question", "magenta"),
    "stale": ("stale", "red"),
}
ALERT_STYLES = {"error": "bold red", "warning": "yellow", "missing": "magenta", "ok": "green"}
COLUMNS = ("State", "Prio", "Policy", "Path", "Detected (SPDX)", "Score", "Decision")
# Fixed widths: no column measuring per window, and columns do not jump while paging.
# The path column takes what the others leave.
WIDTHS = {"State": 8, "Prio": 4, "Policy": 7, "Detected (SPDX)": 36, "Score": 5, "Decision": 26}
MIN_PATH = 30


def _path_cell(path: str, width: int) -> Text:
    """The path, cut on the left when too long: the file name is what a reviewer reads."""
    cell = safe_line(path, max_len=None)
    if cell.cell_len > width > 1:
        cell = safe_line("…" + clean(path, single_line=True)[-(width - 1) :], max_len=None)
    return cell


def row_cells(row: QueueRow, path_width: int = 80) -> tuple[Text, ...]:
    label, style = STATE_LABELS.get(row.state, (row.state, ""))
    return (
        safe_line(label, style=style),
        Text(f"{row.priority}", justify="right"),
        safe_line(row.policy_alert or "", style=ALERT_STYLES.get(row.policy_alert or "", "")),
        _path_cell(row.path, path_width),
        safe_line(row.detected_spdx or row.detected_expression or "", max_len=60),
        Text("" if row.best_score is None else f"{row.best_score:.0f}", justify="right"),
        safe_line(row.concluded_expression or "", max_len=40, style="green"),
    )


class QueueTable(DataTable[Text]):
    DEFAULT_CSS = """
    QueueTable {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Inspect",
            id="queue.inspect",
            tooltip="Open the file inspector",
        ),
        Binding("j", "cursor_down", "Down", show=False, id="queue.down", tooltip="Next row"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up", tooltip="Previous row"),
        Binding("g,home", "first", "First", show=False, id="queue.first", tooltip="First row"),
        Binding("G,end", "last", "Last", show=False, id="queue.last", tooltip="Last row"),
    ]

    class EdgeReached(Message):
        """The cursor wants a row outside the window: ``steps`` rows past the edge."""

        def __init__(self, forward: bool, steps: int = 1) -> None:
            super().__init__()
            self.forward = forward
            self.steps = steps

    class EndRequested(Message):
        def __init__(self, last: bool) -> None:
            super().__init__()
            self.last = last

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.rows_window: list[QueueRow] = []
        self.at_start = True  # the window starts at the first row of the queue
        self.at_end = True

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name, width=WIDTHS.get(name, MIN_PATH))

    def on_resize(self) -> None:
        padding = 2 * self.cell_padding * len(COLUMNS) + 2  # cell padding and the scrollbar
        path = max(MIN_PATH, self.size.width - sum(WIDTHS.values()) - padding)
        column = self.columns.get("Path")  # type: ignore[call-overload]
        if column is not None and column.width != path:
            column.width = path
            current = self.current
            self.show_rows(self.rows_window, current.id if current else None)

    def show_rows(self, rows: list[QueueRow], cursor_id: int | None) -> None:
        self.rows_window = rows
        self.clear()
        width = self.path_width
        self.add_rows([row_cells(row, width) for row in rows])
        index = 0
        if cursor_id is not None:
            index = next((i for i, row in enumerate(rows) if row.id == cursor_id), 0)
        if rows:
            self.move_cursor(row=index, animate=False, scroll=True)

    def replace_row(self, row: QueueRow) -> None:
        """Show one row's new state (after a decision) in place."""
        for index, old in enumerate(self.rows_window):
            if old.id == row.id:
                self.rows_window[index] = row
                for column, cell in zip(COLUMNS, row_cells(row, self.path_width), strict=True):
                    self.update_cell_at(Coordinate(index, self.get_column_index(column)), cell)
                return

    @property
    def path_width(self) -> int:
        column = self.columns.get("Path")  # type: ignore[call-overload]
        return int(column.width) if column is not None else MIN_PATH

    @property
    def current(self) -> QueueRow | None:
        if not self.rows_window or self.cursor_row < 0:
            return None
        return self.rows_window[min(self.cursor_row, len(self.rows_window) - 1)]

    def action_cursor_down(self) -> None:
        if self.cursor_row >= len(self.rows_window) - 1 and not self.at_end:
            self.post_message(self.EdgeReached(True))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and not self.at_start:
            self.post_message(self.EdgeReached(False))
            return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        if self.cursor_row + page >= len(self.rows_window) and not self.at_end:
            self.post_message(
                self.EdgeReached(True, page - (len(self.rows_window) - 1 - self.cursor_row))
            )
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        if self.cursor_row - page < 0 and not self.at_start:
            self.post_message(self.EdgeReached(False, page - self.cursor_row))
            return
        super().action_page_up()

    def action_first(self) -> None:
        if self.at_start:
            self.move_cursor(row=0)
        else:
            self.post_message(self.EndRequested(last=False))

    def action_last(self) -> None:
        if self.at_end:
            self.move_cursor(row=len(self.rows_window) - 1)
        else:
            self.post_message(self.EndRequested(last=True))
