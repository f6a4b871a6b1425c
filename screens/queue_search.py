"""The queue's incremental search (``/``, ``n``, ``N``): the cursor jumps to the next row whose
path or expression holds the text, loading its window when it is not in the table.

A mixin of ``QueueScreen``; its handlers go by name (``on_…``), which Textual finds on mixins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Input
from textual.worker import get_current_worker

from ospo_tui.screens.acting import reading_as_user
from ospo_tui.screens.messages import notify_safe
from ospo_tui.screens.queue_loading import SUBJECT, SearchResult
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.review.queue import QueueFilter, QueueKey, queue_search

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

SEARCH_FIELD = "queue-search"


class QueueSearch:
    """Search for a screen with a queue filter (``flt``), a ``QueueTable`` and a search field."""

    if TYPE_CHECKING:
        flt: QueueFilter
        app: App[Any]
        search_text: str
        search_origin: QueueKey | None
        searches: int
        unmatched: str | None

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def post_message(self, message: Message) -> bool: ...
        def show_row(self, key: QueueKey, review_item_id: int) -> None: ...

    def action_search(self) -> None:
        search = self.query_one(f"#{SEARCH_FIELD}", Input)
        current = self.query_one(QueueTable).current
        self.search_origin = current.key if current else None
        search.display = True
        search.value = ""
        search.focus()
        self.unmatched = None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != SEARCH_FIELD:
            return
        self.search_text = event.value
        if not event.value:
            return
        if self.unmatched is not None and self.unmatched in event.value:
            # Nothing held the shorter text, so nothing holds this one: no query needed.
            self.post_message(SearchResult(None, event.value))
            return
        self.search(event.value, self.search_origin, True, True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == SEARCH_FIELD:
            self.close_search()

    def close_search(self) -> None:
        search = self.query_one(f"#{SEARCH_FIELD}", Input)
        search.display = False
        self.query_one(QueueTable).focus()

    def action_search_next(self) -> None:
        self._search_step(True)

    def action_search_previous(self) -> None:
        self._search_step(False)

    def _search_step(self, forward: bool) -> None:
        if not self.search_text:
            notify_safe(self.app, "no search yet: press / to search")
            return
        current = self.query_one(QueueTable).current
        self.search(self.search_text, current.key if current else None, forward, False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-search")
    def search(self, text: str, start: QueueKey | None, forward: bool, inclusive: bool) -> None:
        worker = get_current_worker()
        with reading_as_user(self.app, SUBJECT) as snapshot:
            row = queue_search(
                snapshot, self.flt, text, start=start, forward=forward, inclusive=inclusive
            )
        if not worker.is_cancelled:
            self.post_message(SearchResult(row, text))

    def on_search_result(self, message: SearchResult) -> None:
        self.searches += 1
        if message.text != self.search_text:
            return
        search = self.query_one(f"#{SEARCH_FIELD}", Input)
        search.set_class(message.row is None, "-no-match")
        if message.row is None:
            if self.unmatched is None or len(message.text) < len(self.unmatched):
                self.unmatched = message.text
            if not search.display:  # while typing, the field's colour says it
                notify_safe(self.app, f"no match for {message.text}", severity="warning")
            return
        self.show_row(message.row.key, message.row.id)
