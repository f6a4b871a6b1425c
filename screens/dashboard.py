"""The dashboard: review progress, alerts, licenses and directories of one scan, as bar charts.

Each chart is an option list whose options are bars drawn with Rich, so the keyboard moves
between bars and Enter selects one. Selecting a bar dismisses the screen with the queue filter
behind it (a ``BarFilter``); the screen that pushed the dashboard applies it. The figures are
read in a worker thread, so the screen paints at once; the directories in a second one, started
as the figures arrive.
"""

from __future__ import annotations

import time
from typing import TypedDict

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ospo_tui.safe_text import clean, safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.services.policy.versions import stored_policy
from ospo_tui.services.review.dashboard import (
    Bar,
    ReviewFigures,
    directory_chart,
    review_figures,
)
from ospo_tui.services.review.open_directories import OpenDirectories, open_directories
from ospo_tui.services.review.review_scope import SCOPE_FINDINGS, files_in_scope
from ospo_tui.wording import share

ALERT_STYLES = {
    "error": "bold red",
    "warning": "yellow",
    "missing": "magenta",
    "ok": "green",
}
PROGRESS_STYLES = {
    "decided": "green",
    "open": "dodger_blue1",
    "to be discussed": "yellow",
    "questions": "magenta",
    "stale": "red",
}
COUNT_WIDTH = 8
ALERT_WIDTH = 8


class BarFilter(TypedDict):
    """The queue filter behind a bar, as ``QueueFilter`` fields: what the bar does not set is
    cleared, so the queue shows exactly the files the bar counts."""

    states: tuple[str, ...]
    license: str | None
    license_key: str | None
    path_glob: str | None
    text: str | None
    policy_alert: str | None


def bar_filter(bar: Bar) -> BarFilter:
    chosen = bar.filter
    return BarFilter(
        states=tuple(chosen.get("states", ())),
        license=chosen.get("license"),
        license_key=chosen.get("license_key"),
        path_glob=chosen.get("path_glob"),
        text=chosen.get("text"),
        policy_alert=chosen.get("policy_alert"),
    )


