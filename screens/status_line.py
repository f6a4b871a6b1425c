"""A one-line status label that repaints without a layout pass.

``Static.update`` asks for a new layout of the whole screen on every change; the queue's
"file N of T" line changes on every cursor move, so it would re-layout a 150-row table per key.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
    }
    """

    content: reactive[Text] = reactive(Text, layout=False)

    def render(self) -> Text:
        return self.content

    def show(self, content: Text) -> None:
        """Display ``content``: a ``Text`` built with ``safe_text``, never a markup string."""
        self.content = content
