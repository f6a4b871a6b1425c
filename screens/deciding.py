"""From ``d`` on a file to a recorded decision: the app's side of the decision form.

The file's context is read off the UI thread, then the form opens; what it saved is reported
and announced to every screen once, as one ``ReviewItemChanged``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App

from ospo_tui.errors import OspoError
from ospo_tui.safe_text import clean
from ospo_tui.screens.acting import reading_actor, reading_as_user
from ospo_tui.screens.bulk_undo import remember_bulk
from ospo_tui.screens.decision_form import DecisionForm, FormOutcome
from ospo_tui.screens.messages import announce_change, notify_safe
from ospo_tui.screens.workbench import workbench
from ospo_tui.services.access.roles import check
from ospo_tui.services.review.decision_context import decision_context
from ospo_tui.services.review.decision_fields import DECISION_TYPES
from ospo_tui.services.review.queue import QueueFilter
from ospo_tui.wording import plural


def open_decision_form(
    app: App[Any],
    review_item_id: int,
    queue_filter: QueueFilter | None,
    *,
    bulk_label: str | None = None,
    phrase: str | None = None,
) -> None:
    """Show the form on one file; ``queue_filter`` is what the queue under it shows, if any.

    With ``bulk_label``, the form opens as a bulk over ``queue_filter`` (a directory's subtree),
    named so; with ``phrase``, as a bulk over the files whose matched text holds it. Whoever may
    not decide is refused here, before typing anything, with the same audited refusal saving
    would give.
    """

    def prepare() -> None:
        try:
            with reading_as_user(app, f"review item {review_item_id}") as snapshot:
                context = decision_context(snapshot, review_item_id)
            subject = bulk_label or f"file {context.path}"
            check(workbench(app).db, reading_actor(app), "decide", subject)
        except OspoError as err:
            app.call_from_thread(notify_safe, app, str(err), severity="error")
            return
        form = DecisionForm(context, queue_filter, bulk_label=bulk_label, phrase=phrase)
        app.call_from_thread(app.push_screen, form, partial(_saved, app, review_item_id))

    app.run_worker(prepare, thread=True, group="decision-form", exit_on_error=False)


def _saved(app: App[Any], review_item_id: int, outcome: FormOutcome | None) -> None:
    if outcome is None:
        return
    if outcome.single is not None:
        fields = outcome.single.decision.fields
        notify_safe(
            app,
            f"decided {clean(outcome.single.path, max_len=80)}: "
            f"{fields.concluded_expression} ({DECISION_TYPES[fields.decision_type]})",
        )
    elif outcome.bulk is not None:
        remember_bulk(app, outcome.bulk.bulk_id)
        notify_safe(
            app,
            f"bulk {outcome.bulk.bulk_id}: decided {plural(outcome.bulk.files, 'file')} "
            f"(u undoes it; or ospo-tui undo {outcome.bulk.bulk_id})",
        )
    announce_change(app, review_item_id, bulk=outcome.bulk is not None)
