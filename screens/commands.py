"""The command palette provider: every key of the current screen, reachable by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ospo_tui.screens.keys import screen_keys


class ScreenCommands(Provider):
    """Commands follow the screen the palette was opened on: its bindings, by description."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        out: list[tuple[str, str, Callable[[], object]]] = []
        for key in screen_keys(self.screen):
            run = partial(self.app.run_action, key.binding.action, key.node)
            out.append((f"{key.binding.description} ({key.display})", key.binding.tooltip, run))
        return out

    async def discover(self) -> Hits:
        for text, help_text, run in self._commands():
            yield DiscoveryHit(text, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, run in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text, help=help_text)
