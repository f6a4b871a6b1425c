"""A nesting-depth limit for JSON read as a byte stream, checked before the parser sees a chunk.

The streaming parser keeps one path prefix per open level, so memory grows with the square of
the depth: 30k nested brackets take 2 GB and 100k exhaust any machine, and deep values would
then overflow Python's recursion in ``json.dumps``. Real ScanCode output nests about 10 levels.
Strings are removed first (at C speed) so brackets in matched text do not count.
"""

from __future__ import annotations

import re

from ospo_tui.errors import InputError

MAX_DEPTH = 100
_ESCAPE = re.compile(rb"\\.", re.DOTALL)  # a backslash and the byte it escapes
# Keep quotes and brackets only; both kinds of opener become "(" and both closers ")".
_MARKS = bytes.maketrans(b"[{]}", b"(())")
_NOT_MARK = bytes(b for b in range(256) if b not in b'"[]{}')


class NestingGuard:
    """Feed it every chunk in order; raises InputError once the nesting exceeds ``max_depth``.

    Backslashes only occur inside strings, so once escape pairs are removed every quote left is
    a string delimiter, and brackets between odd and even quotes are string content. All of it
    runs at C speed (regex, translate, replace, count) over the chunk; a bracket-by-bracket walk
    happens only for a chunk that might really go too deep.
    """

    def __init__(self, max_depth: int = MAX_DEPTH) -> None:
        self.max_depth = max_depth
        self.depth = 0
        self.in_string = False
        self.escaped = False  # the previous chunk ended on a backslash inside a string

    def feed(self, chunk: bytes) -> None:
        if self.escaped and chunk:
            chunk, self.escaped = chunk[1:], False
        if b"\\" in chunk:
            chunk = _ESCAPE.sub(b"", chunk)
            if chunk.endswith(b"\\"):
                chunk, self.escaped = chunk[:-1], True
        # Two adjacent quotes enclose nothing (an empty string, or no structure between two
        # strings): dropping them keeps the parity and leaves few quotes to split on.
        marks = chunk.translate(_MARKS, _NOT_MARK).replace(b'""', b"")
        if b'"' in marks:
            parts = marks.split(b'"')
            structure = b"".join(parts[1::2] if self.in_string else parts[0::2])
            if len(parts) % 2 == 0:
                self.in_string = not self.in_string
        else:
            structure = b"" if self.in_string else marks
        opens = structure.count(b"(")
        if self.depth + opens > self.max_depth and self._peak(structure) > self.max_depth:
            raise InputError(
                f"the JSON nests deeper than {self.max_depth} levels "
                "(ScanCode output nests about 10): refused"
            )
        self.depth += opens - (len(structure) - opens)

    def _peak(self, structure: bytes) -> int:
        """The deepest level ``structure`` reaches from the current depth (or a bound above
        the limit's reach). Peeling innermost "()" pairs P times leaves ")))(((": the peak is
        at most depth + P + openers left, which settles ordinary chunks without a walk."""
        reduced, passes = structure, 0
        while b"()" in reduced and passes <= self.max_depth:
            reduced, passes = reduced.replace(b"()", b""), passes + 1
        if self.depth + passes + reduced.count(b"(") <= self.max_depth:
            return self.depth + passes + reduced.count(b"(")
        depth = peak = self.depth
        for byte in structure:
            depth += 1 if byte == 40 else -1  # "("
            peak = max(peak, depth)
        return peak
