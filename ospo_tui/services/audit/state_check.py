"""Comparing the tables with the state replayed from the audit chain; the first difference wins.

The queue and every export read the tables, not the events: a raw ``UPDATE review_items SET
concluded_expression = ...`` needs no trigger to be dropped, and until now nothing noticed. Here
each row the chain speaks for is compared with what its events recorded, and one line names the
first row, column and event that disagree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import Decision as DecisionRow
from ospo_tui.models import (
    Member,
    PackageDecision,
    Policy,
    Question,
    QuestionMessage,
    ReviewItem,
    Scan,
    ScanPackage,
)
from ospo_tui.services.audit.replay import (
    DECISION_COLUMNS,
    ITEM_COLUMNS,
    ITEM_INITIAL,
    PACKAGE_INITIAL,
    UNCHECKED,
    ReplayedState,
)
from ospo_tui.services.review.decision_fields import private_comment_digest
from ospo_tui.services.trail.digests import policy_rules_digest, scan_digests

_SHOWN = 80  # characters of a value quoted in the one-line report


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _differs(row: str, column: str, found: Any, expected: Any, seq: int) -> str:
    return (
        f"{row}: {column} is {_quote(found)} but the audit trail says {_quote(expected)} "
        f"(event {seq})"
    )


def _no_event(row: str) -> str:
    return f"{row} has no audit event (written outside ospo-tui, or its event was cut)"


def _missing(row: str, seq: int) -> str:
    return f"{row} is missing (event {seq} wrote it)"


def _rows(session: Session, *columns: Any) -> Iterator[Any]:
    query = select(*columns).order_by(columns[0])
    yield from session.connection().execute(query, execution_options={"yield_per": 10000})


def _decisions(session: Session, state: ReplayedState) -> str | None:
    table = DecisionRow.__table__
    columns = [table.c[name] for name in DECISION_COLUMNS]
    expected = dict(state.decisions)
    for row in _rows(session, table.c.id, *columns, table.c.private_comment):
        label = f"decisions row {row[0]}"
        entry = expected.pop(row[0], None)
        if entry is None:
            return _no_event(label)
        values, comment_digest, seq = entry
        found_values = tuple(row)[1:-1]
        if found_values != values:  # the common case compares whole rows at once
            for name, found, wanted in zip(DECISION_COLUMNS, found_values, values, strict=True):
                if wanted is not UNCHECKED and found != wanted:
                    return _differs(label, name, found, wanted, seq)
        if row[-1] is not None or comment_digest is not None:
            if private_comment_digest(row[-1]) != comment_digest:
                return f"{label}: private_comment does not hash to what event {seq} recorded"
    for decision_id, (_, _, seq) in sorted(expected.items()):
        return _missing(f"decisions row {decision_id}", seq)
    return None


def _items(session: Session, state: ReplayedState) -> str | None:
    table = ReviewItem.__table__
    columns = [table.c[name] for name in ITEM_COLUMNS]
    seen: set[int] = set()
    for row in _rows(session, table.c.id, table.c.path, *columns):
        seen.add(row[0])
        values, seqs = state.items.get(row[0], (ITEM_INITIAL, (0,) * len(ITEM_COLUMNS)))
        for name, found, wanted, seq in zip(ITEM_COLUMNS, row[2:], values, seqs, strict=True):
            if found != wanted:
                label = f"review_items row {row[0]} ({row[1]!r})"
                if seq == 0:
                    return f"{label}: {name} is {_quote(found)} but no event changed it"
                return _differs(label, name, found, wanted, seq)
    for item_id, (_, seqs) in sorted(state.items.items()):
        if item_id not in seen:
            return _missing(f"review_items row {item_id}", max(seqs))
    return None


def _scans(session: Session, state: ReplayedState) -> str | None:
    seen: set[int] = set()
    for scan_id, project_id, reused in _rows(session, Scan.id, Scan.project_id, Scan.reused_count):
        seen.add(scan_id)
        label = f"scans row {scan_id}"
        if scan_id not in state.scans:
            return _no_event(label)
        recorded, seq = state.scans[scan_id]
        if project_id != recorded["project_id"]:
            return _differs(label, "project_id", project_id, recorded["project_id"], seq)
        if reused != state.reuses[scan_id]:
            return _differs(label, "reused_count", reused, state.reuses[scan_id], seq)
        digest = recorded["digest"]
        if digest is UNCHECKED:
            continue
        for part, value in scan_digests(session, scan_id).items():
            # A part an older event did not record is not compared (the event is hashed).
            if part in digest and digest[part] != value:
                what = "the scan row" if part == "scan" else f"its {part} rows"
                return (
                    f"{label}: {what} no longer match the digest event {seq} recorded "
                    "(a row was changed, added or removed)"
                )
    for scan_id, (_, seq) in sorted(state.scans.items()):
        if scan_id not in seen:
            return _missing(f"scans row {scan_id}", seq)
    return None


def _compare_rows(
    label: str,
    found: dict[Any, dict[str, Any]],
    expected: dict[Any, tuple[dict[str, Any], int]],
) -> str | None:
    """Rows keyed alike on both sides, each a dict of the columns the events recorded."""
    for key, row in found.items():
        if key not in expected:
            return _no_event(f"{label} {key!r}")
        values, seq = expected[key]
        for name, wanted in values.items():
            if name in row and wanted is not UNCHECKED and row[name] != wanted:
                return _differs(f"{label} {key!r}", name, row[name], wanted, seq)
    for key, (_, seq) in expected.items():
        if key not in found:
            return _missing(f"{label} {key!r}", seq)
    return None


def _by_key(session: Session, model: Any, key: str) -> dict[Any, dict[str, Any]]:
    table = model.__table__
    query = select(table).order_by(table.c[key])
    return {row[key]: dict(row) for row in session.connection().execute(query).mappings()}


def _questions(session: Session, state: ReplayedState) -> str | None:
    found = _compare_rows("questions row", _by_key(session, Question, "id"), state.questions)
    return found or _compare_rows(
        "question_messages row", _by_key(session, QuestionMessage, "id"), state.messages
    )


def _members(session: Session, state: ReplayedState) -> str | None:
    return _compare_rows("members row", _by_key(session, Member, "name"), state.members)


def _policies(session: Session, state: ReplayedState) -> str | None:
    rows = _by_key(session, Policy, "version")
    for row in rows.values():
        row["source_sha256_of_content"] = hashlib.sha256(row["content"].encode()).hexdigest()
        row["rules_sha256"] = policy_rules_digest(session, row["version"])
    expected = {
        version: ({**values, "source_sha256_of_content": values["source_sha256"]}, seq)
        for version, (values, seq) in state.policies.items()
    }
    return _compare_rows("policies version", rows, expected)


def _packages(session: Session, state: ReplayedState) -> str | None:
    """Package review state (what SBOMs and notices conclude), then the package decisions."""
    table = ScanPackage.__table__
    names = tuple(PACKAGE_INITIAL)
    for row in _rows(session, table.c.id, table.c.purl, *(table.c[name] for name in names)):
        expected, seq = state.packages.get(row[0], (PACKAGE_INITIAL, 0))
        for name, found in zip(names, row[2:], strict=True):
            if found != expected[name]:
                label = f"packages row {row[0]} ({row[1]!r})"
                if seq == 0:
                    return f"{label}: {name} is {_quote(found)} but no event changed it"
                return _differs(label, name, found, expected[name], seq)
    found = _by_key(session, PackageDecision, "id")
    for row in found.values():
        row["private_comment_sha256"] = private_comment_digest(row["private_comment"])
    return _compare_rows("package_decisions row", found, state.package_decisions)


CHECKS: tuple[Callable[[Session, ReplayedState], str | None], ...] = (
    _scans,
    _decisions,
    _items,
    _questions,
    _members,
    _policies,
    _packages,
)


def first_difference(session: Session, state: ReplayedState) -> str | None:
    """The first row that differs from the replayed state, as one line; None when all agree."""
    if state.unreadable is not None:
        return f"the audit trail cannot be replayed: {state.unreadable}"
    for check in CHECKS:
        found = check(session, state)
        if found is not None:
            return f"the tables differ from the audit trail: {found}"
    return None
