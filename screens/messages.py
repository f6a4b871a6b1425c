"""What screens tell the app and one another, and what they tell the person at the keyboard.

Screens never call methods on one another. A screen asks the app for something with a message
that bubbles up to it (``DecisionRequested``); the app announces a change to every screen on the
stack with ``ReviewItemChanged``, and each screen that shows the item reads it again. A screen
that returns an answer to the one below it does so through ``dismiss()``. Notifications go
through ``notify_safe``, so their text is never markup.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from ospo_tui.safe_text import clean


class DecisionRequested(Message):
    """``d`` on a file: the app opens the decision form on it. With ``phrase`` (``b`` on the
    search screen), the form offers, and starts on, every file whose matched text holds it."""

    def __init__(self, review_item_id: int, phrase: str | None = None) -> None:
        super().__init__()
        self.review_item_id = review_item_id
        self.phrase = phrase


class ReviewItemChanged(Message, bubble=False):
    """A decision or a question changed a review item; with ``bulk``, a bulk decision changed
    other items too.

    Posted to the app, which gives every screen on the stack a copy of its own. It does not
    bubble, so a screen's copy never returns to the app.
    """

    def __init__(self, review_item_id: int, *, bulk: bool = False) -> None:
        super().__init__()
        self.review_item_id = review_item_id
        self.bulk = bulk


def announce_change(app: App[Any], review_item_id: int, *, bulk: bool = False) -> None:
    """Tell every screen that ``review_item_id`` changed (callable from any thread)."""
    app.post_message(ReviewItemChanged(review_item_id, bulk=bulk))


def notify_safe(app: App[Any], message: object, *, severity: SeverityLevel = "information") -> None:
    """A notification whose text is never parsed as markup and has no control characters."""
    app.notify(clean(message, max_len=300), severity=severity, markup=False)
