"""The queue screen's keys, in the order the footer, the help screen and the palette list them.

The table's own keys (enter, j/k, paging) live with ``QueueTable``.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ospo_tui.screens.keys import ask_key, decide_key

QUEUE_KEYS: list[BindingType] = [
    decide_key("queue"),
    ask_key("queue"),
    Binding(
        "f",
        "filter",
        "Filter",
        id="queue.filter",
        tooltip="Show or hide the filter bar: state, license, alert, path, text",
    ),
    Binding(
        "slash",
        "search",
        "Search",
        key_display="/",
        id="queue.search",
        tooltip="Incremental search in path and expression",
    ),
    # Secondary keys stay out of the footer (the help screen and palette list them): every
    # footer key is a widget rebuilt whenever focus or the screen changes.
    Binding(
        "n",
        "search_next",
        "Next match",
        show=False,
        id="queue.search_next",
        tooltip="Next search match",
    ),
    Binding(
        "N",
        "search_previous",
        "Prev match",
        show=False,
        id="queue.search_previous",
        tooltip="Previous search match",
    ),
    Binding(
        "o",
        "toggle_open",
        "Open only",
        show=False,
        id="queue.open_only",
        tooltip="Show only open files, or every state again",
    ),
    Binding(
        "l",
        "same_license",
        "Same license",
        show=False,
        id="queue.same_license",
        tooltip="Show only files whose detected expression holds this file's",
    ),
    Binding(
        "S",
        "app.search_everywhere",
        "Search all",
        id="queue.search_everywhere",
        tooltip="Search paths, matched text, copyrights and license texts of the whole scan",
    ),
    Binding(
        "D",
        "dashboard",
        "Dashboard",
        id="queue.dashboard",
        tooltip="Progress, alerts, licenses and directories as bar charts; Enter on a bar filters the queue",
    ),
    Binding(
        "s",
        "cycle_scope",
        "Scope",
        id="queue.scope",
        tooltip="Files with findings, files without findings, all files (the header names it)",
    ),
    Binding(
        "t",
        "tree",
        "Tree",
        id="queue.tree",
        tooltip="Directories with their files, open, decided, questions and worst alert",
    ),
    Binding(
        "u",
        "undo_bulk",
        "Undo bulk",
        show=False,
        id="queue.undo_bulk",
        tooltip="Undo the last bulk decision made here",
    ),
    Binding(
        "c",
        "clear_filter",
        "Clear filter",
        show=False,
        id="queue.clear",
        tooltip="Show every file of the scope again",
    ),
    Binding("r", "reload", "Reload", show=False, id="queue.reload", tooltip="Read the queue again"),
    Binding("escape", "back", "Back", id="queue.back", tooltip="Back to the scan list"),
]
