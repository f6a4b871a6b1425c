"""What several commands share on the terminal: a progress line on stderr, and argument types."""

from __future__ import annotations

import argparse
import sys


def positive_int(value: str) -> int:
    """An argparse type for counts such as ``--limit``."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


class ProgressLine:
    """One line on stderr, redrawn in place; silent when stderr is not a terminal (piped, CI)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def show(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K" + text)
            sys.stderr.flush()

    def close(self) -> None:
        self.show("")
