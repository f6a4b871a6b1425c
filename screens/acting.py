"""Who is using the workbench, resolved from the members table on each action.

Resolving every time (one indexed query) means a role an admin changes applies at once, and the
services always receive the role the database holds, never one the UI remembered.
"""

from __future__ import annotations

from textual.app import App

from ospo_tui.screens.messages import database
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.trail.chain import Actor


def acting_actor(app: App[object]) -> Actor:
    """Call from a worker thread: it reads (and for a new database's first user, writes)."""
    with database(app).session() as session:
        return resolve_actor(session, app.user_name)  # type: ignore[attr-defined]
