"""The search screen (``S`` on the queue): one phrase over the scan's paths, matched text,
copyrights and license texts, whose hits open in the inspector.

``b`` bulk-decides every file whose matched text holds the phrase (FOSSology's MonkBulk): the
decision form opens with that selection, shows how many files it covers on the first ctrl+s
and applies on the second.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import safe_line
from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.inspector import InspectorScreen
from ospo_tui.screens.line_list import LineList, fixed_width
from ospo_tui.screens.messages import DecisionRequested, notify_safe
from ospo_tui.screens.status_line import StatusLine
from ospo_tui.screens.steady_footer import SteadyFooter
from ospo_tui.services.review.queue import QueueFilter, queue_row
from ospo_tui.services.review.search import SearchHit, first_file_with_license, search
from ospo_tui.wording import plural

SHOWN_PER_FIELD = 50  # a screen shows 40 lines: more hits only cost time; refine the phrase
FIELD_LABELS = {
    "path": "path",
    "matched": "matched text",
    "copyright": "copyright",
    "license": "license text",
}
WIDTHS = (14, 62)  # "Found in" and "Path"; the text takes what is left


def _hit_line(label: str, path: Text, snippet: Text) -> Text:
    line = Text(label.ljust(WIDTHS[0]))
    line.append_text(fixed_width(path, WIDTHS[1]))
    line.append_text(snippet)
    return line


class SearchScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "slash",
            "edit_phrase",
            "Search",
            key_display="/",
            id="search.phrase",
            tooltip="Type another phrase",
        ),
        Binding(
            "b",
            "bulk_by_phrase",
            "Bulk by phrase",
            id="search.bulk",
            tooltip="Decide every file whose matched text contains the phrase (preview first)",
        ),
        Binding("escape", "back", "Back", id="search.back", tooltip="Back to the queue"),
    ]

    class Found(Message):
        def __init__(self, text: str, hits: list[SearchHit], error: str | None) -> None:
            super().__init__()
            self.text = text
            self.hits = hits
            self.error = error

    def __init__(self, scan_id: int, project: str) -> None:
        super().__init__()
        self.scan_id = scan_id
        self.project = project
        self.hits: list[SearchHit] = []
        self.phrase = ""  # the phrase whose hits are shown
        self.searches = 0  # results shown so far (tests wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="phrase in paths, matched text, copyrights, license texts (enter)",
            id="search-field",
        )
        yield StatusLine(id="search-status")
        yield Static(_hit_line("Found in", Text("Path"), Text("Text")), id="search-columns")
        # Hits are drawn as they come into view: a search of common words shows hundreds.
        yield LineList(id="search-results")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"search · {self.project} · scan {self.scan_id}"
        self.query_one("#search-field", Input).focus()

    @on(Input.Submitted, "#search-field")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_search(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, text: str) -> None:
        try:
            with reading_as_user(self.app, "the search index") as snapshot:
                hits = search(snapshot, text, scan_id=self.scan_id, limit=SHOWN_PER_FIELD)
        except OspoError as err:
            self.post_message(self.Found(text, [], str(err)))
            return
        self.post_message(self.Found(text, hits, None))

    def on_search_screen_found(self, message: Found) -> None:
        self.searches += 1
        status = self.query_one("#search-status", StatusLine)
        if message.error is not None:
            status.show(safe_line(message.error, max_len=None, style="bold red"))
            return
        self.phrase, self.hits = message.text.strip(), message.hits
        hits = message.hits
        self.query_one("#search-results", LineList).show(len(hits), lambda i: self._line(hits[i]))
        status.show(
            safe_line(
                f"{plural(len(message.hits), 'hit')} for {self.phrase!r} (at most {SHOWN_PER_FIELD} per "
                "field) · enter opens a hit · b bulk-decides every file whose matched text holds it",
                max_len=None,
            )
        )
        if message.hits:
            self.query_one("#search-results", LineList).focus()

    @staticmethod
    def _line(hit: SearchHit) -> Text:
        path, snippet = safe_line(hit.path, max_len=None), safe_line(hit.snippet, max_len=120)
        return _hit_line(FIELD_LABELS[hit.kind], path, snippet)

    @on(LineList.Selected, "#search-results")
    def _open(self, event: LineList.Selected) -> None:
        event.stop()
        self.open_hit(self.hits[event.index])

    @work(thread=True, exit_on_error=False, group="search-open")
    def open_hit(self, hit: SearchHit) -> None:
        """The hit's file in the inspector; for a license text, the first file matched to it."""
        with reading_as_user(self.app, "the search index") as snapshot:
            item = hit.review_item_id or first_file_with_license(snapshot, hit.scan_id, hit.path)
            row = queue_row(snapshot, item) if item is not None else None
        if row is None:
            message = f"no file of this scan is matched to {hit.path}"
            self.app.call_from_thread(notify_safe, self.app, message)
        else:
            flt = QueueFilter(scan_id=self.scan_id, scope="all")
            self.app.call_from_thread(self.app.push_screen, InspectorScreen(flt, row))

    def action_edit_phrase(self) -> None:
        self.query_one("#search-field", Input).focus()

    def action_bulk_by_phrase(self) -> None:
        matched = [h for h in self.hits if h.kind == "matched" and h.review_item_id is not None]
        if not matched:
            notify_safe(self.app, "search for a phrase that occurs in matched text first")
            return
        cursor = self.query_one("#search-results", LineList).cursor
        chosen = self.hits[cursor] if 0 <= cursor < len(self.hits) else None
        target = chosen if chosen in matched else matched[0]
        assert target is not None and target.review_item_id is not None
        self.post_message(DecisionRequested(target.review_item_id, phrase=self.phrase))

    def action_back(self) -> None:
        self.app.pop_screen()
