"""Who is using the workbench, resolved from the members table on each action.

Resolving every time (one indexed query) means a role an admin changes applies at once, and the
services always receive the role the database holds, never one the UI remembered. Reads resolve
it inside their own read-only snapshot and never take the write lock; only a write may make the
first user of an empty database its admin.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from textual.app import App

from ospo_tui.screens.messages import database
from ospo_tui.services.access.identity import actor_for_reading, actor_for_writing
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.trail.chain import Actor


def _user_name(app: App[object]) -> str:
    return app.user_name  # type: ignore[attr-defined]


def acting_actor(app: App[object]) -> Actor:
    """For a write, from a worker thread: a new database's first user becomes its admin here."""
    return actor_for_writing(database(app), _user_name(app))


def reading_actor(app: App[object]) -> Actor:
    """For a read, from a worker thread: the role now, resolved without writing."""
    return actor_for_reading(database(app), _user_name(app))


def reading_as_user(app: App[object], subject: str) -> AbstractContextManager[Reading]:
    """A read-only snapshot for the person using the app, once they may read ``subject``."""
    return reading(database(app), _user_name(app), subject)
