"""How counts and shares are written for people: "1 file", "2 files", "99% decided".

One place, so no screen, command or export prints "1 files" or rounds 99.6% up to "100%".
"""

from __future__ import annotations

import math


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``count`` (with thousands separators) and ``noun`` in the singular or plural."""
    word = noun if count == 1 else (plural_noun or noun + "s")
    return f"{count:,} {word}"


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, rounded down: 100% only when all of it."""
    if whole <= 0:
        return "100%"
    percent = math.floor(100 * part / whole)
    if part < whole:
        percent = min(percent, 99)
    return f"{percent}%"
