"""``u``: undo the last bulk decision made in this app, without leaving for the command line.

The app remembers the id of the last bulk it applied; undoing it is the same service call as
``ospo-tui undo``, refused in the same words when a file of the bulk was decided again since.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App

from ospo_tui.errors import OspoError
from ospo_tui.screens.acting import acting_actor
from ospo_tui.screens.messages import announce_change, notify_safe
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.review.bulk import undo_bulk
from ospo_tui.wording import plural

_last_bulk: WeakKeyDictionary[App[Any], str] = WeakKeyDictionary()


def remember_bulk(app: App[Any], bulk_id: str) -> None:
    _last_bulk[app] = bulk_id


def last_bulk(app: App[Any]) -> str | None:
    return _last_bulk.get(app)


def undo_last_bulk(app: App[Any]) -> None:
    """Undo the last bulk of this app in a worker, and tell every screen."""
    bulk_id = last_bulk(app)
    if bulk_id is None:
        notify_safe(app, "no bulk decision to undo in this session", severity="warning")
        return

    def undo() -> None:
        try:
            result = undo_bulk(workbench(app).db, acting_actor(app), bulk_id)
        except OspoError as err:
            app.call_from_thread(notify_safe, app, str(err), severity="error")
            return
        _last_bulk.pop(app, None)
        note = f"undid bulk {bulk_id}: {plural(result.files, 'file')} restored"
        app.call_from_thread(notify_safe, app, note)
        announce_change(app, 0, bulk=True)

    app.run_worker(undo, thread=True, group="bulk-undo", exit_on_error=False)
