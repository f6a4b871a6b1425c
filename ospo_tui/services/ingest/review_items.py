"""The review item each scanned file gets: whether it needs review, its priority, its alert.

The queue's order starts here: the file's findings (license keys, lowest score and coverage,
todo items, scan errors) are ranked against the license catalog and the policy in force.
"""

from __future__ import annotations

from typing import Any

from ospo_tui.models import Scan
from ospo_tui.services.ingest.file_findings import findings_summary
from ospo_tui.services.ingest.scancode_format import FileRecord
from ospo_tui.services.licenses.license_db import LicenseCatalog
from ospo_tui.services.policy.priority import Findings, rank, with_alert
from ospo_tui.services.policy.rules import LicensePolicy


def review_item_row(
    record: FileRecord, file_id: int, scan: Scan, catalog: LicenseCatalog, policy: LicensePolicy
) -> dict[str, Any]:
    """The ``review_items`` row of one regular file of ``scan``."""
    keys, min_score, min_coverage, best_score = record.summary or findings_summary(record)
    has_todo = bool(record.todo_ids)
    columns = record.columns
    # The policy judges the same text as the queue re-ranking does (policy_queue).
    judged = columns["detected_license_expression"]
    if judged is None:
        judged = columns["detected_license_expression_spdx"]
    findings = Findings(
        license_keys=keys,
        min_score=min_score,
        min_coverage=min_coverage,
        has_todo=has_todo,
        has_errors=bool(record.scan_errors),
        expression=judged,
    )
    alert = policy.alert(judged)
    base, reason = rank(findings, catalog)  # the policy-free rank; the alert is known already
    path = columns["path"]
    return {
        "file_id": file_id,
        "scan_id": scan.id,
        "project_id": scan.project_id,
        "path": path,
        "dir_path": path.rpartition("/")[0],
        "state": "open",
        "needs_review": bool(record.detections or has_todo or record.scan_errors),
        "priority": with_alert(base, alert),
        "priority_reason": reason,
        "policy_alert": alert,
        "policy_version": policy.version,
        "detected_expression": columns["detected_license_expression"],
        "detected_spdx": columns["detected_license_expression_spdx"],
        "best_score": best_score,
        "has_todo": has_todo,
        "version": 1,
        "updated_at": scan.created_at,
    }
