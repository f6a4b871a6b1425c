"""The keys a screen offers, in one list shared by the help screen and the command palette;
and the keys on a file, defined once for every screen that shows one."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

# Keys the palette and help leave out: the palette's own key and Textual's internals.
_HIDDEN_ACTIONS = frozenset({"command_palette"})


@dataclass(frozen=True)
class ScreenKey:
    node: DOMNode
    binding: Binding
    display: str


def screen_keys(screen: Screen[object]) -> list[ScreenKey]:
    """Bindings active on ``screen``, screen and focused widget first, app keys last."""
    seen: set[str] = set()
    out: list[ScreenKey] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or binding.action in _HIDDEN_ACTIONS or not binding.description:
            continue
        if binding.id is None:
            continue  # Textual's own scrolling and focus keys; ours all carry an id
        ident = binding.id or binding.action
        display = binding.key_display or screen.app.get_key_display(binding)
        if ident in seen:
            # Two keys for one action (j and down): show them together.
            for index, existing in enumerate(out):
                if (existing.binding.id or existing.binding.action) == ident:
                    out[index] = ScreenKey(
                        existing.node, existing.binding, f"{existing.display}/{display}"
                    )
            continue
        seen.add(ident)
        out.append(ScreenKey(active.node, binding, display))
    return out


# The keys on a file, wherever a file is shown (queue, inspector, question view): one
# definition, so they never drift apart. ``screen`` prefixes the id (``queue.decide``), which
# keymaps use to tell the screens apart.


def decide_key(screen: str) -> Binding:
    """``d``: the decision form on the file in view."""
    return Binding(
        "d", "decide", "Decide", id=f"{screen}.decide", tooltip="Record a decision on this file"
    )


def ask_key(screen: str) -> Binding:
    """``a``: reviewers ask an engineer about the file in view; engineers answer."""
    return Binding(
        "a", "question", "Ask/answer", id=f"{screen}.question", tooltip="Ask an engineer"
    )
