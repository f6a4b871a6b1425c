"""The ``f`` filter dialog: review state, license, path glob and free text for the queue."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from ospo_tui.models.review import REVIEW_STATES
from ospo_tui.services.policy import ALERTS
from ospo_tui.services.queue import QueueFilter

STATE_NAMES = {
    "open": "open",
    "decided": "decided",
    "to_discuss": "to be discussed",
    "question": "question asked",
    "stale": "stale (findings changed since the decision)",
}


class FilterDialog(ModalScreen[QueueFilter | None]):
    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", id="filter.cancel", tooltip="Keep the current filter"
        ),
        Binding(
            "ctrl+s",
            "apply",
            "Apply",
            id="filter.apply",
            tooltip="Apply the filter (enter in a field does too)",
        ),
        Binding("ctrl+r", "reset", "Reset", id="filter.reset", tooltip="Empty every field"),
    ]

    def __init__(self, flt: QueueFilter) -> None:
        super().__init__()
        self.flt = flt

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-box"):
            yield Static(Text("Filter the queue", style="bold"))
            yield Label("State (space toggles; none = any)")
            yield SelectionList[str](
                *(
                    Selection(STATE_NAMES[state], state, state in self.flt.states)
                    for state in REVIEW_STATES
                ),
                id="filter-states",
            )
            yield Label("License (ScanCode key or SPDX id, part of it is enough)")
            yield Input(self.flt.license or "", placeholder="gpl-2.0, MIT…", id="filter-license")
            yield Label("Policy alert")
            yield Select(
                [(alert, alert) for alert in ALERTS],
                value=self.flt.policy_alert or Select.NULL,
                prompt="any alert",
                id="filter-alert",
            )
            yield Label("Path glob (* and ?, whole path)")
            yield Input(self.flt.path_glob or "", placeholder="src/*.c", id="filter-path")
            yield Label("Text (in path or expression)")
            yield Input(self.flt.text or "", placeholder="free text", id="filter-text")
            yield Static(
                Text("enter or ctrl+s apply · escape cancels · ctrl+r resets"), id="filter-help"
            )

    def on_mount(self) -> None:
        self.query_one("#filter-states", SelectionList).focus()

    def current_filter(self) -> QueueFilter:
        def value(selector: str) -> str | None:
            text = self.query_one(selector, Input).value.strip()
            return text or None

        alert = self.query_one("#filter-alert", Select).value
        states = tuple(
            s
            for s in REVIEW_STATES
            if s in self.query_one("#filter-states", SelectionList).selected
        )
        return self.flt.with_changes(
            states=states,
            license=value("#filter-license"),
            path_glob=value("#filter-path"),
            text=value("#filter-text"),
            policy_alert=alert if isinstance(alert, str) else None,
        )

    @on(Input.Submitted)
    def action_apply(self) -> None:
        self.dismiss(self.current_filter())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_reset(self) -> None:
        self.query_one("#filter-states", SelectionList).deselect_all()
        self.query_one("#filter-alert", Select).clear()
        for field in self.query(Input):
            field.value = ""
