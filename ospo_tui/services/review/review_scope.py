"""Which files of a scan a count or a queue covers: with findings, without, or all of them.

Every file of a scan has a review item, so every file can be reviewed; the scope only says which
of them a screen, a listing or an export is counting. Each says its scope in these words.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from ospo_tui.errors import InputError
from ospo_tui.models import ReviewItem
from ospo_tui.wording import plural

SCOPE_FINDINGS = "findings"
SCOPE_NONE = "none"
SCOPE_ALL = "all"
SCOPES = (SCOPE_FINDINGS, SCOPE_NONE, SCOPE_ALL)  # the order the scope key cycles them
SCOPE_LABELS = {
    SCOPE_FINDINGS: "files with findings",
    SCOPE_NONE: "files without findings",
    SCOPE_ALL: "all files",
}


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    return scope


def in_scope(scope: str) -> ColumnElement[bool]:
    """The review items ``scope`` covers."""
    if check_scope(scope) == SCOPE_FINDINGS:
        return ReviewItem.needs_review.is_(True)
    if scope == SCOPE_NONE:
        return ReviewItem.needs_review.is_(False)
    return true()


def next_scope(scope: str) -> str:
    return SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)]


def files_in_scope(count: int, scope: str) -> str:
    """``count`` files, saying which: "1 file with findings", "43 files (all files)"."""
    if scope == SCOPE_ALL:
        return f"{plural(count, 'file')} (all files)"
    return f"{plural(count, 'file')} {SCOPE_LABELS[scope].removeprefix('files ')}"
