"""The review workbench: the Textual app that ``ospo-tui`` opens with no sub-command.

The app holds what every screen shares (the database and the user: it is the screens'
``Workbench``), the screen registry and the command palette provider. It opens the decision
form when a screen asks for it, hands every change to a review item on to all screens, and is
the one place worker failures become notifications.
"""

from __future__ import annotations

import gc
from importlib.resources import files
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ospo_tui.db import Database
from ospo_tui.idle_gc import IdleCollector
from ospo_tui.screens.commands import ScreenCommands
from ospo_tui.screens.deciding import open_decision_form
from ospo_tui.screens.export import ExportScreen
from ospo_tui.screens.global_search import SearchScreen
from ospo_tui.screens.help import HelpScreen
from ospo_tui.screens.inbox import InboxScreen
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.messages import DecisionRequested, ReviewItemChanged, notify_safe
from ospo_tui.screens.packages import PackagesScreen
from ospo_tui.screens.picker import PickerScreen
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.review.queue import QueueFilter

# Screens opened by name (``app.action_open_screen('name')``), each built with no arguments.
SCREENS_BY_NAME: dict[str, type[Screen[Any]]] = {
    "picker": PickerScreen,
    "inbox": InboxScreen,
    "export": ExportScreen,
}


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
            "P",
            "open_packages",
            "Packages",
            show=False,
            id="app.packages",
            tooltip="The packages of the scan on screen: declared vs detected, concluded",
        ),
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
        screen_class = SCREENS_BY_NAME.get(name)
        if screen_class is None:
            notify_safe(self, f"no screen named {name}", severity="error")
            return
        self.push_screen(screen_class())

    def action_open_packages(self) -> None:
        flt = self._queue_filter_shown()
        if flt is None:
            notify_safe(self, "open a scan's queue first (its packages are listed then)")
            return
        self.push_screen(PackagesScreen(flt.scan_id))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    # -- what the screens ask for and announce ---------------------------------------------------

    def on_decision_requested(self, message: DecisionRequested) -> None:
        flt = self._queue_filter_shown()
        open_decision_form(self, message.review_item_id, flt, phrase=message.phrase)

    def action_search_everywhere(self) -> None:
        """``S`` on the queue: the search screen over the queue's scan."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, QueueScreen):
                self.push_screen(SearchScreen(screen.flt.scan_id, screen.project))
                return

    def _queue_filter_shown(self) -> QueueFilter | None:
        """What the nearest queue (or the inspector walking it) shows: a bulk may cover it."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, QueueScreen | InspectorScreen):
                return screen.flt
        return None

    def on_review_item_changed(self, message: ReviewItemChanged) -> None:
        """Every screen on the stack gets the news; those that show the item read it again."""
        for screen in self.screen_stack:
            screen.post_message(ReviewItemChanged(message.review_item_id, bulk=message.bulk))

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