def bar_line(bar: Bar, largest: int, width: int, style: str, *, show_alert: bool = False) -> Text:
    """``label ████████▌     1,234``: the bar scaled to ``largest``, in eighths of a cell.

    With ``show_alert`` the alert is also spelled out, so colour is never the only signal.
    """
    label_width = max(12, min(32, width * 2 // 5))
    alert_width = ALERT_WIDTH if show_alert else 0
    bar_width = max(4, width - label_width - COUNT_WIDTH - alert_width - 2)
    eighths = round(bar.count / largest * bar_width * 8) if largest else 0
    if bar.count and not eighths:
        eighths = 1  # a non-zero count never looks like zero
    full, part = divmod(eighths, 8)
    blocks = "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])
    line = safe_line(bar.label, max_len=label_width - 1)
    line.pad_right(label_width - len(line))
    line.append(blocks.ljust(bar_width), style=style)
    line.append(f"{bar.count:>{COUNT_WIDTH},}", style="bold")
    if show_alert:
        line.append(f" {bar.alert or '':<{ALERT_WIDTH - 1}}", style=style)
    return line


class BarChart(OptionList):
    """A titled bar chart whose bars can be selected."""

    DEFAULT_CSS = """
    BarChart { height: 1fr; border: round $primary-muted; padding: 0 1; }
    BarChart:focus { border: round $accent; }
    """

    def __init__(self, title: str, *, id: str, show_alert: bool = False) -> None:
        super().__init__(id=id, markup=False)
        self.border_title = title
        self.show_alert = show_alert
        self.bars: list[Bar] = []
        self.styles_by: dict[str, str] = {}

    def show(self, bars: list[Bar], empty: str) -> None:
        self.bars = bars
        highlighted = self.highlighted
        self.clear_options()
        if not bars:
            self.add_option(Option(Text(empty, style="dim"), disabled=True))
            return
        largest = max(bar.count for bar in bars)
        width = max(self.content_region.width, 40)
        self.add_options(
            Option(
                bar_line(bar, largest, width, self._style(bar), show_alert=self.show_alert),
                id=str(index),
            )
            for index, bar in enumerate(bars)
        )
        self.highlighted = min(highlighted or 0, len(bars) - 1)

    def _style(self, bar: Bar) -> str:
        if bar.alert is not None:
            return ALERT_STYLES.get(bar.alert, "")
        return PROGRESS_STYLES.get(bar.label, "cyan")

    def on_resize(self) -> None:
        if self.bars:
            self.show(self.bars, "")


class DashboardScreen(Screen[BarFilter | None]):
    """Where the review of one scan stands; Enter on a bar shows those files in the queue."""

    DEFAULT_CSS = """
    DashboardScreen #summary { height: auto; padding: 0 1; }
    DashboardScreen Grid { grid-size: 2 2; grid-gutter: 0 1; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="dashboard.back", tooltip="Back to the queue"),
        Binding(
            "plus,equals_sign",
            "depth(1)",
            "Deeper dirs",
            id="dashboard.deeper",
            tooltip="Directories one level deeper",
        ),
        Binding(
            "minus",
            "depth(-1)",
            "Shallower dirs",
            id="dashboard.shallower",
            tooltip="Directories one level shallower",
        ),
        Binding(
            "r", "refresh", "Refresh", id="dashboard.refresh", tooltip="Read the figures again"
        ),
    ]

    def __init__(
        self, scan_id: int, *, directory_depth: int | None = None, scope: str = SCOPE_FINDINGS
    ) -> None:
        super().__init__()
        self.scan_id = scan_id
        self.scope = scope
        self.directory_depth = directory_depth
        self.figures: ReviewFigures | None = None  # set at first paint
        self.directories_shown = False
        self.open_files: OpenDirectories | None = None  # what the directory chart rolls up
        # When each step reached the screen (perf_counter), for benchmarks/dashboard_bench.py.
        self.painted_at: dict[str, float] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("Reading the review…", style="dim"), id="summary")
        with Grid():
            yield BarChart("Review progress", id="progress")
            yield BarChart("Undecided files by policy alert", id="alerts")
            yield BarChart("Licenses by files, with their alert", id="licenses", show_alert=True)
            yield BarChart("Directories by open files", id="directories")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#alerts", BarChart).focus()
        self.load()

    def load(self) -> None:
        self.directories_shown = False
        self.load_figures()  # which starts the directories when it is in (show_figures)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load_figures(self) -> None:
        with reading_as_user(self.app, "the dashboard") as snapshot:
            figures = review_figures(snapshot, self.scan_id, stored_policy(snapshot), self.scope)
        if not get_current_worker().is_cancelled:  # a refresh started a newer read
            self.app.call_from_thread(self.show_figures, figures)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-directories")
    def load_directories(self) -> None:
        with reading_as_user(self.app, "the dashboard") as snapshot:
            found = open_directories(snapshot, self.scan_id, self.scope)
        self._chart_directories(found)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-directories")
    def roll_up_directories(self, directories: OpenDirectories) -> None:
        """Another depth from the counts already read: ``+``/``-`` need no query."""
        self._chart_directories(directories)

    def _chart_directories(self, directories: OpenDirectories) -> None:
        bars, depth = directory_chart(directories, self.directory_depth)
        # A later key or a refresh replaced this worker: its chart would draw over the newer one.
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_directories, directories, bars, depth)

    def show_figures(self, figures: ReviewFigures) -> None:
        if not self.is_attached:
            return  # closed while reading
        self.figures = figures
        self.query_one("#summary", Static).update(self._summary(figures))
        self.query_one("#progress", BarChart).show(figures.progress, "no files to review")
        self.query_one("#alerts", BarChart).show(figures.alerts, "no alerts")
        self.query_one("#licenses", BarChart).show(figures.licenses, "no licenses detected")
        self.call_after_refresh(self._figures_painted)
        # Directories are read now, while these charts are painted: the database counts them
        # without the interpreter (SQLite and the PostgreSQL driver let it go while they wait).
        # Read beside the figures, they made the first paint wait on PostgreSQL (the two
        # queries share the cores), and after the paint they left the database idle meanwhile.
        self.load_directories()

    def _figures_painted(self) -> None:
        self.painted_at["figures"] = time.perf_counter()

    def show_directories(self, directories: OpenDirectories, bars: list[Bar], depth: int) -> None:
        if not self.is_attached:
            return
        self.open_files = directories
        self.directory_depth = depth
        self.directories_shown = True
        chart = self.query_one("#directories", BarChart)
        chart.border_title = f"Directories by open files (depth {depth})"
        chart.show(bars, "no open files")
        self.call_after_refresh(self._directories_painted)

    def _directories_painted(self) -> None:
        self.painted_at["directories"] = time.perf_counter()

    def _summary(self, board: ReviewFigures) -> Text:
        text = Text()
        text.append(f"Scan {board.scan_id}", style="bold")
        text.append(f" · {files_in_scope(board.total, board.scope)} · ")
        text.append(f"{share(board.decided, board.total)} decided", style="bold green")
        if board.policy_version is not None:
            text.append(f" · alerts under policy v{board.policy_version}")
        for note in board.notes:
            text.append(f"\n{clean(note, single_line=True)}", style="yellow")
        text.append("\nEnter on a bar: show those files in the queue", style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chart = event.option_list
        if not isinstance(chart, BarChart) or event.option.id is None:
            return
        self.dismiss(bar_filter(chart.bars[int(event.option.id)]))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_depth(self, step: int) -> None:
        if not self.directories_shown:
            return
        self.directory_depth = max(1, (self.directory_depth or 1) + step)
        if self.open_files is None:
            self.load_directories()
        else:
            self.roll_up_directories(self.open_files)

    def action_refresh(self) -> None:
        self.load()
