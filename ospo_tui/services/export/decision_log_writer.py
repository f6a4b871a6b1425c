"""Writing the decision log: one row per decision event, as CSV or as verifiable JSON.

Rows are built a page of decisions at a time, each with its file's facts and, in JSON, its
audit event whole (see ``decision_log`` for the format and how a log is checked).

CSV cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR) get a
leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.errors import InputError
from ospo_tui.models import AuditEvent, ScannedFile
from ospo_tui.safe_text import clean
from ospo_tui.services.export.decision_log import COLUMNS, LOG_FORMAT, LOG_VERSION
from ospo_tui.services.export.json_document import json_object
from ospo_tui.services.export.output import Progress
from ospo_tui.services.export.records import (
    MatchEvidence,
    count_decisions,
    iter_decisions,
    matches_by_file,
)
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.review.decision_records import DecisionRecord
from ospo_tui.services.trail.chain import Actor, chain_head

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class _FileFacts:
    path: str
    sha256: str | None
    detected: str | None
    evidence: tuple[MatchEvidence, ...]


def _pages(
    session: Session, scope: ExportScope, include_private: bool
) -> Iterator[list[dict[str, Any]]]:
    """Rows with their events, a page at a time, oldest decision first."""
    for decisions in iter_decisions(session, scope):
        file_ids = list({d.file_id for d in decisions})
        matches = matches_by_file(session, file_ids)
        facts = {
            row[0]: _FileFacts(row[1], row[2], row[3], tuple(matches.get(row[0], ())))
            for row in session.execute(
                select(
                    ScannedFile.id,
                    ScannedFile.path,
                    ScannedFile.sha256,
                    ScannedFile.detected_license_expression_spdx,
                ).where(ScannedFile.id.in_(file_ids))
            )
        }
        seqs = [d.event_seq for d in decisions if d.event_seq is not None]
        events = {
            row["seq"]: dict(row)
            for row in session.execute(
                select(*AuditEvent.__table__.columns).where(AuditEvent.seq.in_(seqs))
            ).mappings()
        }
        yield [
            _row(d, facts[d.file_id], events.get(d.event_seq), include_private) for d in decisions
        ]


def _row(
    decision: DecisionRecord,
    facts: _FileFacts,
    event: dict[str, Any] | None,
    include_private: bool,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_seq": decision.event_seq,
        "decided_at": event["occurred_at"] if event else decision.created_at,
        "actor": decision.actor,
        "role": decision.role,
        "origin": decision.origin,
        "bulk_id": decision.bulk_id,
        "decision_id": decision.id,
        "supersedes_id": decision.supersedes_id,
        "reused_from_id": decision.reused_from_id,
        "path": facts.path,
        "file_sha256": facts.sha256,
        "detected_expression": facts.detected,
        "evidence": [
            {
                "license_expression_spdx": m.license_expression_spdx,
                "rule": m.rule,
                "score": m.score,
                "start_line": m.start_line,
                "end_line": m.end_line,
            }
            for m in facts.evidence
            if not m.is_clue
        ],
        "concluded_expression": decision.concluded_expression,
        "decision_type": decision.decision_type,
        "reason": decision.reason,
        "public_note": decision.public_note,
        "prev_hash": event["prev_hash"] if event else None,
        "event_hash": event["hash"] if event else None,
    }
    if include_private:
        row["private_comment"] = decision.private_comment
    if event is not None:
        row["event"] = event
    return row


def _csv_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Shown by `cat` or a spreadsheet, an ESC or bidi mark would act: make it visible (U+FFFD).
    # The JSON log keeps the exact text for verification.
    value = clean(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _evidence_text(evidence: list[dict[str, Any]]) -> str:
    parts = []
    for m in evidence:
        score = "" if m["score"] is None else f" score {m['score']:g}"
        lines = "" if m["start_line"] is None else f" lines {m['start_line']}-{m['end_line']}"
        parts.append(f"{m['license_expression_spdx']} ({m['rule']}{score}{lines})")
    return "; ".join(parts)


def write_decision_log(
    session: Session,
    scope: ExportScope,
    out: TextIO,
    *,
    fmt: str,
    actor: Actor,
    include_private: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the log as ``csv`` or ``json``; returns the number of rows."""
    if fmt not in ("csv", "json"):
        raise InputError(f"the decision log is written as csv or json, not {fmt!r}")
    total = count_decisions(session, scope)
    columns = [c for c in COLUMNS if include_private or c != "private_comment"]
    pages = _pages(session, scope, include_private)
    written = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for page in pages:
            for row in page:
                row["evidence"] = _evidence_text(row["evidence"])
                writer.writerow(_csv_cell(row[c]) for c in columns)
            written += len(page)
            if progress:
                progress(written, total)
        return written
    head_seq, head_hash = chain_head(session)
    with json_object(out, indent=1) as document:
        document.members(
            {
                "format": LOG_FORMAT,
                "format_version": LOG_VERSION,
                "project": scope.project,
                "scan_id": scope.scan_id,
                "exported_at": utc_now(),
                "exported_by": {"name": actor.name, "role": actor.role},
                "include_private": include_private,
                "chain_head": {"seq": head_seq, "hash": head_hash},
                "columns": columns,
            }
        )
        with document.array("decisions") as rows:
            for page in pages:
                for row in page:
                    rows.add(row)
                if progress:
                    progress(rows.count, total)
        document.member("count", rows.count)
    return rows.count
