"""The only place where untrusted text (paths, matched text, source, comments) becomes displayable.

Rich and Textual parse markup in plain ``str`` and strip only a few control characters, so an
ESC from a scanned file would reach the terminal. Everything shown passes through ``clean`` and
is wrapped as ``rich.text.Text`` (never parsed as markup, never ``Text.from_ansi``).
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls except TAB and LF, DEL, C1 controls, and the Unicode bidi embedding/override/isolate
# marks (Trojan Source). Each is shown as a visible replacement so nothing hides.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_REPLACEMENT = "\ufffd"


def clean(value: object, *, max_len: int | None = None, single_line: bool = False) -> str:
    """Untrusted text with control and bidi characters replaced; optionally one line, truncated."""
    text = "" if value is None else str(value)
    if single_line:
        text = text.replace("\t", " ").replace("\n", " ")
    text = _UNSAFE.sub(_REPLACEMENT, text)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text


def safe(
    value: object, *, style: str = "", max_len: int | None = None, single_line: bool = False
) -> Text:
    """A Rich ``Text`` that shows ``value`` literally: markup brackets stay brackets."""
    return Text(
        clean(value, max_len=max_len, single_line=single_line), style=style, no_wrap=single_line
    )


def safe_line(value: object, *, max_len: int | None = 200, style: str = "") -> Text:
    """For table cells and one-line labels."""
    return safe(value, style=style, max_len=max_len, single_line=True)
