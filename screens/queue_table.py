"""The review queue's table: one window of rows, drawn line by line, asking for more at its edges.

The queue may hold 100,000 files; the table never holds more than a window of them. When the
cursor would leave the window, the table posts ``EdgeReached`` and the screen loads the next
window from the database around the row the cursor should land on.

It is a Line-API scroll view rather than a DataTable: only the visible lines are rendered, each
from prepared segments, so a cursor move repaints two lines and a new window costs one screen of
lines, not a measurement of every cell.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ospo_tui.safe_text import clean, safe_line
from ospo_tui.services.review.queue import QueueRow

STATE_LABELS = {
    "open": ("open", "bold"),
    "decided": ("decided", "green"),
    "to_discuss": ("discuss", "yellow"),
    "question": ("question", "magenta"),
    "stale": ("stale", "red"),
}
ALERT_STYLES = {"error": "bold red", "warning": "yellow", "missing": "magenta", "ok": "green"}
COLUMNS = ("State", "Prio", "Policy", "Path", "Detected (SPDX)", "Score", "Decision")
RIGHT_ALIGNED = frozenset({"Prio", "Score"})
# Widths depend on the terminal's width only, so columns never jump while paging. The path
# takes what the others leave; on narrow terminals the two expressions give up width first, so
# every column stays on screen (the table has no keys to scroll sideways) down to 80 columns.
WIDTHS = {"State": 8, "Prio": 4, "Policy": 7, "Detected (SPDX)": 36, "Score": 5, "Decision": 26}
SHRINKABLE_MIN = {"Detected (SPDX)": 12, "Decision": 10}
MIN_PATH = 30  # the path gets this much before the expressions shrink
NARROWEST_PATH = 16
GAP = 2  # spaces between columns
FRAME = 1 + GAP * len(COLUMNS)  # a line's cells outside the columns: a leading space, the gaps


def column_widths(width: int) -> list[int]:
    """Each column's width, in ``COLUMNS`` order, for a table ``width`` cells wide."""
    widths = dict(WIDTHS)
    room = width - FRAME
    missing = MIN_PATH - (room - sum(widths.values()))
    if missing > 0:
        slack = {name: widths[name] - least for name, least in SHRINKABLE_MIN.items()}
        total = sum(slack.values())
        for name in slack:
            cut = min(slack[name], -(-missing * slack[name] // total))  # rounded up
            widths[name] -= cut
    widths["Path"] = max(NARROWEST_PATH, room - sum(widths.values()))
    return [widths[name] for name in COLUMNS]


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
        Text(f"{row.priority}"),
        safe_line(row.policy_alert or "", style=ALERT_STYLES.get(row.policy_alert or "", "")),
        _path_cell(row.path, path_width),
        safe_line(row.detected_spdx or row.detected_expression or "", max_len=None),
        Text("" if row.best_score is None else f"{row.best_score:.0f}"),
        safe_line(row.concluded_expression or "", max_len=None, style="green"),
    )


class QueueTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    QueueTable {
        height: 1fr;
        background: $surface;
        /* Always there: a scroll bar that came and went with the row count would cost a
           second layout of the screen on every filter that leaves less than a screenful. */
        overflow-y: scroll;
    }
    QueueTable > .queue-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    QueueTable > .queue-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    QueueTable:focus > .queue-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    QueueTable > .queue-table--even {
        background: $foreground 4%;
    }
    """
    COMPONENT_CLASSES = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--even",
    }
    BINDINGS = [
        Binding(
            "enter", "select", "Inspect", id="queue.inspect", tooltip="Open the file inspector"
        ),
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down", tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up", tooltip="Previous row"),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            show=False,
            id="queue.page_down",
            tooltip="Next page",
        ),
        Binding(
            "pageup", "page_up", "Page up", show=False, id="queue.page_up", tooltip="Previous page"
        ),
        Binding("g,home", "first", "First", show=False, id="queue.first", tooltip="First row"),
        Binding("G,end", "last", "Last", show=False, id="queue.last", tooltip="Last row"),
    ]

    class RowHighlighted(Message):
        def __init__(self, cursor_row: int) -> None:
            super().__init__()
            self.cursor_row = cursor_row

    class RowSelected(Message):
        def __init__(self, cursor_row: int) -> None:
            super().__init__()
            self.cursor_row = cursor_row

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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows_window: list[QueueRow] = []
        self.cells: list[tuple[Text, ...]] = []
        self.cursor_row = 0
        self.at_start = True  # the window starts at the first row of the queue
        self.at_end = True
        self.widths = column_widths(0)
        self._lines: dict[tuple[int, bool], list[Segment]] = {}  # (row, is cursor) -> segments

    # -- content -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows_window)

    @property
    def current(self) -> QueueRow | None:
        if not self.rows_window:
            return None
        return self.rows_window[min(self.cursor_row, len(self.rows_window) - 1)]

    def cell_at(self, row: int, column: str) -> Text:
        return self.cells[row][COLUMNS.index(column)]

    def show_rows(self, rows: list[QueueRow], cursor_id: int | None) -> None:
        self.rows_window = rows
        self.cells = [row_cells(row, self.path_width) for row in rows]
        self._lines.clear()
        self.virtual_size = Size(self._line_width(), len(rows) + 1)
        index = 0
        if cursor_id is not None:
            index = next((i for i, row in enumerate(rows) if row.id == cursor_id), 0)
        self.move_cursor(row=index, force=True)
        self.refresh()

    def replace_row(self, row: QueueRow) -> None:
        """Show one row's new state (after a decision) in place."""
        for index, old in enumerate(self.rows_window):
            if old.id == row.id:
                self.rows_window[index] = row
                self.cells[index] = row_cells(row, self.path_width)
                self._lines.pop((index, False), None)
                self._lines.pop((index, True), None)
                self.refresh_lines(index + 1)  # virtual line: the header is line 0
                return

    @property
    def path_width(self) -> int:
        return self.widths[COLUMNS.index("Path")]

    def _line_width(self) -> int:
        return sum(self.widths) + FRAME

    def on_resize(self, event: events.Resize) -> None:
        # the vertical scroll bar is always there: only the width beside it holds columns
        widths = column_widths(event.size.width - self.styles.scrollbar_size_vertical)
        if widths != self.widths:
            self.widths = widths
            current = self.current
            self.show_rows(self.rows_window, current.id if current else None)

    # -- cursor --------------------------------------------------------------------------------

    def move_cursor(self, *, row: int, force: bool = False, **_: object) -> None:
        row = max(0, min(row, len(self.rows_window) - 1)) if self.rows_window else 0
        if row == self.cursor_row and not force:
            return
        old = self.cursor_row
        self.cursor_row = row
        self._scroll_to_cursor()
        self.refresh_lines(old + 1)  # virtual lines: the header is line 0
        self.refresh_lines(row + 1)
        if self.rows_window:
            self.post_message(self.RowHighlighted(row))

    def _scroll_to_cursor(self) -> None:
        body = max(1, self.scrollable_content_region.height - 1)  # minus the header line
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_down(self) -> None:
        if self.cursor_row >= len(self.rows_window) - 1:
            if not self.at_end:
                self.post_message(self.EdgeReached(True))
            return
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            if not self.at_start:
                self.post_message(self.EdgeReached(False))
            return
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        target = self.cursor_row + self._page()
        if target >= len(self.rows_window) and not self.at_end:
            self.post_message(self.EdgeReached(True, target - (len(self.rows_window) - 1)))
            return
        self.move_cursor(row=target)

    def action_page_up(self) -> None:
        target = self.cursor_row - self._page()
        if target < 0 and not self.at_start:
            self.post_message(self.EdgeReached(False, -target))
            return
        self.move_cursor(row=target)

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

    def action_select(self) -> None:
        if self.rows_window:
            self.post_message(self.RowSelected(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        row = event.y - 1 + self.scroll_offset.y
        if event.y >= 1 and 0 <= row < len(self.rows_window):
            if row == self.cursor_row and event.chain >= 2:
                self.action_select()
            self.move_cursor(row=row)

    # -- rendering -----------------------------------------------------------------------------

    def _segments(self, cells: tuple[Text, ...], base: Style) -> list[Segment]:
        segments = [Segment(" ", base)]
        for name, width, cell in zip(COLUMNS, self.widths, cells, strict=True):
            plain = cell.plain  # already cleaned by safe_text: no control characters
            if cell_len(plain) > width:
                plain = set_cell_size(plain, max(0, width - 1)) + "…"
            pad = " " * (width - cell_len(plain))
            style = base + Style.parse(str(cell.style)) if cell.style else base
            segments.append(Segment(pad + plain if name in RIGHT_ALIGNED else plain + pad, style))
            segments.append(Segment(" " * GAP, base))
        return segments

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            header = self.get_component_rich_style("queue-table--header")
            cells = tuple(Text(name) for name in COLUMNS)
            segments = self._segments(cells, header)
            return (
                Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, header)
            )
        index = scroll_y + y - 1
        if index >= len(self.rows_window):
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor_row
        cached = self._lines.get((index, is_cursor))
        if is_cursor:
            base = self.rich_style + self.get_component_rich_style("queue-table--cursor")
        elif index % 2:
            base = self.rich_style + self.get_component_rich_style("queue-table--even")
        else:
            base = self.rich_style
        if cached is None:
            cached = self._lines[(index, is_cursor)] = self._segments(self.cells[index], base)
        return Strip(cached).crop(scroll_x, scroll_x + width).extend_cell_length(width, base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # theme or focus changed the component styles

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()
