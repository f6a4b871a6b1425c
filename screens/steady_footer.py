"""A footer that rebuilds its keys only when the keys it shows change, and not while hidden.

Textual's ``Footer`` recomposes every key widget whenever the focus moves, even when the shown
keys stay the same; on the queue that rebuild (20–30 ms) would land on every filter applied from
the filter bar. The queue holds the footer still while the bar is open (the bar names its own
keys), so when the bar hands the focus back to the table the footer's keys are still the right
ones, and neither the footer nor the table above it is laid out again.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Hashable, ...] | None = None
        # True while another widget (the filter bar) names its own keys. Not shown by a style
        # (a class change restyles every key: ~10 ms more on each filter applied).
        self.held = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.held:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
