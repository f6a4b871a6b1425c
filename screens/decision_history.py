"""The inspector's History tab: every event about a file, across the project's scans.

Who, when, what changed (old → new), read from the audit events in a worker; a stale reused
decision also shows what changed in the findings.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.services.review.history import HistoryEntry, item_history
from ospo_tui.services.review.reuse import StaleDifference, stale_difference

_ACTION_STYLE = {
    "decision.record": "bold",
    "decision.bulk": "cyan",
    "decision.undo": "magenta",
    "decision.reuse": "green",
}


def render_history(entries: list[HistoryEntry], stale: StaleDifference | None) -> Text:
    text = Text()
    if stale is not None:
        text.append("STALE - findings changed since the decision was made\n", style="bold red")
        text.append_text(safe_line(f"  detected then: {stale.old_detected}", max_len=None))
        text.append("\n")
        text.append_text(safe_line(f"  detected now:  {stale.new_detected}", max_len=None))
        text.append("\n")
        for line in stale.matches_removed:
            text.append("  - ", style="red")
            text.append_text(safe_line(line))
            text.append("\n")
        for line in stale.matches_added:
            text.append("  + ", style="green")
            text.append_text(safe_line(line))
            text.append("\n")
        text.append("\n")
    if not entries:
        text.append("No events about this file yet.", style="dim")
        return text
    for entry in entries:
        text.append(f"#{entry.seq:<6} {entry.occurred_at}  ", style="dim")
        text.append_text(safe_line(f"{entry.actor} ({entry.role})", max_len=60))
        text.append("  ")
        text.append(entry.action, style=_ACTION_STYLE.get(entry.action, ""))
        text.append("\n        ")
        text.append_text(safe_line(entry.summary, max_len=400))
        text.append("\n")
    return text


class DecisionHistory(Static):
    """Loads its events off the UI thread and shows them, oldest first."""

    def __init__(self, review_item_id: int) -> None:
        super().__init__(Text("Loading history…", style="dim"), id="decision-history")
        self.review_item_id = review_item_id
        self.entries: list[HistoryEntry] = []

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, exit_on_error=False, group="history")

    def _load(self) -> None:
        with reading_as_user(self.app, "the history of the file") as snapshot:
            entries = item_history(snapshot, self.review_item_id)
            stale = stale_difference(snapshot, self.review_item_id)
        self.app.call_from_thread(self._show, entries, stale)

    def _show(self, entries: list[HistoryEntry], stale: StaleDifference | None) -> None:
        self.entries = entries
        self.update(render_history(entries, stale))
