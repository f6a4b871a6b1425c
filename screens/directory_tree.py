"""The directory tree of a scan, one level at a time, from the queue (``t``).

Each row is a subdirectory with what its whole subtree holds: files, open, decided, to be
discussed, questions and the worst policy alert; the last row is the files directly in the
directory shown. ``enter`` opens a directory, ``backspace`` goes up, ``f`` shows the queue of a
directory's subtree, ``d`` decides the subtree in bulk (preview, then confirm) and ``u`` undoes
the last bulk. Counts come from SQL (``directory_level``), a level at a time.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.bulk_undo import undo_last_bulk
from ospo_tui.screens.deciding import open_decision_form
from ospo_tui.screens.directory_list import DirectoryList
from ospo_tui.screens.line_list import fixed_width
from ospo_tui.screens.messages import ReviewItemChanged, notify_safe
from ospo_tui.screens.steady_footer import SteadyFooter
from ospo_tui.services.review.directory_tree import (
    DirectoryCounts,
    DirectoryLevel,
    directory_level,
)
from ospo_tui.services.review.queue import QueueFilter, queue_page
from ospo_tui.services.review.review_scope import SCOPE_LABELS
from ospo_tui.wording import plural

COLUMNS = ("Directory", "Files", "Open", "Decided", "To discuss", "Questions", "Worst alert")
ALERT_STYLES = {"error": "bold red", "warning": "yellow", "missing": "magenta", "ok": "green"}
UP = ".."

TREE_KEYS: list[BindingType] = [
    Binding("backspace", "up", "Up", id="tree.up", tooltip="The parent directory"),
    Binding(
        "f",
        "filter_queue",
        "Filter queue",
        id="tree.filter",
        tooltip="Show the queue of this directory's subtree",
    ),
    Binding(
        "d",
        "decide_subtree",
        "Decide subtree",
        id="tree.decide",
        tooltip="One decision on every file of this directory's subtree (preview, then confirm)",
    ),
    Binding("u", "undo_bulk", "Undo bulk", id="tree.undo", tooltip="Undo the last bulk decision"),
    Binding("r", "reload", "Reload", show=False, id="tree.reload", tooltip="Count again"),
    Binding("escape", "back", "Back", id="tree.back", tooltip="Back to the queue"),
]


WIDTHS = (42, 8, 8, 9, 11, 10)  # the last column (the alert) takes what is left


def _line(cells: tuple[str, ...], *, style: str = "") -> Text:
    """One row in fixed-width columns: the name cut on the left, the figures right-aligned."""
    text = Text(style=style)
    for index, cell in enumerate(cells):
        if index == 0:
            text.append_text(fixed_width(safe_line(cell, max_len=None), WIDTHS[0]))
        elif index < len(WIDTHS):
            text.append(cell.rjust(WIDTHS[index] - 1) + " ")
        else:
            text.append(" " + cell)
    return text


class DirectoryTreeScreen(Screen[str | None]):
    """Dismissed with the directory to filter the queue to, or None."""

    BINDINGS = TREE_KEYS

    class Loaded(Message):
        def __init__(self, level: DirectoryLevel) -> None:
            super().__init__()
            self.level = level

    def __init__(self, flt: QueueFilter, project: str) -> None:
        super().__init__()
        self.flt = flt
        self.project = project
        self.path = flt.directory or ""
        self.level: DirectoryLevel | None = None
        self.rows: list[DirectoryCounts | None] = []  # None: the ".." row
        self.loads = 0  # levels shown so far (tests and the benchmark wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="tree-path")
        yield Static(_line(COLUMNS, style="bold"), id="tree-columns")
        # Draws only the rows in view: the top of a scan with thousands of directories opens
        # as fast as a directory with three.
        yield DirectoryList(id="tree-list")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._show_title()
        self.load(self.path)
        if not self.is_current:
            # Built ahead by the queue (``prepare_tree``): lay it out now, at the app's size,
            # so that showing it is one paint instead of two layouts and a resize.
            size = self.app.size
            self._refresh_layout(size)
            self._size_updated(size, size, size, layout=False)

    def reopen(self, flt: QueueFilter) -> None:
        """Shown again from the queue: its scope may have changed; the directory stays."""
        if flt.scope != self.flt.scope or flt.scan_id != self.flt.scan_id:
            self.flt = flt
            self._show_title()
        self.load(self.path)

    def _show_title(self) -> None:
        scope = SCOPE_LABELS[self.flt.scope]
        self.sub_title = f"{self.project} · scan {self.flt.scan_id} · directories · {scope}"

    @work(thread=True, exclusive=True, exit_on_error=False, group="tree")
    def load(self, path: str) -> None:
        worker = get_current_worker()
        with reading_as_user(self.app, "the directory tree") as snapshot:
            level = directory_level(snapshot, self.flt.scan_id, path, self.flt.scope)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(level))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        level = message.level
        if level is self.level:
            # The same count (cached at the same audit chain head): the rows on screen are
            # already right, and drawing them again would cost a frame.
            self.loads += 1
            return
        came_from = self.level.path if self.level is not None else None
        self.level, self.path = level, level.path
        self.rows = ([None] if level.path else []) + list(level.children)
        listing = self.query_one(DirectoryList)
        keep = listing.cursor
        self.query_one("#tree-path", Static).update(self._heading(level))
        cursor = keep if came_from == level.path else 0
        if came_from is not None and came_from != level.path:
            # Going up lands on the directory just left.
            cursor = next((i for i, r in enumerate(self.rows) if r and r.path == came_from), 0)
        listing.show(len(self.rows), lambda index: self._cells(self.rows[index]), cursor)
        listing.focus()
        self.loads += 1

    def _heading(self, level: DirectoryLevel) -> Text:
        total = level.total
        text = Text()
        text.append(safe_line("/" + level.path if level.path else "/ (the whole scan)"))
        text.append(
            f"  ·  {plural(total.files, 'file')}, {total.open:,} open, {total.decided:,} decided,"
            f" {total.questions:,} with questions  ·  {SCOPE_LABELS[level.scope]}",
            style="dim",
        )
        return text

    def _cells(self, row: DirectoryCounts | None) -> Text:
        if row is None:
            return _line((UP,))
        name = "(files here)" if row.is_files_here else row.name + "/"
        figures = (row.files, row.open, row.decided, row.to_discuss, row.questions)
        alert = row.worst_alert or ""
        line = _line((name, *(f"{value:,}" for value in figures)))
        line.append(alert, style=ALERT_STYLES.get(alert, ""))
        return line

    @property
    def current(self) -> DirectoryCounts | None:
        """The row under the cursor (None on ".." or before the first load)."""
        index = self.query_one(DirectoryList).cursor
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _target(self) -> str:
        """The directory an action applies to: the row's, or the one shown on ".."."""
        row = self.current
        return row.path if row is not None else self.path

    # -- actions -------------------------------------------------------------------------------

    @on(DirectoryList.Selected)
    def _selected(self, event: DirectoryList.Selected) -> None:
        event.stop()
        self.action_open_directory()

    def action_open_directory(self) -> None:
        row = self.current
        if row is None:
            self.action_up()
        elif not row.is_files_here:
            self.load(row.path)

    def action_up(self) -> None:
        if self.level is not None and self.level.parent is not None:
            self.load(self.level.parent)

    def action_filter_queue(self) -> None:
        self.dismiss(self._target())

    def action_reload(self) -> None:
        self.load(self.path)

    def action_undo_bulk(self) -> None:
        undo_last_bulk(self.app)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_decide_subtree(self) -> None:
        self.decide_subtree(self._target())

    @work(thread=True, exit_on_error=False, group="tree-decide")
    def decide_subtree(self, path: str) -> None:
        """Open the decision form as a bulk over every file (in scope) under ``path``."""
        flt = QueueFilter(self.flt.scan_id, scope=self.flt.scope, directory=path or None)
        try:
            with reading_as_user(self.app, "the directory tree") as snapshot:
                first = queue_page(snapshot, flt, limit=1)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        where = f"{path}/" if path else "the whole scan"
        if not first:
            note = f"no file under {where} ({SCOPE_LABELS[flt.scope]})"
            self.app.call_from_thread(notify_safe, self.app, note, severity="warning")
            return
        label = f"every file under {where} ({SCOPE_LABELS[flt.scope]})"
        self.app.call_from_thread(open_decision_form, self.app, first[0].id, flt, bulk_label=label)

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        self.load(self.path)
