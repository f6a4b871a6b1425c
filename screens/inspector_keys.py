"""The inspector's keys, in the order the footer, the help screen and the palette list them."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ospo_tui.screens.keys import ask_key, decide_key

INSPECTOR_KEYS: list[BindingType] = [
    Binding(
        "right_square_bracket",
        "next_file",
        "Next file",
        key_display="]",
        id="inspector.next",
        tooltip="Next file of the queue",
    ),
    Binding(
        "left_square_bracket",
        "previous_file",
        "Prev file",
        key_display="[",
        id="inspector.previous",
        tooltip="Previous file of the queue",
    ),
    decide_key("inspector"),
    ask_key("inspector"),
    Binding(
        "m",
        "next_match",
        "Next match",
        id="inspector.next_match",
        tooltip="Jump to the next matched line range in the source",
    ),
    Binding(
        "M",
        "previous_match",
        "Prev match",
        id="inspector.previous_match",
        tooltip="Jump to the previous matched line range",
    ),
    Binding(
        "1",
        "tab('source')",
        "Source",
        show=False,
        id="inspector.tab_source",
        tooltip="Source tab",
    ),
    Binding(
        "2",
        "tab('matches')",
        "Matches",
        show=False,
        id="inspector.tab_matches",
        tooltip="Matches tab",
    ),
    Binding(
        "3",
        "tab('copyrights')",
        "Copyrights",
        show=False,
        id="inspector.tab_copyrights",
        tooltip="Copyrights tab",
    ),
    Binding(
        "4",
        "tab('license')",
        "License text",
        show=False,
        id="inspector.tab_license",
        tooltip="License reference text tab",
    ),
    Binding(
        "5",
        "tab('notes')",
        "Notes",
        show=False,
        id="inspector.tab_notes",
        tooltip="ScanCode todo comments, scan errors, file facts",
    ),
    Binding(
        "6",
        "tab('history')",
        "History",
        show=False,
        id="inspector.tab_history",
        tooltip="Decision history tab",
    ),
    Binding(
        "slash",
        "find",
        "Find",
        key_display="/",
        id="inspector.find",
        tooltip="Find text in the source and the matched text",
    ),
    Binding(
        "n",
        "find_next",
        "Next found",
        show=False,
        id="inspector.find_next",
        tooltip="Next place the found text occurs",
    ),
    Binding(
        "N",
        "find_previous",
        "Prev found",
        show=False,
        id="inspector.find_previous",
        tooltip="Previous place the found text occurs",
    ),
    Binding(
        "f",
        "false_positive",
        "Not a copyright",
        show=False,
        id="inspector.false_positive",
        tooltip="Copyrights tab: mark the detection as a false positive, or restore it",
    ),
    Binding(
        "escape", "back", "Back", id="inspector.back", tooltip="Back to the queue, on this file"
    ),
]
