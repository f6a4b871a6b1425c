"""Where a file stands in the review queue: 1 is most urgent.

The order is the policy alert first (error, warning, missing, then ok or no license), and within
each alert the policy-free rank: ScanCode todo items, then unknown licenses or weak matches, then
copyleft, then everything else. As one number:
``priority = (alert level - 1) * 4 + base rank``, so 1 = policy error + todo, 16 = ok + other.
Without a policy the priority is the base rank alone (1 to 4). A stale decision (the findings
changed under it on a re-scan) is put at 1 by the reuse service and stays there across policy
loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ospo_tui.services.licenses.license_db import LicenseCatalog

if TYPE_CHECKING:
    from ospo_tui.services.policy.rules import LicensePolicy

LOW_SCORE = 80.0
LOW_COVERAGE = 80.0
BASE_LEVELS = 4  # base ranks 1..4, see rank()
# error 1, warning 2, missing 3; ok and "no license detected" share the last level.
_ALERT_LEVELS = {"error": 1, "warning": 2, "missing": 3, "ok": 4}


@dataclass(frozen=True)
class Findings:
    """What the priority depends on, gathered per file by the importer or scanner."""

    license_keys: frozenset[str]
    min_score: float | None
    min_coverage: float | None
    has_todo: bool
    has_errors: bool
    # The file's detected expression (ScanCode keys, else SPDX): what a policy judges, the same
    # text the queue re-ranking judges when a new policy is loaded.
    expression: str | None = None


def alert_level(alert: str | None) -> int:
    return _ALERT_LEVELS.get(alert or "ok", BASE_LEVELS)


def with_alert(base_rank: int, alert: str | None) -> int:
    """The queue priority of a file with policy-free rank ``base_rank`` and policy ``alert``."""
    return (alert_level(alert) - 1) * BASE_LEVELS + base_rank


def base_rank(priority: int) -> int:
    """The policy-free part of a stored priority (1 todo, 2 quality, 3 copyleft, 4 other)."""
    return (priority - 1) % BASE_LEVELS + 1


def rank(
    findings: Findings, catalog: LicenseCatalog, policy: LicensePolicy | None = None
) -> tuple[int, str]:
    """(priority, reason) for one file. The reason is the policy-free one: the alert has its own
    column (``policy.alert(findings.expression)``)."""
    base, reason = _base_rank(findings, catalog)
    if policy is None:
        return base, reason
    return with_alert(base, policy.alert(findings.expression)), reason


def _base_rank(findings: Findings, catalog: LicenseCatalog) -> tuple[int, str]:
    if findings.has_todo:
        return 1, "scancode todo"
    unknown = [k for k in findings.license_keys if _is_unknown(k, catalog)]
    if unknown:
        return 2, "unknown license"
    if findings.min_score is not None and findings.min_score < LOW_SCORE:
        return 2, "low score"
    if findings.min_coverage is not None and findings.min_coverage < LOW_COVERAGE:
        return 2, "low coverage"
    if findings.has_errors:
        return 2, "scan error"
    if any(
        (info := catalog.get(k)) is not None and info.is_copyleft for k in findings.license_keys
    ):
        return 3, "copyleft"
    return 4, "other"


def _is_unknown(key: str, catalog: LicenseCatalog) -> bool:
    info = catalog.get(key)
    return info is None or info.is_unknown or "unknown" in key
