"""Small helpers every screen shares: safe notifications and the worker-session convention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import SeverityLevel

from ospo_tui.safe_text import clean
from ospo_tui.screens.workbench import workbench

if TYPE_CHECKING:
    from ospo_tui.db import Database


def notify_safe(app: App[Any], message: object, *, severity: SeverityLevel = "information") -> None:
    """A notification whose text is never parsed as markup and has no control characters."""
    app.notify(clean(message, max_len=300), severity=severity, markup=False)


def database(app: App[Any]) -> Database:
    """The app's database; each worker opens its own session from it (sessions are per thread)."""
    return workbench(app).db
