"""The decision form (``d`` on a file, wherever it is shown): one file, or a bulk over many.

Pre-filled with the detection (or the current decision), so Enter agrees with the scanner. The
expression is checked as it is typed and license keys complete with the right arrow. Saving
runs in a worker; if someone else decided the file meanwhile, the form stays open, shows their
decision and keeps the reviewer's values: saving again supersedes it knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ospo_tui.errors import InputError, OspoError
from ospo_tui.safe_text import safe, safe_line
from ospo_tui.screens.acting import acting_actor, reading_as_user
from ospo_tui.screens.decision_texts import (
    LicenseSuggester,
    conflict_text,
    facts_text,
    preview_text,
)
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.bulk import (
    BulkPreview,
    BulkResult,
    BulkSelection,
    apply_bulk,
    preview_bulk,
)
from ospo_tui.services.review.decision_context import DecisionContext
from ospo_tui.services.review.decision_fields import (
    DECISION_TYPES,
    REASONS,
    DecisionFields,
    validate_fields,
)
from ospo_tui.services.review.decisions import DecisionConflict, DecisionResult, decide
from ospo_tui.services.review.queue import QueueFilter

SCOPE_FILE = "file"
SCOPE_SAME = "same_expression"
SCOPE_GLOB = "glob"
SCOPE_QUEUE = "queue"
SCOPE_PHRASE = "phrase"
NO_REASON = "-"


@dataclass(frozen=True)
class FormOutcome:
    """What the form saved: one decision, or a bulk."""

    single: DecisionResult | None = None
    bulk: BulkResult | None = None


class DecisionForm(ModalScreen[FormOutcome | None]):
    DEFAULT_CSS = """
    DecisionForm {
        align: center middle;
    }
    DecisionForm > VerticalScroll {
        width: 100;
        max-width: 96%;
        height: auto;
        max-height: 95%;
        border: thick $accent;
        background: $panel;
        padding: 0 2;
    }
    DecisionForm Horizontal {
        height: auto;
    }
    DecisionForm Horizontal > Vertical {
        width: 1fr;
        height: auto;
    }
    DecisionForm #decision-status {
        color: $text-muted;
    }
    DecisionForm .problem {
        color: $error;
    }
    DecisionForm #decision-conflict {
        color: $warning;
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="decision_form.save", tooltip="Record the decision"),
        Binding("escape", "cancel", "Cancel", id="decision_form.cancel", tooltip="Discard"),
    ]

    def __init__(
        self,
        context: DecisionContext,
        queue_filter: QueueFilter | None = None,
        *,
        bulk_label: str | None = None,
        phrase: str | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.phrase = phrase  # bulk by phrase: the files whose matched text holds it
        self.queue_filter = (
            queue_filter if queue_filter and queue_filter.scan_id == context.scan_id else None
        )
        # A bulk over ``queue_filter`` chosen before the form opened (a directory's subtree).
        self.bulk_label = bulk_label if self.queue_filter is not None else None
        self.version = context.version
        self.pending: tuple[BulkSelection, BulkPreview] | None = None
        self.saving = False

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        c = self.context
        with VerticalScroll():
            yield Static(Text("Decide", style="bold"))
            # A subtree bulk names what it covers; the facts below are its first file's.
            what = f"{self.bulk_label}, pre-filled from {c.path}" if self.bulk_label else c.path
            yield Static(safe_line(what, max_len=None), id="decision-path")
            yield Static(facts_text(c), id="decision-facts")
            yield Label("Concluded license: SPDX expression, NONE or NOASSERTION (Enter saves)")
            yield Input(
                value=c.prefill_expression,
                suggester=LicenseSuggester(),
                id="decision-expression",
            )
            yield Static("", id="decision-status")
            with Horizontal():
                with Vertical():
                    yield Label("Decision type")
                    yield Select(
                        [(Text(label), key) for key, label in DECISION_TYPES.items()],
                        value=c.prefill_type,
                        allow_blank=False,
                        id="decision-type",
                    )
                with Vertical():
                    yield Label("Reason")
                    yield Select(
                        [(Text("(none)"), NO_REASON)]
                        + [(Text(label), key) for key, label in REASONS.items()],
                        value=c.prefill_reason or NO_REASON,
                        allow_blank=False,
                        id="decision-reason",
                    )
            yield Label("Public note (goes into reports)")
            yield Input(
                value=c.current.fields.public_note or "" if c.current else "",
                id="decision-note",
            )
            yield Label("Private comment (never in reports)")
            yield Input(
                value=c.current.fields.private_comment or "" if c.current else "",
                id="decision-comment",
            )
            yield Label("Apply to")
            start = SCOPE_PHRASE if self.phrase else SCOPE_QUEUE if self.bulk_label else SCOPE_FILE
            yield Select(self._scopes(), value=start, allow_blank=False, id="decision-scope")
            directory = c.path.rsplit("/", 1)[0] + "/*" if "/" in c.path else "*"
            yield Input(value=directory, id="decision-glob", disabled=True)
            yield Static("", id="decision-conflict")
            yield Static("", id="decision-error", classes="problem")

    def _scopes(self) -> list[tuple[Text, str]]:
        """What a decision may apply to: the file, or in bulk the files like it."""
        c = self.context
        scopes: list[tuple[Text, str]] = [(Text("this file only"), SCOPE_FILE)]
        if c.detected_spdx:
            same = safe_line(f"every file of this scan detected as {c.detected_spdx}")
            scopes.append((same, SCOPE_SAME))
        scopes.append((Text("every file whose path matches a glob"), SCOPE_GLOB))
        if self.bulk_label is not None:
            scopes.append((safe_line(self.bulk_label), SCOPE_QUEUE))
        elif self.queue_filter is not None:
            scopes.append((Text("every file the queue shows (its current filter)"), SCOPE_QUEUE))
        if self.phrase:
            said = safe_line(f"every file whose matched text contains {self.phrase!r}")
            scopes.append((said, SCOPE_PHRASE))
        return scopes

    def on_mount(self) -> None:
        self.query_one("#decision-expression", Input).focus()
        self._check_expression(self.context.prefill_expression)

    # -- live checks ---------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "decision-expression":
            self._check_expression(event.value)
        self.pending = None  # any edit invalidates a shown bulk preview

    def _check_expression(self, value: str) -> None:
        status = self.query_one("#decision-status", Static)
        try:
            normalised = normalise_spdx(value, self.context.custom_licenses)
        except InputError as err:
            status.update(safe_line(str(err), max_len=None))
            status.add_class("problem")
            return
        status.remove_class("problem")
        status.update(safe_line(f"→ {normalised}", max_len=None))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "decision-scope":
            self.query_one("#decision-glob", Input).disabled = event.value != SCOPE_GLOB
        self.pending = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    # -- saving --------------------------------------------------------------------------------

    def _fields(self) -> DecisionFields:
        reason = self.query_one("#decision-reason", Select).value
        return validate_fields(
            self.query_one("#decision-expression", Input).value,
            str(self.query_one("#decision-type", Select).value),
            None if reason in (NO_REASON, Select.NULL) else str(reason),
            self.query_one("#decision-note", Input).value,
            self.query_one("#decision-comment", Input).value,
            self.context.custom_licenses,
        )

    def _selection(self) -> BulkSelection | None:
        scope = self.query_one("#decision-scope", Select).value
        c = self.context
        if scope == SCOPE_SAME:
            return BulkSelection(c.scan_id, same_expression=c.detected_spdx)
        if scope == SCOPE_GLOB:
            glob = self.query_one("#decision-glob", Input).value.strip()
            if not glob:
                raise InputError("type the path glob the bulk applies to")
            return BulkSelection(c.scan_id, path_glob=glob)
        if scope == SCOPE_QUEUE and self.queue_filter is not None:
            return BulkSelection(c.scan_id, queue_filter=self.queue_filter)
        if scope == SCOPE_PHRASE and self.phrase:
            return BulkSelection(c.scan_id, matched_phrase=self.phrase)
        return None

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            fields = self._fields()
            selection = self._selection()
        except InputError as err:
            self._error(str(err))
            return
        self._error("")
        self.saving = True
        if selection is None:
            self.run_worker(lambda: self._save_one(fields), thread=True, exit_on_error=False)
        elif self.pending is None or self.pending[0] != selection:
            self.run_worker(lambda: self._preview(selection), thread=True, exit_on_error=False)
        else:
            count = self.pending[1].files
            self.run_worker(
                lambda: self._save_bulk(selection, fields, count), thread=True, exit_on_error=False
            )

    def _save_one(self, fields: DecisionFields) -> None:
        try:
            result = decide(
                workbench(self.app).db,
                acting_actor(self.app),
                self.context.review_item_id,
                self.version,
                fields.concluded_expression,
                fields.decision_type,
                fields.reason,
                fields.public_note,
                fields.private_comment,
            )
        except DecisionConflict as conflict:
            self.app.call_from_thread(self._conflict, conflict)
            return
        except OspoError as err:
            self.app.call_from_thread(self._error, str(err))
            return
        self.app.call_from_thread(self.dismiss, FormOutcome(single=result))

    def _preview(self, selection: BulkSelection) -> None:
        try:
            with reading_as_user(self.app, "files in bulk") as snapshot:
                preview = preview_bulk(snapshot, selection)
        except OspoError as err:
            self.app.call_from_thread(self._error, str(err))
            return
        self.app.call_from_thread(self._show_preview, selection, preview)

    def _save_bulk(self, selection: BulkSelection, fields: DecisionFields, count: int) -> None:
        try:
            result = apply_bulk(
                workbench(self.app).db,
                acting_actor(self.app),
                selection,
                fields.concluded_expression,
                fields.decision_type,
                fields.reason,
                fields.public_note,
                fields.private_comment,
                expected_count=count,
            )
        except OspoError as err:
            self.app.call_from_thread(self._error, str(err))
            self.pending = None
            return
        self.app.call_from_thread(self.dismiss, FormOutcome(bulk=result))

    # -- feedback (UI thread) ------------------------------------------------------------------

    def _show_preview(self, selection: BulkSelection, preview: BulkPreview) -> None:
        self.saving = False
        if preview.files == 0:
            self._error("the selection matches no file")
            return
        self.pending = (selection, preview)
        self.query_one("#decision-conflict", Static).update(preview_text(preview))

    def _conflict(self, conflict: DecisionConflict) -> None:
        self.saving = False
        self.version = conflict.actual_version
        self.query_one("#decision-conflict", Static).update(conflict_text(conflict))

    def _error(self, message: str) -> None:
        self.saving = False
        self.query_one("#decision-error", Static).update(safe(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
