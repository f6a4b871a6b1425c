"""SHA-256 digests of table rows, recorded in the event that wrote them and checked on replay.

Some rows are written in bulk by one event (a scan's files and review items, a policy's rules):
the event cannot carry them, so it carries their digest. ``audit verify`` recomputes it from the
tables, so a raw UPDATE, INSERT or DELETE of any of those rows shows. ``audit verify`` always
reads the rows back. A bulk writer may instead feed ``WrittenRowsDigest`` the rows as it inserts
them (reading them back took 12-14 % of a 100k-file import): it formats each value as the
drivers return it, and tests hold the two equal on real scans on both backends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from operator import itemgetter, lt
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, Table, cast, select
from sqlalchemy.orm import Session

from ospo_tui.models import (
    Dependency,
    PackageData,
    PackageFile,
    Policy,
    PolicyRule,
    ReviewItem,
    Scan,
    ScannedFile,
    ScanPackage,
)

# Review item columns a later event or a policy load changes: replayed or re-derived instead.
_ITEM_MUTABLE = frozenset(
    {
        "state",
        "concluded_expression",
        "current_decision_id",
        "version",
        "updated_at",
        "priority",
        "priority_reason",
        "policy_alert",
        "policy_version",
    }
)
# A package's review state: replayed from the package decision events.
_PACKAGE_MUTABLE = frozenset(
    {"state", "concluded_expression", "current_decision_id", "version_counter", "updated_at"}
)
# Set after the scan's event, from the reuse events that follow it.
_SCAN_MUTABLE = frozenset({"reused_count"})
_BATCH = 5000


def _digested_columns(table: Table, leave_out: frozenset[str]) -> list[Any]:
    return [c for c in table.columns if c.name not in leave_out]


def rows_digest(
    session: Session,
    table: Table,
    condition: ColumnElement[bool],
    *,
    leave_out: frozenset[str] = frozenset(),
) -> str:
    """Hex SHA-256 over the rows matching ``condition``, in id order, every column but
    ``leave_out``. Booleans are read as 0/1 so that no value needs converting in Python: what
    the drivers then return (text, whole numbers, floats, None) is the same on both backends."""
    columns = [
        cast(c, Integer) if isinstance(c.type, Boolean) else c
        for c in _digested_columns(table, leave_out)
    ]
    result = session.connection().execute(
        select(*columns).where(condition).order_by(table.c.id),
        execution_options={"yield_per": _BATCH},
    )
    digest = hashlib.sha256()
    for rows in result.partitions(_BATCH):
        digest.update("".join(f"{tuple(row)!r}\n" for row in rows).encode("utf-8"))
    return digest.hexdigest()


class WrittenRowsDigest:
    """``rows_digest`` of rows as they are written: feed every row of the condition, in id order.

    Each row is a mapping of column name to the value bound in the INSERT; a column the INSERT
    left out is NULL (the writer's plain INSERT applies no defaults). Booleans count as 0/1,
    as ``rows_digest`` reads them. Values must be what the driver returns for them: plain
    str, int, finite float and None, which both backends return unchanged.
    """

    def __init__(self, table: Table, *, leave_out: frozenset[str] = frozenset()) -> None:
        columns = _digested_columns(table, leave_out)
        unbound = [c.name for c in columns if c.server_default is not None]
        self._names = [c.name for c in columns]
        self._required = itemgetter(*unbound) if unbound else None  # KeyError if left out
        self._booleans = [i for i, c in enumerate(columns) if isinstance(c.type, Boolean)]
        # One row's line, as repr(tuple) writes it, with "%d" turning a boolean into 0/1.
        fields = ["%d" if i in self._booleans else "%r" for i in range(len(columns))]
        self._line = "(" + ", ".join(fields) + ("," if len(fields) == 1 else "") + ")\n"
        self._values = itemgetter(*self._names)
        self._last_id = 0
        self._digest = hashlib.sha256()

    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        ids = [row["id"] for row in rows]
        if ids[0] <= self._last_id or not all(map(lt, ids, ids[1:])):
            raise ValueError("rows must be fed in id order")
        self._last_id = ids[-1]
        line, values, lines = self._line, self._values, []
        for row in rows:
            try:
                lines.append(line % values(row))
            except (KeyError, TypeError):  # a column left out, or a NULL boolean
                lines.append(self._spelled_out(row))
        self._digest.update("".join(lines).encode("utf-8"))

    def _spelled_out(self, row: Mapping[str, Any]) -> str:
        if self._required is not None:
            self._required(row)
        values: list[Any] = [row.get(name) for name in self._names]
        for position in self._booleans:
            if values[position] is not None:
                values[position] = int(values[position])
        return f"{tuple(values)!r}\n"

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _scan_parts(
    scan_id: int,
) -> dict[str, tuple[Table, ColumnElement[bool], frozenset[str]]]:
    """Each part of a scan's digest: its table, the scan's rows, the columns left out."""
    packages = ScanPackage.__table__
    return {
        "scan": (Scan.__table__, Scan.__table__.c.id == scan_id, _SCAN_MUTABLE),
        "files": (ScannedFile.__table__, ScannedFile.scan_id == scan_id, frozenset()),
        "review_items": (ReviewItem.__table__, ReviewItem.scan_id == scan_id, _ITEM_MUTABLE),
        # What the SBOMs' components say: declared licenses, purls, files, dependencies.
        "packages": (packages, packages.c.scan_id == scan_id, _PACKAGE_MUTABLE),
        "package_files": (
            PackageFile.__table__,
            PackageFile.package_id.in_(select(packages.c.id).where(packages.c.scan_id == scan_id)),
            frozenset(),
        ),
        "package_data": (PackageData.__table__, PackageData.scan_id == scan_id, frozenset()),
        "dependencies": (Dependency.__table__, Dependency.scan_id == scan_id, frozenset()),
    }


def written_scan_digests(*parts: str) -> dict[str, WrittenRowsDigest]:
    """Digests a scan's writer computes as it inserts the rows of ``parts`` (see
    ``scan_digests``)."""
    tables = _scan_parts(0)
    return {part: WrittenRowsDigest(tables[part][0], leave_out=tables[part][2]) for part in parts}


def scan_digests(
    session: Session, scan_id: int, written: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What the scan's event records about the rows it wrote: the scan, its files, its items.
    Parts in ``written`` (``WrittenRowsDigest``) were computed by the writer; the rest are read
    back."""
    written = written or {}
    return {
        part: written[part]
        if part in written
        else rows_digest(session, table, condition, leave_out=leave_out)
        for part, (table, condition, leave_out) in _scan_parts(scan_id).items()
    }


def policy_rules_digest(session: Session, version: int) -> str:
    """The rules of a stored policy version (by version, so a copied database agrees)."""
    policy_id = select(Policy.id).where(Policy.version == version).scalar_subquery()
    return rows_digest(
        session,
        PolicyRule.__table__,
        PolicyRule.policy_id == policy_id,
        leave_out=frozenset({"id", "policy_id"}),
    )
