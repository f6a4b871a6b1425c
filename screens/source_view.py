"""The scanned file's source, line-numbered, with matched line ranges highlighted.

A Line-API scroll view: only the visible lines are rendered, so a 2 MB file scrolls as fast as
a small one. Every line passes through ``safe_text.clean`` first, so escapes and markup in the
source are shown, never obeyed.
"""

from __future__ import annotations

from bisect import bisect_left

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ospo_tui.safe_text import clean

_CONTEXT = 3  # lines shown above a match when jumping to it


class SourceView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    SourceView {
        height: 1fr;
        background: $surface;
    }
    SourceView:focus {
        background-tint: $foreground 3%;
    }
    """
    BINDINGS = [
        Binding(
            "j,down", "scroll_down", "Down", show=False, id="source.down", tooltip="Scroll down"
        ),
        Binding("k,up", "scroll_up", "Up", show=False, id="source.up", tooltip="Scroll up"),
    ]

    class MatchShown(Message):
        def __init__(self, index: int, count: int, start: int, end: int) -> None:
            super().__init__()
            self.index = index
            self.count = count
            self.start = start
            self.end = end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] = []
        self.ranges: tuple[tuple[int, int], ...] = ()
        self._starts: list[int] = []
        self._line_match: dict[int, int] = {}  # 1-based line -> first range holding it
        self.current_match = -1
        self.found_line: int | None = None  # 1-based line of the text found with /, if any
        self._gutter = 1
        self._normal = Style()
        self._number = Style(dim=True)
        self._matched = Style(bgcolor="#3b3b00")
        self._matched_number = Style(color="yellow", bold=True)
        self._current = Style(bgcolor="#5f5f00")
        self._found = Style(bgcolor="#005f87", bold=True)

    def show(self, text: str, ranges: tuple[tuple[int, int], ...]) -> None:
        """Display ``text`` (already read safely) with the matched 1-based line ranges."""
        raw_lines = text.split("\n")
        if raw_lines and raw_lines[-1] == "":
            raw_lines.pop()
        self.lines = [clean(line.rstrip("\r")).expandtabs(4) for line in raw_lines]
        self.ranges = ranges
        self._starts = [start for start, _ in ranges]
        self._line_match = {}
        for match_index, (start, end) in enumerate(ranges):
            for number in range(max(1, start), min(end, len(self.lines)) + 1):
                self._line_match.setdefault(number, match_index)
        self.current_match = -1
        self.found_line = None
        self._gutter = len(str(max(1, len(self.lines)))) + 1
        width = max((len(line) for line in self.lines), default=0) + self._gutter + 2
        self.virtual_size = Size(width, len(self.lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        number = index + 1
        match = self._line_match.get(number)
        if match is None:
            text_style, number_style = self._normal, self._number
        else:
            current = self.current_match >= 0 and (
                self.ranges[self.current_match][0] <= number <= self.ranges[self.current_match][1]
            )
            text_style = self._current if current else self._matched
            number_style = self._matched_number
        if number == self.found_line:
            text_style = self._found
        gutter = f"{number:>{self._gutter - 1}} "
        marker = "▌" if match is not None else " "
        segments = [
            Segment(gutter, number_style),
            Segment(marker, number_style),
            Segment(self.lines[index], text_style),
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, text_style).apply_style(self.rich_style)

    def jump(self, match_index: int) -> None:
        if not self.ranges:
            return
        self.current_match = match_index % len(self.ranges)
        start, end = self.ranges[self.current_match]
        self.scroll_to(y=max(0, start - 1 - _CONTEXT), animate=False)
        self.refresh()
        self.post_message(self.MatchShown(self.current_match, len(self.ranges), start, end))

    def show_line(self, number: int) -> None:
        """Scroll to 1-based line ``number`` and mark it as the one found."""
        self.found_line = number
        self.scroll_to(y=max(0, number - 1 - _CONTEXT), animate=False)
        self.refresh()

    def action_next_match(self) -> None:
        if self.current_match < 0:
            # First jump: the first range at or below the top line.
            top = self.scroll_offset.y + 1
            self.jump(bisect_left(self._starts, top) if self._starts else 0)
        else:
            self.jump(self.current_match + 1)

    def action_previous_match(self) -> None:
        self.jump(self.current_match - 1 if self.current_match >= 0 else -1)
