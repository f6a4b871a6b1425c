"""Finding text in the file on screen: its source lines and its matches' matched text.

The file is already loaded, so finding reads no database: every hit is listed once when the
text is typed, and ``n`` / ``N`` walk the list (wrapping). Case is folded for A-Z only, as the
global search folds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Input

from ospo_tui.services.review.inspector import FileReview
from ospo_tui.services.review.search import fold


@dataclass(frozen=True)
class FoundAt:
    pane: str  # "source" (line is 1-based) or "matches" (index of the match)
    index: int


def find_in_file(review: FileReview, text: str) -> list[FoundAt]:
    """Every source line holding ``text``, then every match whose matched text holds it."""
    needle = fold(text)
    if not needle:
        return []
    found: list[FoundAt] = []
    if review.source.text is not None:
        for number, line in enumerate(review.source.text.split("\n"), start=1):
            if needle in fold(line):
                found.append(FoundAt("source", number))
    for index, match in enumerate(review.matches):
        if match.matched_text and needle in fold(match.matched_text):
            found.append(FoundAt("matches", index))
    return found


def describe(text: str, found: list[FoundAt], current: int) -> str:
    """What the header says while finding: where the current hit is, of how many."""
    if not found:
        return f"find {text!r}: not in this file"
    hit = found[current]
    where = f"line {hit.index}" if hit.pane == "source" else f"match {hit.index + 1}"
    return f"find {text!r}: {current + 1} of {len(found)} · {where} · n / N"


class FindInput(Input):
    """The find field under the inspector's tabs, shown by ``/``."""

    DEFAULT_CSS = """
    FindInput {
        dock: bottom;
        margin-bottom: 1;
        display: none;
    }
    """
