"""The packages of a scan: what the OSPO decides and ships, one row per package.

Columns: purl, declared license, the licenses detected in its files, concluded license, policy
alert, files and open files. A package whose files hold licenses its manifest does not declare is
flagged ``≠`` and ranks first. ``enter`` opens the package.
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
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.messages import ReviewItemChanged, notify_safe
from ospo_tui.screens.package_view import PackageScreen
from ospo_tui.services.review.packages import PackageRow, scan_packages

ALERT_STYLES = {"error": "bold red", "warning": "yellow", "missing": "magenta", "ok": "green"}


class PackagesScreen(Screen[None]):
    DEFAULT_CSS = """
    PackagesScreen #packages-head {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    PackagesScreen DataTable {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("enter", "open_package", "Open", id="packages.open", tooltip="Open the package"),
        Binding("r", "reload", "Reload", id="packages.reload", tooltip="Read the packages again"),
        Binding("escape", "back", "Back", id="packages.back", tooltip="Back"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[PackageRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, scan_id: int) -> None:
        super().__init__()
        self.scan_id = scan_id
        self.rows: list[PackageRow] = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="packages-head")
        table: DataTable[Text] = DataTable(
            id="packages-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns(
            "≠", "Package", "Declared", "Detected in files", "Concluded", "Alert", "Files", "Open"
        )
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"packages of scan {self.scan_id}"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="packages")
    def load(self) -> None:
        try:
            with reading_as_user(self.app, f"packages of scan {self.scan_id}") as snapshot:
                rows = scan_packages(snapshot, scan_id=self.scan_id)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        self.post_message(self.Loaded(rows))

    def on_packages_screen_loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        mismatches = sum(row.mismatch for row in self.rows)
        self.query_one("#packages-head", Static).update(
            Text(
                f"{len(self.rows)} packages · {mismatches} with licenses in their files that "
                "their manifest does not declare (≠, listed first)"
            )
        )
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*package_cells(row), key=str(row.id))
        self.loads += 1

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_package()

    def action_open_package(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        self.app.push_screen(PackageScreen(self.rows[table.cursor_row].id))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        if self.loads:
            self.load()  # back from a package, which may have been decided

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        self.load()  # a file decision changes a package's open files


def package_cells(row: PackageRow) -> list[Text]:
    return [
        Text("≠", style="bold red") if row.mismatch else Text(""),
        safe_line(row.label, max_len=60),
        safe_line(row.declared or "-", max_len=30),
        safe_line(" | ".join(row.detected) or "-", max_len=50),
        safe_line(row.concluded or "-", max_len=30),
        Text(row.policy_alert or "-", style=ALERT_STYLES.get(row.policy_alert or "", "")),
        Text(str(row.files), justify="right"),
        Text(str(row.open_files), justify="right"),
    ]
