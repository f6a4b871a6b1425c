"""Who is using the workbench, resolved from the members table on each action.

Resolving every time (one indexed query) means a role an admin changes applies at once, and the
services always receive the role the database holds, never one the UI remembered. Reads resolve
it inside their own read-only snapshot and never take the write lock; only a write may make the
first user of an empty database its admin.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from textual.app import App

from ospo_tui.screens.workbench import workbench
from ospo_tui.services.access.identity import actor_for_reading, actor_for_writing
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.trail.chain import Actor


def acting_actor(app: App[Any]) -> Actor:
    """For a write, from a worker thread: a new database's first user becomes its admin here."""
    bench = workbench(app)
    return actor_for_writing(bench.db, bench.user_name)


def reading_actor(app: App[Any]) -> Actor:
    """For a read, from a worker thread: the role now, resolved without writing."""
    bench = workbench(app)
    return actor_for_reading(bench.db, bench.user_name)


def reading_as_user(app: App[Any], subject: str) -> AbstractContextManager[Reading]:
    """A read-only snapshot for the person using the app, once they may read ``subject``."""
    bench = workbench(app)
    return reading(bench.db, bench.user_name, subject)
