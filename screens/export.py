"""The export dialog: pick what to export and where, and watch it stream to the file.

The export runs in a worker thread through the same service as ``ospo-tui export``; progress
comes back as messages that move the bar. The scope is the scan the screen underneath shows
(the queue), else the latest scan of the only project.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, ProgressBar, Select, Static

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe, safe_line
from ospo_tui.screens.acting import acting_actor
from ospo_tui.screens.messages import notify_safe
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.export.output import ExportResult
from ospo_tui.services.export.run import EXPORT_KINDS, run_export
from ospo_tui.wording import plural

_EXTENSIONS = {
    ("decision-log", "csv"): "decision-log.csv",
    ("decision-log", "json"): "decision-log.json",
    ("spdx", "json"): "spdx.json",
    ("spdx", "tag-value"): "spdx",
    ("cyclonedx", "json"): "cdx.json",
    ("attribution", "text"): "NOTICE.txt",
    ("attribution", "html"): "NOTICE.html",
    ("report", "xlsx"): "review.xlsx",
}


def default_file_name(project: str | None, kind: str, fmt: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in (project or "project"))
    return f"{stem}.{_EXTENSIONS[(kind, fmt)]}"


class ExportScreen(ModalScreen[ExportResult | None]):
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    #export-box {
        width: 80; max-width: 95%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    #export-box Label { margin-top: 1; }
    #export-progress { margin-top: 1; }
    #export-status { margin-top: 1; height: auto; }
    #export-help { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="export.close", tooltip="Close (an export runs on)"),
        Binding(
            "ctrl+s",
            "export",
            "Export",
            id="export.start",
            tooltip="Write the export (enter in the file field does too)",
        ),
    ]

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Finished(Message):
        def __init__(self, result: ExportResult | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, project: str | None = None, scan_id: int | None = None) -> None:
        super().__init__()
        self.project = project
        self.scan_id = scan_id
        self.running = False
        self.result: ExportResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text("Export the review", style="bold"))
            yield Static(self._scope_text(), id="export-scope")
            yield Label("What")
            yield Select(
                [(f"{k.name}: {k.description}", k.name) for k in EXPORT_KINDS.values()],
                value="decision-log",
                allow_blank=False,
                id="export-kind",
            )
            yield Label("Format")
            yield Select([("csv", "csv")], value="csv", allow_blank=False, id="export-format")
            yield Checkbox("include private comments (decision log only)", id="export-private")
            yield Label("File")
            yield Input(default_file_name(self.project, "decision-log", "csv"), id="export-path")
            yield ProgressBar(total=None, show_eta=False, id="export-progress")
            yield Static("", id="export-status")
            yield Static(Text("ctrl+s or enter exports · escape closes"), id="export-help")

    def _scope_text(self) -> Text:
        if self.project is None:
            return Text("Scope: the latest scan of the only project")
        scan = f", scan {self.scan_id}" if self.scan_id is not None else ", latest scan"
        return safe_line(f"Scope: {self.project}{scan}")

    def on_mount(self) -> None:
        if self.project is None:
            for screen in reversed(self.app.screen_stack):
                if isinstance(screen, QueueScreen):
                    self.project, self.scan_id = screen.project, screen.flt.scan_id
                    break
            self.query_one("#export-scope", Static).update(self._scope_text())
            self._suggest_path()
        self.query_one("#export-kind", Select).focus()

    # -- the form ------------------------------------------------------------------------------

    def _choice(self) -> tuple[str, str]:
        kind = str(self.query_one("#export-kind", Select).value)
        fmt = str(self.query_one("#export-format", Select).value)
        return kind, fmt

    def _suggest_path(self) -> None:
        kind, fmt = self._choice()
        if (kind, fmt) in _EXTENSIONS:
            self.query_one("#export-path", Input).value = default_file_name(self.project, kind, fmt)

    @on(Select.Changed, "#export-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        spec = EXPORT_KINDS[str(event.value)]
        formats = self.query_one("#export-format", Select)
        formats.set_options([(f, f) for f in spec.formats])
        formats.value = spec.formats[0]
        private = self.query_one("#export-private", Checkbox)
        private.disabled = spec.name != "decision-log"
        if private.disabled:
            private.value = False
        self._suggest_path()

    @on(Select.Changed, "#export-format")
    def _format_changed(self) -> None:
        self._suggest_path()

    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        if self.running:
            notify_safe(self.app, "an export is already running", severity="warning")
            return
        kind, fmt = self._choice()
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        if not path.name:
            self._status(Text("name a file to write", style="red"))
            return
        self.running = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        self._status(safe_line(f"exporting {kind} ({fmt}) to {path}…"))
        private = self.query_one("#export-private", Checkbox).value
        self.run_export(kind, fmt, path, private)

    def _status(self, text: Text) -> None:
        self.query_one("#export-status", Static).update(text)

    # -- the work ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def run_export(self, kind: str, fmt: str, path: Path, include_private: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.post_message(self.Progressed(done, total))

        try:
            result = run_export(
                workbench(self.app).db,
                acting_actor(self.app),
                kind,
                path,
                project=self.project,
                scan_id=self.scan_id,
                fmt=fmt,
                include_private=include_private,
                progress=progress,
            )
        except OspoError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        self.post_message(self.Finished(result, None))

    def on_export_screen_progressed(self, message: Progressed) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)

    def on_export_screen_finished(self, message: Finished) -> None:
        self.running = False
        bar = self.query_one("#export-progress", ProgressBar)
        if message.error is not None or message.result is None:
            bar.update(total=1, progress=0)
            self._status(safe(f"export failed: {message.error}", style="red"))
            return
        result = message.result
        self.result = result
        bar.update(total=max(result.rows, 1), progress=max(result.rows, 1))
        self._status(
            safe(
                f"wrote {plural(result.rows, 'row')} to {result.path}\nsha256 {result.sha256} "
                f"(audit event {result.event_seq})"
            )
        )
        notify_safe(self.app, f"exported {result.kind} to {result.path}")

    def action_close(self) -> None:
        self.dismiss(self.result)
