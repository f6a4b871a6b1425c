"""The review queue of one scan: a window of rows paged from the database, filters and search.

Only a window (``WINDOW`` rows) is ever in the table; moving past its edge, searching or
filtering loads a new window around the target row with keyset paging, so the queue is as fast
at 100,000 files as at 100. The reads themselves are in ``queue_loading``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.worker import get_current_worker

from ospo_tui.safe_text import safe_line
from ospo_tui.screens.dashboard import BarFilter, DashboardScreen
from ospo_tui.screens.filter_bar import FilterBar
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.messages import DecisionRequested, ReviewItemChanged, notify_safe
from ospo_tui.screens.question_actions import ask_or_answer
from ospo_tui.screens.queue_keys import QUEUE_KEYS
from ospo_tui.screens.queue_loading import (
    Counted,
    WindowLoaded,
    count_text,
    describe_filter,
    read_counts,
    read_end,
    read_past_edge,
    read_row,
    read_window,
)
from ospo_tui.screens.queue_search import QueueSearch
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.screens.queue_views import QueueViews
from ospo_tui.screens.status_line import StatusLine
from ospo_tui.screens.steady_footer import SteadyFooter
from ospo_tui.services.review.queue import QueueFilter, QueueKey, QueueRow
from ospo_tui.services.review.stoppable import StoppableRead

WINDOW = 150


class QueueScreen(QueueSearch, QueueViews, Screen[None]):
    AUTO_FOCUS = "QueueTable"  # the hidden filter bar's fields come first in the DOM
    BINDINGS = QUEUE_KEYS

    class FilterChosen(Message):
        """A filter chosen on another screen (a dashboard bar): the queue shows its files."""

        def __init__(self, flt: QueueFilter) -> None:
            super().__init__()
            self.flt = flt

    def __init__(self, scan_id: int, project: str) -> None:
        super().__init__()
        self.project = project
        self.flt = QueueFilter(scan_id=scan_id)
        self.total: int | None = None  # rows the filter keeps, once counted
        self.position = 0  # rows before the window's first row, once counted
        self.counted = False
        self.search_text = ""
        self.search_origin: QueueKey | None = None
        self.loads = 0  # windows shown so far (tests and the benchmark wait on it)
        self.searches = 0  # search results handled so far
        self.unmatched: str | None = None  # a search text that matched nothing, while typing
        self.close_bar_on_load = False  # a filter applied from the bar: close it with the rows
        self.counting = StoppableRead()  # the count now running, stopped once it is stale

    def compose(self) -> ComposeResult:
        # The filter bar comes first, in its own layer: the compositor numbers widgets from
        # the last one, so showing or hiding the first changes no other widget's entry, and
        # only the region under the bar is painted again.
        yield FilterBar(self.flt, id="filter-bar")
        yield Header()
        with Horizontal(id="queue-bar"):
            yield StatusLine(id="queue-filter")
            yield StatusLine(id="queue-count")
        yield QueueTable(id="queue-table")
        yield Input(placeholder="search path or license…", id="queue-search")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.show_title()
        self.query_one("#queue-search", Input).display = False
        self._show_filter()
        self.load(None, None)

    # -- loading -------------------------------------------------------------------------------

    # The rows come first and paint at once; counting (a scan of every matching row under a
    # text filter) follows in its own worker, so no keystroke waits for it. A count that a
    # newer window makes stale is stopped mid-statement: left running, it took the CPU the
    # next key needed (at 1,000,000 files, keys o/l/c waited 100 ms and more behind counts).

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-window")
    def load(self, around: QueueKey | None, cursor_id: int | None, count: bool = True) -> None:
        """Read the window around ``around`` (None: the top) under the current filter."""
        self.counting.stop()
        worker = get_current_worker()
        read = read_window(self.app, self.flt, around, cursor_id, WINDOW)
        if not worker.is_cancelled:
            self.post_message(WindowLoaded(read, count))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-window")
    def load_past_edge(self, edge: QueueKey, forward: bool, steps: int) -> None:
        """The window around the row ``steps`` rows past the window's edge."""
        self.counting.stop()
        worker = get_current_worker()
        read = read_past_edge(self.app, self.flt, edge, forward, steps, WINDOW)
        if worker.is_cancelled:
            return
        if read is None:
            self.app.call_from_thread(self._edge_is_end, forward)
            return
        self.post_message(WindowLoaded(read, False))

    def _edge_is_end(self, forward: bool) -> None:
        table = self.query_one(QueueTable)
        if forward:
            table.at_end = True
        else:
            table.at_start = True

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-window")
    def load_end(self, last: bool) -> None:
        self.counting.stop()
        worker = get_current_worker()
        read = read_end(self.app, self.flt, last, WINDOW)
        if not worker.is_cancelled:
            self.post_message(WindowLoaded(read, False))

    @on(WindowLoaded)
    def _window_loaded(self, message: WindowLoaded) -> None:
        read = message.read
        if read.flt != self.flt:
            return  # a filter changed while this window was read
        if self.close_bar_on_load:
            self._close_filter_bar()
        table = self.query_one(QueueTable)
        table.at_start = read.window.at_start
        table.at_end = read.window.at_end
        table.show_rows(read.window.rows, read.cursor_id)
        self.loads += 1
        if read.window.at_start and read.window.at_end:
            # The window holds every row the filter keeps: nothing left to count.
            self.workers.cancel_group(self, "queue-count")
            self.counting.stop()
            self.total, self.position, self.counted = len(read.window.rows), 0, True
            self._show_count()
            return
        self.counted = False
        self._show_count()
        first = read.window.rows[0] if read.window.rows else None
        recount = message.recount or self.total is None
        self.counting.stop()
        self.counting = StoppableRead()
        # Count once the rows are on screen: the count must not compete with the paint.
        self.call_after_refresh(
            self.count_rows, read.flt, first, recount, read.window.at_start, self.counting
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-count")
    def count_rows(
        self,
        flt: QueueFilter,
        first: QueueRow | None,
        recount: bool,
        at_start: bool,
        stoppable: StoppableRead,
    ) -> None:
        worker = get_current_worker()
        counts = read_counts(self.app, flt, first, recount, at_start, stoppable)
        if counts is not None and not worker.is_cancelled:
            self.post_message(Counted(counts))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        counts = message.counts
        rows = self.query_one(QueueTable).rows_window
        if counts.flt != self.flt or counts.first_id != (rows[0].id if rows else None):
            return  # an older window's figures
        if counts.total is not None:
            self.total = counts.total
        self.position = counts.position
        self.counted = True
        self._show_count()

    @on(QueueTable.EdgeReached)
    def _edge(self, message: QueueTable.EdgeReached) -> None:
        rows = self.query_one(QueueTable).rows_window
        if rows:
            edge = rows[-1].key if message.forward else rows[0].key
            self.load_past_edge(edge, message.forward, message.steps)

    @on(QueueTable.EndRequested)
    def _end(self, message: QueueTable.EndRequested) -> None:
        self.load_end(message.last)

    @on(QueueTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_count()

    def _show_count(self) -> None:
        table = self.query_one(QueueTable)
        total = self.total if self.counted else None
        text = count_text(self.flt, total, self.position, len(table.rows_window), table.cursor_row)
        self.query_one("#queue-count", StatusLine).show(Text(text, justify="right"))
        if self.counted:  # the tree's own count must not delay the queue's
            self.prepare_tree()

    def _show_filter(self) -> None:
        line = safe_line(describe_filter(self.flt), max_len=120)
        self.query_one("#queue-filter", StatusLine).show(line)

    def show_row(self, key: QueueKey, review_item_id: int) -> None:
        """Put the cursor on one row, loading its window if it is not in the table."""
        table = self.query_one(QueueTable)
        for index, row in enumerate(table.rows_window):
            if row.id == review_item_id:
                table.move_cursor(row=index)
                return
        self.load(key, review_item_id, count=False)

    # -- filters -------------------------------------------------------------------------------

    def apply_filter(self, flt: QueueFilter) -> None:
        self.flt = flt
        self.total = None
        self._show_filter()
        self.load(None, None)

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.display:
            self._close_filter_bar()
        else:
            self.query_one(SteadyFooter).held = True  # the bar names its own keys
            bar.open(self.flt)

    @on(FilterBar.Applied)
    def _filter_applied(self, event: FilterBar.Applied) -> None:
        if event.flt == self.flt:
            self._close_filter_bar()
            return
        # The bar closes with the new rows, in one layout and paint, not in one more before.
        self.close_bar_on_load = True
        self.apply_filter(event.flt)

    @on(FilterBar.Cancelled)
    def _filter_cancelled(self) -> None:
        self._close_filter_bar()

    def _close_filter_bar(self) -> None:
        self.close_bar_on_load = False
        # The focus moves now, not from a callback run after the next paint (``focus()``): a
        # focus change repaints the whole screen and restyles the table, so done later it
        # paints the new rows a second time (at 1,000,000 files on SQLite the filter bar's
        # median went from 76-148 ms to 55-81 ms, measured side by side on a busy machine).
        self.set_focus(self.query_one(QueueTable), scroll_visible=False)
        self.query_one(FilterBar).display = False
        self.query_one(SteadyFooter).held = False

    def action_dashboard(self) -> None:
        dashboard = DashboardScreen(self.flt.scan_id, scope=self.flt.scope)
        self.app.push_screen(dashboard, self._dashboard_closed)

    def _dashboard_closed(self, chosen: BarFilter | None) -> None:
        if chosen:
            self.post_message(self.FilterChosen(self.flt.with_changes(**chosen)))

    def on_queue_screen_filter_chosen(self, message: FilterChosen) -> None:
        self.apply_filter(message.flt)

    def action_toggle_open(self) -> None:
        self.apply_filter(
            self.flt.with_changes(states=() if self.flt.states == ("open",) else ("open",))
        )

    def action_same_license(self) -> None:
        current = self.query_one(QueueTable).current
        if current is None:
            return
        expression = current.detected_spdx or current.detected_expression
        if not expression:
            notify_safe(self.app, "this file has no detected license")
            return
        self.apply_filter(self.flt.with_changes(license=expression))

    def action_clear_filter(self) -> None:
        self.apply_filter(QueueFilter(scan_id=self.flt.scan_id, scope=self.flt.scope))

    def action_reload(self) -> None:
        current = self.query_one(QueueTable).current
        self.load(current.key if current else None, current.id if current else None)

    # -- files ---------------------------------------------------------------------------------

    def action_inspect(self) -> None:
        current = self.query_one(QueueTable).current
        if current is not None:
            self.app.push_screen(InspectorScreen(self.flt, current), self._followed)

    def _followed(self, row: QueueRow | None) -> None:
        """The inspector closed on ``row``: the cursor follows, so escape lands where it was."""
        if row is not None:
            self.show_row(row.key, row.id)

    @on(QueueTable.RowSelected)
    def _selected(self, event: QueueTable.RowSelected) -> None:
        event.stop()
        self.action_inspect()

    def action_decide(self) -> None:
        current = self.query_one(QueueTable).current
        if current is not None:
            self.post_message(DecisionRequested(current.id))

    def action_question(self) -> None:
        current = self.query_one(QueueTable).current
        if current is not None:
            ask_or_answer(self.app, current.id, current.path)

    def action_back(self) -> None:
        if self.query_one(FilterBar).display:
            self._close_filter_bar()  # escape first closes the filter bar, then the screen
            return
        if self.query_one("#queue-search", Input).display:
            self.close_search()  # escape first leaves the search, then the screen
            return
        self.app.pop_screen()

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        if message.bulk:
            self.apply_filter(self.flt)  # many rows changed: read the window again
        self.refresh_item(message.review_item_id)

    @work(thread=True, exit_on_error=False, group="queue-item")
    def refresh_item(self, review_item_id: int) -> None:
        row, total = read_row(self.app, self.flt, review_item_id)
        if row is not None:
            self.app.call_from_thread(self._item_refreshed, row, total)

    def _item_refreshed(self, row: QueueRow, total: int) -> None:
        self.total = total
        self.query_one(QueueTable).replace_row(row)
        self._show_count()
