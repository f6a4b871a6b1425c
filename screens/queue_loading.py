"""The queue's reads, run in its worker threads, and the messages that bring them back.

Each read opens its own read-only snapshot as the person using the app and returns plain
dataclasses; the worker posts them to the queue screen, which shows them on the UI thread. How
the figures read on screen (the filter line, "file N of T") is worked out here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.message import Message

from ospo_tui.screens.acting import reading_as_user
from ospo_tui.services.review.queue import (
    QueueFilter,
    QueueKey,
    QueueRow,
    QueueWindow,
    queue_count,
    queue_page,
    queue_page_before,
    queue_position,
    queue_row,
    queue_window,
)
from ospo_tui.services.review.review_scope import SCOPE_LABELS
from ospo_tui.services.review.stoppable import ReadStopped, StoppableRead

SUBJECT = "the review queue"


@dataclass(frozen=True)
class WindowRead:
    """One window of the queue as the worker read it."""

    flt: QueueFilter
    window: QueueWindow
    cursor_id: int | None


@dataclass(frozen=True)
class QueueCounts:
    """How many rows the filter keeps, and how many come before the window's first row."""

    flt: QueueFilter
    first_id: int | None
    total: int | None  # None: unchanged since the last count
    position: int


class WindowLoaded(Message):
    """A window was read; with ``recount``, the rows the filter keeps are counted again."""

    def __init__(self, read: WindowRead, recount: bool) -> None:
        super().__init__()
        self.read = read
        self.recount = recount


class Counted(Message):
    def __init__(self, counts: QueueCounts) -> None:
        super().__init__()
        self.counts = counts


class SearchResult(Message):
    """The row a search for ``text`` found, or None."""

    def __init__(self, row: QueueRow | None, text: str) -> None:
        super().__init__()
        self.row = row
        self.text = text


def read_window(
    app: App[Any], flt: QueueFilter, around: QueueKey | None, cursor_id: int | None, size: int
) -> WindowRead:
    """The window around ``around`` (None: the top); the cursor on ``cursor_id`` or the row at
    or after ``around``."""
    with reading_as_user(app, SUBJECT) as snapshot:
        window = queue_window(snapshot, flt, around=around, size=size)
    rows = window.rows
    if cursor_id is None and around is not None and rows:
        cursor_id = next((r.id for r in rows if r.key >= around), rows[-1].id)
    return WindowRead(flt, window, cursor_id)


def read_past_edge(
    app: App[Any], flt: QueueFilter, edge: QueueKey, forward: bool, steps: int, size: int
) -> WindowRead | None:
    """The window around the row ``steps`` rows past ``edge``; None when there is none."""
    with reading_as_user(app, SUBJECT) as snapshot:
        if forward:
            beyond = queue_page(snapshot, flt, after=edge, limit=steps)
            target = beyond[-1] if beyond else None
        else:
            beyond = queue_page_before(snapshot, flt, before=edge, limit=steps)
            target = beyond[0] if beyond else None
        if target is None:
            return None
        window = queue_window(snapshot, flt, around=target.key, size=size)
    return WindowRead(flt, window, target.id)


def read_end(app: App[Any], flt: QueueFilter, last: bool, size: int) -> WindowRead:
    """The first (or with ``last``, the last) window, the cursor on its end row."""
    with reading_as_user(app, SUBJECT) as snapshot:
        if last:
            rows = queue_page_before(snapshot, flt, before=None, limit=size + 1)
            window = QueueWindow(rows[-size:], len(rows) <= size, True)
        else:
            window = queue_window(snapshot, flt, around=None, size=size)
    rows = window.rows
    target = (rows[-1].id if last else rows[0].id) if rows else None
    return WindowRead(flt, window, target)


def read_counts(
    app: App[Any],
    flt: QueueFilter,
    first: QueueRow | None,
    recount: bool,
    at_start: bool,
    stoppable: StoppableRead,
) -> QueueCounts | None:
    """The rows the filter keeps (with ``recount``) and those before the window's ``first``;
    None when ``stoppable`` was stopped (a newer window wants its own figures)."""
    try:
        with reading_as_user(app, SUBJECT) as snapshot, stoppable.running(snapshot):
            total = queue_count(snapshot, flt) if recount else None
            # A window at the start of the queue (every new filter's) has no row before it.
            position = 0
            if first is not None and not at_start:
                position = queue_position(snapshot, flt, first.key)
    except ReadStopped:
        return None
    return QueueCounts(flt, first.id if first else None, total, position)


def read_row(app: App[Any], flt: QueueFilter, review_item_id: int) -> tuple[QueueRow | None, int]:
    """One row as it is now (after a decision), and the rows the filter keeps now."""
    with reading_as_user(app, SUBJECT) as snapshot:
        return queue_row(snapshot, review_item_id), queue_count(snapshot, flt)


def describe_filter(flt: QueueFilter) -> str:
    parts = [SCOPE_LABELS[flt.scope]]
    if flt.directory:
        parts.append(f"under {flt.directory}/")
    if flt.states:
        parts.append("state: " + ", ".join(flt.states))
    if flt.license:
        parts.append(f"license: {flt.license}")
    if flt.path_glob:
        parts.append(f"path: {flt.path_glob}")
    if flt.text:
        parts.append(f"text: {flt.text}")
    if flt.policy_alert:
        parts.append(f"policy: {flt.policy_alert}")
    if flt.license_key:
        parts.append(f"license key: {flt.license_key}")
    return " · ".join(parts) if len(parts) > 1 else f"{parts[0]} · no filter"


def count_text(
    flt: QueueFilter, total: int | None, position: int, loaded: int, cursor_row: int
) -> str:
    """ "file N of T (rows A–B)"; ``total`` is None until counted."""
    if total is None:
        return f"counting… ({loaded:,} rows loaded)"
    if not total:
        unfiltered = QueueFilter(flt.scan_id, scope=flt.scope)
        return "no file matches" if flt != unfiltered else "no file to review"
    here = position + max(0, cursor_row) + 1
    return f"file {here:,} of {total:,}  (rows {position + 1:,}–{position + loaded:,})"
