"""A real terminal for a program under test: a pseudo-terminal, keys in, screen text out.

The installed-wheel test runs ``ospo-tui`` exactly as a user's shell would, so Textual draws
with escape sequences; this strips them and waits, with a deadline, for words to appear.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from pathlib import Path

# CSI and OSC sequences, then any other two-byte escape.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


class PtyTerminal:
    """One program running on a pseudo-terminal of ``columns`` x ``rows``."""

    def __init__(
        self, argv: Sequence[str], *, cwd: Path, env: dict[str, str], size: tuple[int, int]
    ) -> None:
        columns, rows = size
        self._master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)},
            start_new_session=True,
        )
        os.close(slave)
        self._raw = b""
        self._seen = 0  # what wait_for has already matched, so each wait looks at new output

    def press(self, keys: str) -> None:
        os.write(self._master, keys.encode())

    def wait_for(self, *words: str, timeout: float = 60.0) -> str:
        """The text drawn since the last wait, once it holds every word; fails at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            text = ESCAPES.sub("", self._raw[self._seen :].decode("utf-8", "replace"))
            if all(word in text for word in words):
                self._seen = len(self._raw)
                return text
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"never drew {words!r}; last output:\n{text[-2000:]}")

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # the program exited and the pty closed
            return False
        self._raw += chunk
        return bool(chunk)

    def close(self, timeout: float = 30.0) -> int:
        """The exit status, after draining output so the program never blocks on a full pty."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        if self.process.poll() is None:
            self.process.kill()
        status = self.process.wait()
        os.close(self._master)
        return status
