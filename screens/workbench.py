"""What every screen shares through the app: the database and the name of the person using it.

Screens reach both through ``workbench(app)``, typed, rather than reading attributes off a
``textual.App`` that does not declare them. Any app with a ``db`` and a ``user_name`` will do,
so a test can host one screen in the smallest app.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from textual.app import App

from ospo_tui.db import Database


@runtime_checkable
class Workbench(Protocol):
    """The app as the screens see it; each worker opens its own session from ``db``."""

    db: Database
    user_name: str


def workbench(app: App[Any]) -> Workbench:
    if not isinstance(app, Workbench):
        raise TypeError(f"{type(app).__name__} holds no database and user: not a workbench")
    return app
