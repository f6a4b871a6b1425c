"""What ranking a file for review needs of its findings, worked out once per file.

A parse worker (parse_worker) works it out beside the importer and sends it with the record,
which takes it off the writing process's share of the import.
"""

from __future__ import annotations

from ospo_tui.services.ingest.scancode_format import FileRecord, record_license_keys

# (license keys, lowest match score, lowest match coverage, best match score)
FindingsSummary = tuple[frozenset[str], float | None, float | None, float | None]


def findings_summary(record: FileRecord) -> FindingsSummary:
    matches = [m for d in record.detections for m in d.matches]
    scores = [m.score for m in matches if m.score is not None]
    coverages = [m.match_coverage for m in matches if m.match_coverage is not None]
    return (
        record_license_keys(record),
        min(scores) if scores else None,
        min(coverages) if coverages else None,
        max(scores) if scores else None,
    )
