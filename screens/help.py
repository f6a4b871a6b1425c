"""The ``?`` help screen: every key of the screen underneath, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from ospo_tui.screens.keys import screen_keys


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close", tooltip="Close the help screen"),
    ]

    def __init__(self, underneath: Screen[object]) -> None:
        super().__init__()
        self.keys = screen_keys(underneath)
        self.title_text = (
            f"Keys of the {underneath.__class__.__name__.removesuffix('Screen').lower()} screen"
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text(self.title_text, style="bold"), id="help-title")
            table: DataTable[Text] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Key", "Action", "What it does")
            for key in self.keys:
                table.add_row(
                    Text(key.display, style="bold"),
                    Text(key.binding.description),
                    Text(key.binding.tooltip),
                )
            yield table
            yield Static(
                Text(
                    "ctrl+p opens the command palette: every action above, by name. escape closes."
                ),
                id="help-foot",
            )
