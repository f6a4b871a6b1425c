"""The review workbench: the Textual app that ``ospo-tui`` opens with no sub-command.

The app holds what every screen shares (the database, the acting user), the screen registry,
the command palette provider, the ``decide`` hook the decision form plugs into, and the one
place worker failures become notifications.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from ospo_tui.db import Database
from ospo_tui.idle_gc import IdleCollector
from ospo_tui.screens.commands import ScreenCommands
from ospo_tui.screens.messages import notify_safe
from ospo_tui.services.licenses.license_db import license_catalog

# Screens opened by name (``app.action_open_screen('name')``): one line per screen, as
# "module:Class"; the class is built with no arguments.
SCREENS_BY_NAME: dict[str, str] = {
    "picker": "ospo_tui.screens.picker:PickerScreen",
    "inbox": "ospo_tui.screens.inbox:InboxScreen",
    "export": "ospo_tui.screens.export:ExportScreen",
}

# The decision form module (issue 5). It exposes
# ``open_decision_form(app, review_item_id, on_done: Callable[[int], None]) -> None``.
DECISION_FORM_MODULE = "ospo_tui.screens.decision_form"


class ReviewApp(App[int]):
    # Read through the package, not a path: the stylesheet must load from a wheel or a zip too.
    CSS = files("ospo_tui.screens").joinpath("app.tcss").read_text(encoding="utf-8")
    TITLE = "ospo-tui"
    SUB_TITLE = "license review workbench"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="app.help",
            tooltip="Show every key of this screen",
        ),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave ospo-tui"),
        Binding("i", "open_screen('inbox')", "Inbox", id="app.inbox", tooltip="Questions for you"),
        Binding(
            "x",
            "open_screen('export')",
            "Export",
            show=False,
            id="app.export",
            tooltip="Export the decision log, SPDX, CycloneDX or the attribution notice",
        ),
    ]

    def __init__(self, db: Database, user_name: str) -> None:
        super().__init__()
        self.db = db
        self.user_name = user_name
        self.collector = IdleCollector()

    def on_mount(self) -> None:
        self.set_interval(0.1, self.collector.tick, name="idle-gc")
        self.action_open_screen("picker")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input_seen()
        await super().on_event(event)

    # -- screens -------------------------------------------------------------------------------

    def action_open_screen(self, name: str) -> None:
        target = SCREENS_BY_NAME.get(name)
        if target is None:
            notify_safe(self, f"no screen named {name}", severity="error")
            return
        module_name, class_name = target.split(":")
        screen_class = getattr(importlib.import_module(module_name), class_name)
        self.push_screen(screen_class())

    def action_help(self) -> None:
        from ospo_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    # -- decisions -----------------------------------------------------------------------------

    def action_decide(self, review_item_id: int) -> None:
        """Open the decision form for one review item (wired by the decisions module)."""
        try:
            form = importlib.import_module(DECISION_FORM_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name != DECISION_FORM_MODULE:
                raise
            notify_safe(self, "decision form not available", severity="warning")
            return
        opener: Callable[..., Any] | None = getattr(form, "open_decision_form", None)
        if opener is None:
            notify_safe(self, "decision form not available", severity="warning")
            return
        opener(self, review_item_id, self.review_item_changed)

    def review_item_changed(self, review_item_id: int) -> None:
        """A decision (or question) changed an item: every open screen that shows it refreshes."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "review_item_changed", None)
            if refresh is not None:
                refresh(review_item_id)

    # -- failures ------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            notify_safe(self, f"{type(error).__name__}: {error}", severity="error")


def prepare_process() -> None:
    """Load what every session needs, then take it out of the garbage collector's sight.

    A full collection walks every live object: with SQLAlchemy, Textual and the license
    catalog loaded that is ~60 ms, long enough to make a keystroke miss its frame. Frozen
    start-up objects are skipped, so collections stay short, and they are made rarer.
    """
    license_catalog()
    gc.collect()
    gc.freeze()
    # Fewer, later collections: a UI allocates in bursts (one per key) and keeps little.
    gc.set_threshold(20_000, 20, 20)


def run_app(db: Database, user_name: str) -> int:
    prepare_process()
    app = ReviewApp(db, user_name)
    app.run()
    return app.return_code or 0
