"""What the decision form shows and pre-fills for one file, read in one go.

Pre-filling with what the scanner detected (or with the current decision, when re-confirming a
stale one) makes agreeing a single keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import ReviewItem
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.spdx_validation import NONE, normalise_spdx
from ospo_tui.services.review.decision_records import DecisionRecord, get_decision
from ospo_tui.services.review.reuse import StaleDifference, stale_difference


@dataclass(frozen=True)
class DecisionContext:
    review_item_id: int
    scan_id: int
    path: str
    version: int
    state: str
    detected_spdx: str | None
    current: DecisionRecord | None
    stale: StaleDifference | None
    prefill_expression: str
    prefill_type: str
    prefill_reason: str | None
    prefill_problem: str | None  # why the detected expression is not valid SPDX as it stands


def decision_context(reading: Reading, review_item_id: int) -> DecisionContext:
    """What the form needs for one file: its version, current decision, staleness, pre-fill."""
    session = reading.session
    row = session.execute(
        select(
            ReviewItem.scan_id,
            ReviewItem.path,
            ReviewItem.version,
            ReviewItem.state,
            ReviewItem.detected_spdx,
            ReviewItem.current_decision_id,
        ).where(ReviewItem.id == review_item_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no review item {review_item_id}")
    current = get_decision(session, row.current_decision_id)
    problem = None
    if current is not None and current.fields.concluded_expression:
        expression = current.fields.concluded_expression
    elif row.detected_spdx:
        try:
            expression = normalise_spdx(row.detected_spdx)
        except InputError as err:
            expression, problem = row.detected_spdx, str(err)
    else:
        expression = NONE  # nothing detected: agreeing with the scanner means no license
    return DecisionContext(
        review_item_id=review_item_id,
        scan_id=row.scan_id,
        path=row.path,
        version=row.version,
        state=row.state,
        detected_spdx=row.detected_spdx,
        current=current,
        stale=stale_difference(reading, review_item_id),
        prefill_expression=expression,
        prefill_type=current.fields.decision_type if current else "identified",
        prefill_reason=current.fields.reason if current else None,
        prefill_problem=problem,
    )
