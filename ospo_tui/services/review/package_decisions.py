"""A reviewer's concluded license for a package, as ORT's package curations: same decision types,
reasons, validation, optimistic locking and audit events as file decisions.

The decision row is append-only; the package row holds the current state, concluded expression,
decision and a version counter. The version check is the package UPDATE's own WHERE clause, so
two reviewers deciding at once cannot both win: the second gets ``PackageDecisionConflict``.
Decisions are reused by purl (which holds the version) onto the next scan and marked stale when
the declared or detected licenses they were made on have changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, NotFoundError
from ospo_tui.models import STATE_STALE, PackageDecision, Scan, ScanPackage
from ospo_tui.services.access.roles import allowed, require
from ospo_tui.services.review.decision_fields import DecisionFields, validate_fields
from ospo_tui.services.review.decisions import run_retrying
from ospo_tui.services.review.item_state import state_after_decision
from ospo_tui.services.trail.chain import Actor, append_event

_packages = ScanPackage.__table__


@dataclass(frozen=True)
class PackageDecisionResult:
    package_id: int
    purl: str | None
    decision_id: int
    fields: DecisionFields
    state: str
    version: int


class PackageDecisionConflict(ConflictError):
    """The package changed since the reviewer read it."""

    def __init__(self, label: str, expected: int, actual: int, current: str | None) -> None:
        self.expected_version = expected
        self.actual_version = actual
        super().__init__(
            f"{label} changed since you read it (version {expected}, now {actual}; concluded "
            f"{current or 'nothing'}): your decision was not saved - review and decide again"
        )


@dataclass(frozen=True)
class _Write:
    fields: DecisionFields
    origin: str = "manual"
    reused_from_id: int | None = None
    findings_hash: str | None = None  # what it was made on; None: the package's own
    state: str | None = None  # default: from the decision type


def _decision_row(actor: Actor, package: ScanPackage, write: _Write, now: str) -> dict[str, object]:
    return {
        "project_id": package.project_id,
        "package_id": package.id,
        "purl": package.purl,
        **write.fields.as_columns(),
        "origin": write.origin,
        "reused_from_id": write.reused_from_id,
        "supersedes_id": package.current_decision_id,
        "findings_hash": write.findings_hash or package.findings_hash,
        "actor": actor.name,
        "role": actor.role,
        "created_at": now,
    }


def _write(
    session: Session, actor: Actor, package: ScanPackage, seen: int, write: _Write
) -> PackageDecisionResult:
    """The package row first (version-checked), then the decision, then its audit event."""
    now = utc_now()
    state = write.state or state_after_decision(write.fields.decision_type)
    old = {
        "state": package.state,
        "concluded_expression": package.concluded_expression,
        "decision_id": package.current_decision_id,
        "version": seen,
    }
    moved = session.connection().execute(
        update(_packages)
        .where(_packages.c.id == package.id, _packages.c.version_counter == seen)
        .values(
            state=state,
            concluded_expression=write.fields.concluded_expression,
            version_counter=seen + 1,
            updated_at=now,
        )
    )
    if moved.rowcount != 1:
        actual, concluded = session.execute(
            select(_packages.c.version_counter, _packages.c.concluded_expression).where(
                _packages.c.id == package.id
            )
        ).one()
        label = package.purl or f"package #{package.id}"
        raise PackageDecisionConflict(label, seen, actual, concluded)
    decision_id = session.execute(
        insert(PackageDecision).returning(PackageDecision.id),
        _decision_row(actor, package, write, now),
    ).scalar_one()
    session.execute(
        update(_packages)
        .where(_packages.c.id == package.id)
        .values(current_decision_id=decision_id)
    )
    action = "package_decision.reuse" if write.origin == "reuse" else "package_decision.record"
    payload = {
        "purl": package.purl,
        "scan_id": package.scan_id,
        "decision_id": decision_id,
        "origin": write.origin,
        "reused_from_id": write.reused_from_id,
        "old": old,
        "new": {**write.fields.as_payload(), "state": state, "version": seen + 1},
    }
    append_event(session, actor, action, "package", package.id, payload, package.project_id)
    return PackageDecisionResult(
        package.id, package.purl, decision_id, write.fields, state, seen + 1
    )


def record_package_decision(
    session: Session,
    actor: Actor,
    package_id: int,
    expected_version: int | None,
    fields: DecisionFields,
) -> PackageDecisionResult:
    """One package decision in the caller's transaction (fields already validated)."""
    package = session.get(ScanPackage, package_id)
    if package is None:
        raise NotFoundError(f"no package #{package_id}")
    seen = package.version_counter if expected_version is None else expected_version
    return _write(session, actor, package, seen, _Write(fields))


def decide_package(
    db: Database,
    actor: Actor,
    package_id: int,
    expected_version: int | None,
    concluded: str | None,
    decision_type: str = "identified",
    reason: str | None = None,
    public_note: str | None = None,
    private_comment: str | None = None,
) -> PackageDecisionResult:
    """Record a concluded license on one package; see the module docstring for the guarantees."""
    if not allowed(actor, "decide"):
        require(db, actor, "decide", f"package #{package_id}")
    fields = validate_fields(concluded, decision_type, reason, public_note, private_comment)
    return run_retrying(
        db, lambda s: record_package_decision(s, actor, package_id, expected_version, fields)
    )


def carry_over_package_decisions(session: Session, scan: Scan, actor: Actor) -> int:
    """Reuse the latest earlier decision on each purl of ``scan``; stale when the declared or
    detected licenses differ from those it was made on. Returns how many were reused."""
    earlier_any = select(PackageDecision.id).where(PackageDecision.project_id == scan.project_id)
    if session.scalar(earlier_any.limit(1)) is None:
        return 0  # the common case on a first import: nothing to reuse, no package to load
    packages = session.scalars(
        select(ScanPackage).where(ScanPackage.scan_id == scan.id, ScanPackage.purl.is_not(None))
    ).all()
    purls = {p.purl for p in packages}
    if not purls:
        return 0
    latest: dict[str, PackageDecision] = {}
    earlier = session.scalars(
        select(PackageDecision)
        .join(ScanPackage, ScanPackage.id == PackageDecision.package_id)
        .where(PackageDecision.project_id == scan.project_id, ScanPackage.scan_id != scan.id)
        .where(PackageDecision.purl.in_(sorted(p for p in purls if p)))
        .order_by(PackageDecision.id)
    )
    for decision in earlier:
        latest[decision.purl or ""] = decision
    reused = 0
    for package in packages:
        source = latest.get(package.purl or "")
        if source is None or source.concluded_expression is None:
            continue
        fields = DecisionFields(
            source.concluded_expression,
            source.decision_type,
            source.reason,
            source.public_note,
            source.private_comment,
        )
        stale = source.findings_hash != package.findings_hash
        write = _Write(
            fields, "reuse", source.id, source.findings_hash, STATE_STALE if stale else None
        )
        _write(session, actor, package, package.version_counter, write)
        reused += 1
    return reused
