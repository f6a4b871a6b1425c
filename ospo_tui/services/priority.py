"""Where a file stands in the review queue: 1 is most urgent.

Until a policy ranks licenses, the order is ScanCode todo items, then unknown licenses or weak
matches, then copyleft, then everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ospo_tui.services.license_db import LicenseCatalog

LOW_SCORE = 80.0
LOW_COVERAGE = 80.0


@dataclass(frozen=True)
class Findings:
    """What the priority depends on, gathered per file by the importer or scanner."""

    license_keys: frozenset[str]
    min_score: float | None
    min_coverage: float | None
    has_todo: bool
    has_errors: bool


def rank(findings: Findings, catalog: LicenseCatalog) -> tuple[int, str]:
    """(priority, reason) for one file."""
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
    if any((info := catalog.get(k)) is not None and info.is_copyleft for k in findings.license_keys):
        return 3, "copyleft"
    return 4, "other"


def _is_unknown(key: str, catalog: LicenseCatalog) -> bool:
    info = catalog.get(key)
    return info is None or info.is_unknown or "unknown" in key
