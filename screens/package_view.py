"""One package: its manifests, declared vs detected licenses, dependencies and files.

``d`` records the concluded license of the package (version-checked against what is shown);
``enter`` on a file opens it in the file inspector.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import acting_actor, reading_as_user
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.messages import ReviewItemChanged, notify_safe
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.review.package_decisions import decide_package
from ospo_tui.services.review.packages import PackageDetail, package_detail
from ospo_tui.services.review.queue import QueueFilter, QueueRow, queue_row


class PackageDecisionDialog(ModalScreen[str | None]):
    """The concluded license of a package, as an SPDX expression (ScanCode keys accepted)."""

    DEFAULT_CSS = """
    PackageDecisionDialog { align: center middle; }
    PackageDecisionDialog > Vertical {
        width: 80; height: auto; padding: 1 2; border: thick $accent; background: $surface;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="package-decision.cancel")]

    def __init__(self, label: str, prefill: str) -> None:
        super().__init__()
        self.label = label
        self.prefill = prefill

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_line(f"Concluded license of {self.label}", max_len=76))
            yield Input(self.prefill, id="package-license", placeholder="SPDX expression")
            yield Label("enter: save (identified) · escape: cancel")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PackageScreen(Screen[None]):
    DEFAULT_CSS = """
    PackageScreen #package-head { height: auto; padding: 0 1; background: $boost; }
    PackageScreen #package-deps { height: 1fr; }
    PackageScreen #package-files { height: 2fr; }
    """
    BINDINGS = [
        Binding("d", "decide", "Decide", id="package.decide", tooltip="Conclude its license"),
        Binding("enter", "inspect", "Inspect file", id="package.inspect", tooltip="Open the file"),
        Binding("escape", "back", "Back", id="package.back", tooltip="Back to the packages"),
    ]

    class Loaded(Message):
        def __init__(self, detail: PackageDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, package_id: int) -> None:
        super().__init__()
        self.package_id = package_id
        self.detail: PackageDetail | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="package-head")
        deps: DataTable[Text] = DataTable(id="package-deps", cursor_type="row")
        deps.add_columns("Dependency", "Requirement", "Scope", "Runtime", "Optional", "Pinned")
        yield deps
        files: DataTable[Text] = DataTable(id="package-files", cursor_type="row")
        files.add_columns("File", "Detected", "Concluded", "State")
        yield files
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#package-files", DataTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="package")
    def load(self) -> None:
        try:
            with reading_as_user(self.app, f"package #{self.package_id}") as snapshot:
                detail = package_detail(snapshot, self.package_id)
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        self.post_message(self.Loaded(detail))

    def on_package_screen_loaded(self, message: Loaded) -> None:
        self.detail = detail = message.detail
        p = detail.package
        self.sub_title = f"package {p.label}"[:80]
        head = Text()
        head.append_text(safe_line(p.label, max_len=100, style="bold"))
        head.append(f"  · {p.state} · version {p.version_counter} · alert {p.policy_alert or '-'}")
        if p.mismatch:
            head.append("  ≠ declared/detected mismatch", style="bold red")
        for label, value in (
            ("\nDeclared: ", p.declared or "-"),
            ("\nDetected in its files: ", " | ".join(p.detected) or "-"),
            ("\nConcluded: ", p.concluded or "-"),
            ("\nManifests: ", ", ".join(p.datafile_paths) or "-"),
        ):
            head.append(label)
            head.append_text(safe_line(value, max_len=300))
        self.query_one("#package-head", Static).update(head)
        deps = self.query_one("#package-deps", DataTable)
        deps.clear()
        for d in detail.dependencies:
            deps.add_row(
                safe_line(d.purl or "-", max_len=60),
                safe_line(d.extracted_requirement or "", max_len=30),
                safe_line(d.scope or "", max_len=20),
                *(
                    Text("yes" if flag else "no")
                    for flag in (d.is_runtime, d.is_optional, d.is_pinned)
                ),
            )
        files = self.query_one("#package-files", DataTable)
        files.clear()
        for f in detail.files:
            files.add_row(
                safe_line(f.path, max_len=80),
                safe_line(f.detected or "-", max_len=40),
                safe_line(f.concluded or "-", max_len=30),
                Text(f.state or "-"),
            )
        self.loads += 1

    def action_decide(self) -> None:
        if self.detail is None:
            return
        p = self.detail.package
        prefill = p.concluded or p.declared or ""
        self.app.push_screen(PackageDecisionDialog(p.label, prefill), self._decided)

    def _decided(self, expression: str | None) -> None:
        if expression is not None and self.detail is not None:
            self.save(expression, self.detail.package.version_counter)

    @work(thread=True, exit_on_error=False, group="package-decide")
    def save(self, expression: str, version: int) -> None:
        try:
            result = decide_package(
                workbench(self.app).db, acting_actor(self.app), self.package_id, version, expression
            )
        except OspoError as err:
            self.app.call_from_thread(notify_safe, self.app, str(err), severity="error")
            return
        self.app.call_from_thread(
            notify_safe,
            self.app,
            f"{result.purl}: concluded {result.fields.concluded_expression}, {result.state}",
        )
        self.load()

    @on(DataTable.RowSelected, "#package-files")
    def _file_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_inspect()

    def action_inspect(self) -> None:
        table = self.query_one("#package-files", DataTable)
        if self.detail is None or not self.detail.files or table.cursor_row < 0:
            return
        item_id = self.detail.files[table.cursor_row].review_item_id
        if item_id is not None:
            self.open_file(item_id)

    @work(thread=True, exit_on_error=False, group="package-inspect")
    def open_file(self, review_item_id: int) -> None:
        with reading_as_user(self.app, f"review item {review_item_id}") as snapshot:
            row = queue_row(snapshot, review_item_id)
        if row is not None and self.detail is not None:
            self.app.call_from_thread(self._open_inspector, self.detail.package.scan_id, row)

    def _open_inspector(self, scan_id: int, row: QueueRow) -> None:
        self.app.push_screen(InspectorScreen(QueueFilter(scan_id=scan_id, scope="all"), row))

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        self.load()
