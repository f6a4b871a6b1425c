"""Small helpers every screen shares: safe notifications and the worker-session convention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from ospo_tui.safe_text import clean

if TYPE_CHECKING:
    from ospo_tui.db import Database


def notify_safe(app: App[object], message: object, *, severity: str = "information") -> None:
    """A notification whose text is never parsed as markup and has no control characters."""
    app.notify(clean(message, max_len=300), severity=severity, markup=False)  # type: ignore[arg-type]


def database(app: App[object]) -> Database:
    """The app's database; each worker opens its own session from it (sessions are per thread)."""
    return app.db  # type: ignore[attr-defined, no-any-return]
