"""What the decision form shows and pre-fills for one file, read in one go.

Pre-filling with what the scanner detected (or with the current decision, when re-confirming a
stale one) makes agreeing a single keystroke. ScanCode sometimes writes an exception outside WITH,
which is not valid SPDX; the form then shows the original and pre-fills the corrected expression
(``licenses.exceptions.attach_exceptions``), so agreeing stays one keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import ReviewItem
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.custom import custom_license_ids
from ospo_tui.services.licenses.exceptions import attach_exceptions
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
    detected_spdx: str | None  # as ScanCode wrote it
    corrected_spdx: str | None  # its valid SPDX form, when ScanCode's is not valid as it stands
    current: DecisionRecord | None
    stale: StaleDifference | None
    prefill_expression: str
    prefill_type: str
    prefill_reason: str | None
    prefill_problem: str | None  # why the pre-filled expression is not valid SPDX, if it is not
    custom_licenses: tuple[str, ...] = ()  # registered LicenseRef-<org>-<name> ids


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
    if current is not None and not reading.sees_private_comments:
        current = replace(current, private_comment=None)
    expression, corrected, problem = _prefill(row.detected_spdx)
    if current is not None and current.fields.concluded_expression:
        expression, problem = current.fields.concluded_expression, None
    return DecisionContext(
        review_item_id=review_item_id,
        scan_id=row.scan_id,
        path=row.path,
        version=row.version,
        state=row.state,
        detected_spdx=row.detected_spdx,
        corrected_spdx=corrected,
        current=current,
        stale=stale_difference(reading, review_item_id),
        prefill_expression=expression,
        prefill_type=current.fields.decision_type if current else "identified",
        prefill_reason=current.fields.reason if current else None,
        prefill_problem=problem,
        custom_licenses=custom_license_ids(session),
    )


def _prefill(detected: str | None) -> tuple[str, str | None, str | None]:
    """(pre-fill, corrected form or None, problem or None) for what ScanCode detected."""
    if not detected:
        return NONE, None, None  # nothing detected: agreeing with the scanner means no license
    try:
        return normalise_spdx(detected), None, None
    except InputError as err:
        problem = str(err)
    try:
        corrected = normalise_spdx(attach_exceptions(detected))
    except InputError:
        return detected, None, problem
    return corrected, corrected, None
