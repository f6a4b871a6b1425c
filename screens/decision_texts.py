"""What the decision form shows besides its fields: the file's facts, a bulk's preview, a
conflict with someone else's decision, and completion of license keys as they are typed.

Every piece of scanned or typed text goes through ``safe_text``: paths, expressions and notes
come from scans and people, and are shown, never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.suggester import Suggester

from ospo_tui.safe_text import safe, safe_line
from ospo_tui.services.licenses.spdx_validation import complete_last_token
from ospo_tui.services.review.bulk import BulkPreview
from ospo_tui.services.review.decision_context import DecisionContext
from ospo_tui.services.review.decisions import DecisionConflict
from ospo_tui.wording import plural


class LicenseSuggester(Suggester):
    """Completes the last word of the expression to a known SPDX id or ScanCode key."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_last_token(value)


def facts_text(context: DecisionContext) -> Text:
    """The detection, the state and the current decision; a stale decision's changed findings."""
    c = context
    text = Text()
    text.append("detected  ", style="dim")
    text.append_text(safe_line(c.detected_spdx or "(nothing)", max_len=None))
    if c.corrected_spdx:
        text.append("\nas SPDX   ", style="dim")
        text.append_text(safe_line(c.corrected_spdx, max_len=None))
        text.append("  (exception outside WITH, corrected)", style="dim")
    text.append(f"\nstate     {c.state}   version {c.version}", style="dim")
    if c.current is not None:
        text.append("\ncurrent   ", style="dim")
        text.append_text(safe_line(c.current.describe(), max_len=None))
    if c.stale is not None:
        s = c.stale
        text.append("\nSTALE: the findings changed since this decision was made\n", style="bold")
        text.append_text(safe_line(f"  detected then: {s.old_detected}", max_len=None))
        text.append("\n")
        text.append_text(safe_line(f"  detected now:  {s.new_detected}", max_len=None))
        for line in s.matches_removed:
            text.append("\n  - ", style="red")
            text.append_text(safe_line(line))
        for line in s.matches_added:
            text.append("\n  + ", style="green")
            text.append_text(safe_line(line))
    return text


def preview_text(preview: BulkPreview) -> Text:
    """How many files a bulk will decide, with a sample of their paths."""
    text = Text(
        f"{plural(preview.files, 'file')} will get this decision "
        f"({preview.already_decided} already have one). Press ctrl+s again to apply.\n",
        style="bold",
    )
    for path in preview.sample_paths:
        text.append("  ")
        text.append_text(safe_line(path))
        text.append("\n")
    return text


def conflict_text(conflict: DecisionConflict) -> Text:
    """The decision someone else recorded while the form was open."""
    text = Text("This file changed while you were deciding:\n", style="bold")
    text.append_text(
        safe(conflict.current.describe() if conflict.current else "its decision was cleared")
    )
    text.append("\nYour values are kept: ctrl+s records yours over it, escape discards.")
    return text
