"""A list of rows drawn a line at a time: only the lines in view are built.

The top of a large scan holds thousands of directories, and a search hundreds of hits; a
``DataTable`` or ``OptionList`` builds (and measures) every row when it is shown, which costs more
than reading them. Here ``show`` only stores a row count and a function that draws row N;
``render_line`` draws the rows on screen, each once (cached with the style it was drawn in), so
showing ten thousand rows costs the same as showing ten.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


def fixed_width(cell: Text, width: int) -> Text:
    """``cell`` in exactly ``width`` cells: cut on the left (paths keep their file name),
    padded on the right."""
    if cell.cell_len > width - 2:
        cell = Text("…") + cell[cell.cell_len - width + 3 :]
    cell.pad_right(width - cell.cell_len)
    return cell


def list_keys(prefix: str, open_tooltip: str) -> list[BindingType]:
    """The keys of a line list, their ids under ``prefix`` (for keymaps and the help screen)."""
    return [
        Binding("j,down", "move(1)", "Down", show=False, id=f"{prefix}.down", tooltip="Next row"),
        Binding(
            "k,up", "move(-1)", "Up", show=False, id=f"{prefix}.up_row", tooltip="Previous row"
        ),
        Binding("pagedown", "page(1)", show=False, id=f"{prefix}.page_down", tooltip="Page down"),
        Binding("pageup", "page(-1)", show=False, id=f"{prefix}.page_up", tooltip="Page up"),
        Binding("g,home", "to(0)", show=False, id=f"{prefix}.first", tooltip="First row"),
        Binding("G,end", "to(-1)", show=False, id=f"{prefix}.last", tooltip="Last row"),
        Binding("enter", "select", "Open", id=f"{prefix}.open", tooltip=open_tooltip),
    ]


class LineList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    LineList { height: 1fr; }
    LineList > .line-list--cursor { background: $accent; color: $text; }
    """
    COMPONENT_CLASSES = {"line-list--cursor"}
    BINDINGS = list_keys("list", "Open this row")

    class Selected(Message):
        """Enter on a row."""

        def __init__(self, line_list: LineList, index: int) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index

        @property
        def control(self) -> LineList:
            """The list (what ``@on(LineList.Selected, "#id")`` matches)."""
            return self.line_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self.cursor = 0
        self._draw: Callable[[int], Text] = lambda index: Text()
        # (row, is cursor) -> (the style it was drawn with, its segments)
        self._lines: dict[tuple[int, bool], tuple[Style, list[Segment]]] = {}

    def show(self, count: int, draw: Callable[[int], Text], cursor: int = 0) -> None:
        """Rows 0..count-1, drawn by ``draw(index)`` when they come into view."""
        self.count, self._draw, self._lines = count, draw, {}
        self.virtual_size = Size(self.size.width, count)
        self.move_to(cursor)
        self.refresh()

    def move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, self.count - 1))
        top, height = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor + step * max(1, self.scrollable_content_region.height - 1))

    def action_to(self, index: int) -> None:
        self.move_to(index if index >= 0 else self.count - 1)

    def action_select(self) -> None:
        if self.count:
            self.post_message(self.Selected(self, self.cursor))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        if index >= self.count:
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("line-list--cursor")
        cached = self._lines.get((index, is_cursor))
        if cached is not None and cached[0] == base:
            segments = cached[1]
        else:
            # Drawn again only when the row or its style changed: showing the screen again
            # re-applies its styles (usually to the same values), and that must not redraw.
            text = self._draw(index)
            segments = [
                Segment(segment.text, base + segment.style if segment.style else base)
                for segment in text.render(self.app.console)
                if segment.text != "\n"
            ]
            self._lines[(index, is_cursor)] = (base, segments)
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
