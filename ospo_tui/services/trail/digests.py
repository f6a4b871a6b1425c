"""SHA-256 digests of table rows, recorded in the event that wrote them and checked on replay.

Some rows are written in bulk by one event (a scan's files and review items, a policy's rules):
the event cannot carry them, so it carries their digest. ``audit verify`` recomputes it from the
tables, so a raw UPDATE, INSERT or DELETE of any of those rows shows. The same function computes
both sides, reading the rows back from the database, so the digest never depends on how the
writer happened to hold its values.
"""

from __future__ import annotations

import hashlib

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
        for c in table.columns
        if c.name not in leave_out
    ]
    result = session.connection().execute(
        select(*columns).where(condition).order_by(table.c.id),
        execution_options={"yield_per": _BATCH},
    )
    digest = hashlib.sha256()
    for rows in result.partitions(_BATCH):
        digest.update("".join(f"{tuple(row)!r}\n" for row in rows).encode("utf-8"))
    return digest.hexdigest()


def scan_digests(session: Session, scan_id: int) -> dict[str, str]:
    """What the scan's event records about the rows it wrote: the scan, its files, its items."""
    return {
        "scan": rows_digest(
            session, Scan.__table__, Scan.__table__.c.id == scan_id, leave_out=_SCAN_MUTABLE
        ),
        "files": rows_digest(session, ScannedFile.__table__, ScannedFile.scan_id == scan_id),
        "review_items": rows_digest(
            session, ReviewItem.__table__, ReviewItem.scan_id == scan_id, leave_out=_ITEM_MUTABLE
        ),
        # What the SBOMs' components say: declared licenses, purls, files, dependencies.
        "packages": rows_digest(
            session,
            ScanPackage.__table__,
            ScanPackage.scan_id == scan_id,
            leave_out=_PACKAGE_MUTABLE,
        ),
        "package_files": rows_digest(
            session,
            PackageFile.__table__,
            PackageFile.package_id.in_(
                select(ScanPackage.id).where(ScanPackage.scan_id == scan_id)
            ),
        ),
        "package_data": rows_digest(session, PackageData.__table__, PackageData.scan_id == scan_id),
        "dependencies": rows_digest(session, Dependency.__table__, Dependency.scan_id == scan_id),
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
