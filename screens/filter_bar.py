"""The ``f`` filter bar: review state, license, license key, policy alert, path glob and text.

It sits inside the queue screen instead of a modal screen on top of it: applying a filter then
never pops a screen, so the queue's footer and layout are not rebuilt before the new rows paint.
It floats over the top of the table (``overlay: screen``, in a layer of its own) rather than
pushing it down, so opening and closing it moves no other widget. The focus change that comes
with opening or closing repaints the whole screen anyway (``Screen.focused`` is a repaint
reactive), so the queue moves the focus in the same step as the new rows, never a frame later.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from ospo_tui.services.policy.rules import ALERTS
from ospo_tui.services.review.queue import REVIEW_STATES, QueueFilter

STATE_NAMES = {
    "open": "open",
    "decided": "decided",
    "to_discuss": "to be discussed",
    "question": "question asked",
    "stale": "stale (findings changed since the decision)",
}

# Text fields: (QueueFilter field, widget id, label, placeholder).
TEXT_FIELDS = (
    ("license", "filter-license", "License", "key or SPDX id, part of it: gpl-2.0, MIT…"),
    ("license_key", "filter-license-key", "License key", "one whole ScanCode key: gpl-2.0"),
    ("path_glob", "filter-path", "Path glob", "* and ?, whole path: src/*.c"),
    ("text", "filter-text", "Text", "in path or expression"),
)


class FilterBar(Vertical):
    """Hidden until ``open``; posts ``Applied`` or ``Cancelled`` and leaves hiding to the queue."""

    DEFAULT_CSS = """
    FilterBar {
        display: none;
        layer: filter-bar;
        overlay: screen;
        offset: 0 2;  /* below the header and the queue's status line, over the table */
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    FilterBar #filter-fields { height: auto; }
    FilterBar #filter-state-box { width: 52; height: auto; }
    FilterBar #filter-states { height: auto; max-height: 5; }
    FilterBar #filter-grid {
        grid-size: 2;
        grid-columns: 13 1fr;
        grid-gutter: 0 1;
        grid-rows: 1;
        height: auto;
        margin-left: 2;
    }
    FilterBar #filter-help { color: $text-muted; }
    """

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
        # Tab goes round the bar's own fields: past the last one it would reach the table under
        # the bar, where typing runs queue keys.
        Binding("tab", "cycle(1)", show=False, id="filter.next_field", tooltip="Next field"),
        Binding(
            "shift+tab", "cycle(-1)", show=False, id="filter.previous_field", tooltip="Previous"
        ),
    ]

    class Applied(Message):
        def __init__(self, flt: QueueFilter) -> None:
            super().__init__()
            self.flt = flt

    class Cancelled(Message):
        pass

    def __init__(self, flt: QueueFilter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flt = flt

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Filter the queue · enter or ctrl+s applies · escape cancels · ctrl+r resets"),
            id="filter-help",
        )
        with Horizontal(id="filter-fields"):
            with Vertical(id="filter-state-box"):
                yield Label("State (space toggles; none = any)")
                yield SelectionList[str](
                    *(Selection(STATE_NAMES[state], state) for state in REVIEW_STATES),
                    id="filter-states",
                    compact=True,
                )
            with Grid(id="filter-grid"):
                for _, widget_id, label, placeholder in TEXT_FIELDS[:2]:
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=widget_id, compact=True)
                yield Label("Policy alert")
                yield Select(
                    [(alert, alert) for alert in ALERTS],
                    prompt="any alert",
                    id="filter-alert",
                    compact=True,
                )
                for _, widget_id, label, placeholder in TEXT_FIELDS[2:]:
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=widget_id, compact=True)

    def open(self, flt: QueueFilter) -> None:
        """Show ``flt`` in the fields and move the focus into the bar."""
        self.flt = flt
        states = self.query_one("#filter-states", SelectionList)
        states.deselect_all()
        for state in flt.states:
            states.select(state)
        for field, widget_id, _, _ in TEXT_FIELDS:
            self.query_one(f"#{widget_id}", Input).value = getattr(flt, field) or ""
        alert = self.query_one("#filter-alert", Select)
        if flt.policy_alert:
            alert.value = flt.policy_alert
        else:
            alert.clear()
        self.display = True
        states.focus()

    def current_filter(self) -> QueueFilter:
        def value(widget_id: str) -> str | None:
            return self.query_one(f"#{widget_id}", Input).value.strip() or None

        alert = self.query_one("#filter-alert", Select).value
        selected = self.query_one("#filter-states", SelectionList).selected
        texts = {field: value(widget_id) for field, widget_id, _, _ in TEXT_FIELDS}
        return self.flt.with_changes(
            states=tuple(s for s in REVIEW_STATES if s in selected),
            policy_alert=alert if isinstance(alert, str) else None,
            **texts,
        )

    def on_key(self, event: events.Key) -> None:
        # A letter typed in the bar is never a queue key (d would decide, o filter, ...); the
        # text fields have used theirs already and space toggles a state.
        if event.is_printable and event.key != "space":
            event.stop()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        self.post_message(self.Applied(self.current_filter()))

    def action_cycle(self, step: int) -> None:
        fields = [widget for widget in self.screen.focus_chain if self in widget.ancestors]
        if not fields:
            return
        focused = self.screen.focused
        here = fields.index(focused) if focused in fields else -step
        fields[(here + step) % len(fields)].focus()

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def action_reset(self) -> None:
        self.query_one("#filter-states", SelectionList).deselect_all()
        self.query_one("#filter-alert", Select).clear()
        for field in self.query(Input):
            field.value = ""
