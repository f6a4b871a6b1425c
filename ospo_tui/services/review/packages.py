"""The packages of a scan as a reviewer sees them: declared vs detected, concluded, policy alert.

A package whose files hold licenses its manifest does not declare (or that declares none while
its files have some) is a mismatch, the first thing to review, so mismatches rank first, then the
worst policy alert. The policy applies to packages as to files: the worst of the declared, the
detected and the concluded licenses.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ospo_tui.errors import NotFoundError
from ospo_tui.models import (
    STATE_DECIDED,
    Dependency,
    PackageFile,
    ReviewItem,
    ScannedFile,
    ScanPackage,
)
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.policy.rules import (
    ALERT_LEVEL,
    DEFAULT_POLICY_NAME,
    LicensePolicy,
    compile_policy,
    default_policy_rules,
)
from ospo_tui.services.policy.versions import stored_policy
from ospo_tui.services.review.catalog import resolve_scan

# A reference to "the license" names no license: it neither confirms nor contradicts one.
IGNORED_FOR_MISMATCH = frozenset(
    {"unknown-license-reference", "LicenseRef-scancode-unknown-license-reference"}
)


@dataclass(frozen=True)
class PackageRow:
    id: int
    scan_id: int
    purl: str | None
    name: str | None
    version: str | None
    declared: str | None  # SPDX
    detected: tuple[str, ...]  # distinct SPDX expressions of its files
    concluded: str | None
    state: str
    version_counter: int
    policy_alert: str | None
    files: int
    open_files: int
    mismatch: bool
    homepage_url: str | None
    download_url: str | None
    copyright: str | None
    holder: str | None
    datafile_paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.purl or self.name or f"package #{self.id}"


@dataclass(frozen=True)
class DependencyRow:
    purl: str | None
    extracted_requirement: str | None
    scope: str | None
    is_runtime: bool
    is_optional: bool
    is_pinned: bool
    datafile_path: str | None


@dataclass(frozen=True)
class PackageFileRow:
    review_item_id: int | None
    path: str
    detected: str | None
    concluded: str | None
    state: str | None


@dataclass(frozen=True)
class PackageDetail:
    package: PackageRow
    dependencies: tuple[DependencyRow, ...]
    files: tuple[PackageFileRow, ...]


def reading_policy(reading: Reading) -> LicensePolicy:
    """The stored policy in force, or the default one when none was ever stored."""
    return stored_policy(reading) or compile_policy(
        default_policy_rules(), DEFAULT_POLICY_NAME, None
    )


def is_mismatch(declared: str | None, detected: tuple[str, ...]) -> bool:
    """Files hold a license the manifest does not declare, or the manifest declares none."""
    found = {k for expression in detected for k in license_keys(expression)}
    found -= IGNORED_FOR_MISMATCH
    if not found:
        return False
    return not found <= set(license_keys(declared))


def alert_rank(alert: str | None) -> int:
    """Worst first: error, then warning, missing, ok, and no license at all last."""
    return ALERT_LEVEL.get(alert, 99) if alert else 100


def package_alert(policy: LicensePolicy, expressions: list[str | None]) -> str | None:
    """The worst alert of the declared, detected and concluded expressions."""
    alerts = [alert for e in expressions if e and (alert := policy.alert(e))]
    return min(alerts, key=alert_rank) if alerts else None


def _detected_by_package(reading: Reading, scan_id: int) -> dict[int, list[str]]:
    rows = reading.session.execute(
        select(PackageFile.package_id, ScannedFile.detected_license_expression_spdx)
        .join(ScannedFile, ScannedFile.id == PackageFile.file_id)
        .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
        .where(ScanPackage.scan_id == scan_id)
        .where(ScannedFile.detected_license_expression_spdx.is_not(None))
        .distinct()
    )
    detected: dict[int, list[str]] = defaultdict(list)
    for package_id, expression in rows:
        detected[package_id].append(expression or "")
    return detected


def _file_counts(reading: Reading, scan_id: int) -> dict[int, tuple[int, int]]:
    open_case = case((ReviewItem.needs_review & (ReviewItem.state != STATE_DECIDED), 1), else_=0)
    rows = reading.session.execute(
        select(PackageFile.package_id, func.count(), func.coalesce(func.sum(open_case), 0))
        .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
        .join(ScannedFile, ScannedFile.id == PackageFile.file_id)
        .join(ReviewItem, ReviewItem.file_id == PackageFile.file_id, isouter=True)
        .where(ScanPackage.scan_id == scan_id, ScannedFile.type == "file")
        .group_by(PackageFile.package_id)
    )
    return {package_id: (int(total), int(opened)) for package_id, total, opened in rows}


def scan_packages(
    reading: Reading, project: str | None = None, scan_id: int | None = None
) -> list[PackageRow]:
    """The packages of the scan a command names, mismatches and worst alerts first."""
    scan = resolve_scan(reading.session, project, scan_id)
    policy = reading_policy(reading)
    detected = _detected_by_package(reading, scan.id)
    counts = _file_counts(reading, scan.id)
    rows = []
    for p in reading.session.scalars(select(ScanPackage).where(ScanPackage.scan_id == scan.id)):
        found = tuple(sorted(detected.get(p.id, [])))
        declared = p.declared_license_expression_spdx
        total, opened = counts.get(p.id, (0, 0))
        rows.append(
            PackageRow(
                id=p.id,
                scan_id=scan.id,
                purl=p.purl,
                name=p.name,
                version=p.version,
                declared=declared,
                detected=found,
                concluded=p.concluded_expression,
                state=p.state,
                version_counter=p.version_counter,
                policy_alert=package_alert(policy, [declared, *found, p.concluded_expression]),
                files=total,
                open_files=opened,
                mismatch=is_mismatch(declared, found),
                homepage_url=p.homepage_url,
                download_url=p.download_url,
                copyright=p.copyright,
                holder=p.holder,
                datafile_paths=tuple(json.loads(p.datafile_paths_json or "[]")),
            )
        )
    rows.sort(key=lambda r: (not r.mismatch, alert_rank(r.policy_alert), r.label, r.id))
    return rows


def package_detail(reading: Reading, package_id: int) -> PackageDetail:
    """One package with its dependencies and its files (and their review items)."""
    package = reading.session.get(ScanPackage, package_id)
    if package is None:
        raise NotFoundError(f"no package #{package_id}")
    row = next(r for r in scan_packages(reading, scan_id=package.scan_id) if r.id == package_id)
    dependencies = tuple(
        DependencyRow(
            d.purl,
            d.extracted_requirement,
            d.scope,
            d.is_runtime,
            d.is_optional,
            d.is_pinned,
            d.datafile_path,
        )
        for d in reading.session.scalars(
            select(Dependency).where(Dependency.package_id == package_id).order_by(Dependency.id)
        )
    )
    files = tuple(
        PackageFileRow(item_id, path, detected, concluded, state)
        for item_id, path, detected, concluded, state in reading.session.execute(
            select(
                ReviewItem.id,
                ScannedFile.path,
                ScannedFile.detected_license_expression_spdx,
                ReviewItem.concluded_expression,
                ReviewItem.state,
            )
            .join(PackageFile, PackageFile.file_id == ScannedFile.id)
            .join(ReviewItem, ReviewItem.file_id == ScannedFile.id, isouter=True)
            .where(PackageFile.package_id == package_id, ScannedFile.type == "file")
            .order_by(ScannedFile.path)
        )
    )
    return PackageDetail(row, dependencies, files)


def packages_named(
    reading: Reading, purl: str, project: str | None = None, scan_id: int | None = None
) -> list[PackageRow]:
    """The packages of the named scan whose purl is ``purl`` (a wheel and its sdist may share
    one); NotFoundError when there is none."""
    found = [row for row in scan_packages(reading, project, scan_id) if row.purl == purl.strip()]
    if not found:
        raise NotFoundError(f"no package {purl!r} in the scan (see: ospo-tui packages)")
    return found
