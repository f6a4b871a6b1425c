"""The dialog a question message is written in: asking (with the engineer to ask), answering,
commenting or reopening. It only collects text; the questions service checks and records it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static, TextArea

from ospo_tui.safe_text import safe, safe_line

WHOLE_FILE = 0  # detection ids start at 1


@dataclass(frozen=True)
class MessageDraft:
    text: str
    to: str | None = None  # the engineer, when asking
    detection_id: int | None = None  # None: the question is about the whole file


class QuestionDialog(ModalScreen[MessageDraft | None]):
    DEFAULT_CSS = """
    QuestionDialog {
        align: center middle;
    }
    QuestionDialog > Vertical {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 1 2;
    }
    QuestionDialog TextArea {
        height: 10;
    }
    QuestionDialog #question-dialog-error {
        color: $error;
    }
    """
    # The message has the focus from the start: a question typed at once is never lost in a
    # field above it.
    AUTO_FOCUS = "#question-dialog-text"
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="question_dialog.send", tooltip="Send the message"),
        Binding("escape", "cancel", "Cancel", id="question_dialog.cancel", tooltip="Discard"),
    ]

    def __init__(
        self,
        title: str,
        subject: str,
        engineers: list[str] | None = None,
        detections: list[tuple[str, int]] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.subject = subject
        self.engineers = engineers
        self.detections = detections  # (label, detection id) the question may point at

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(safe(self.subject, max_len=800, style="dim"))
            if self.engineers is not None:
                yield Label("Engineer to ask")
                yield Select(
                    [(Text(name), name) for name in self.engineers],
                    value=self.engineers[0] if len(self.engineers) == 1 else Select.NULL,
                    prompt="choose an engineer",
                    id="question-dialog-to",
                )
            if self.detections:
                yield Label("About")
                yield Select(
                    [(Text("the whole file"), WHOLE_FILE)]
                    + [(safe_line(label, max_len=80), ident) for label, ident in self.detections],
                    value=WHOLE_FILE,
                    allow_blank=False,
                    id="question-dialog-about",
                )
            yield Label("Message (ctrl+s sends, escape discards)")
            yield TextArea(id="question-dialog-text", soft_wrap=True)
            yield Static("", id="question-dialog-error")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_send(self) -> None:
        text = self.query_one(TextArea).text.strip()
        to: str | None = None
        if self.engineers is not None:
            value = self.query_one("#question-dialog-to", Select).value
            to = value if isinstance(value, str) else None
            if to is None:
                self._error("choose the engineer to ask")
                return
        if not text:
            self._error("the message is empty")
            return
        detection: int | None = None
        if self.detections:
            about = self.query_one("#question-dialog-about", Select).value
            detection = about if isinstance(about, int) and about != WHOLE_FILE else None
        self.dismiss(MessageDraft(text=text, to=to, detection_id=detection))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one("#question-dialog-error", Static).update(Text(message))
