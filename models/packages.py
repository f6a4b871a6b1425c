"""Packages and dependencies ScanCode assembled from manifests, and reviewers' package decisions.

A package is what an OSPO decides and ships ("zlib 1.2.13 under Zlib"); its files keep their own
findings. Package decisions are append-only like file decisions; the package row carries the
current state and a version counter for optimistic locking.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ScanPackage(Base):
    """One package of one scan: ScanCode's top-level ``packages`` entry (or a legacy per-file one)."""

    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("scan_id", "package_uid"),
        Index("ix_packages_project_purl", "project_id", "purl"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    package_uid: Mapped[str] = mapped_column(Text)
    purl: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(Text)
    namespace: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(Text)
    primary_language: Mapped[str | None] = mapped_column(Text)
    declared_license_expression: Mapped[str | None] = mapped_column(Text)
    declared_license_expression_spdx: Mapped[str | None] = mapped_column(Text)
    other_license_expression: Mapped[str | None] = mapped_column(Text)
    extracted_license_statement: Mapped[str | None] = mapped_column(Text)
    notice_text: Mapped[str | None] = mapped_column(Text)
    copyright: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(Text)
    homepage_url: Mapped[str | None] = mapped_column(Text)
    download_url: Mapped[str | None] = mapped_column(Text)
    datafile_paths_json: Mapped[str] = mapped_column(Text, default="[]")
    datasource_ids_json: Mapped[str] = mapped_column(Text, default="[]")
    # Review state, kept in step with package_decisions by the decision service.
    state: Mapped[str] = mapped_column(String(16), default="open")
    version_counter: Mapped[int] = mapped_column(Integer, default=1)
    current_decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    concluded_expression: Mapped[str | None] = mapped_column(Text)
    findings_hash: Mapped[str | None] = mapped_column(String(64))  # declared + detected
    updated_at: Mapped[str | None] = mapped_column(String(32))


class PackageFile(Base):
    """A file that belongs to a package (ScanCode's ``for_packages``)."""

    __tablename__ = "package_files"
    __table_args__ = (UniqueConstraint("package_id", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)


class PackageData(Base):
    """What one manifest file says (``package_data``, or ``packages`` in formats 1.x/2.x)."""

    __tablename__ = "package_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    purl: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(Text)
    datasource_id: Mapped[str | None] = mapped_column(Text)
    declared_license_expression: Mapped[str | None] = mapped_column(Text)
    declared_license_expression_spdx: Mapped[str | None] = mapped_column(Text)
    dependencies_count: Mapped[int] = mapped_column(Integer, default=0)


class Dependency(Base):
    """A dependency a manifest declares, owned by a package, or only by its datafile."""

    __tablename__ = "dependencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    dependency_uid: Mapped[str | None] = mapped_column(Text)
    purl: Mapped[str | None] = mapped_column(Text)
    extracted_requirement: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(Text)
    is_runtime: Mapped[bool] = mapped_column(Boolean, default=False)
    is_optional: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_direct: Mapped[bool] = mapped_column(Boolean, default=True)
    datafile_path: Mapped[str | None] = mapped_column(Text)
    datasource_id: Mapped[str | None] = mapped_column(Text)


class ScanSummary(Base):
    """ScanCode's ``summary`` of a scan (``--summary --classify``), when it has one."""

    __tablename__ = "scan_summaries"

    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), primary_key=True)
    declared_license_expression: Mapped[str | None] = mapped_column(Text)
    license_clarity_score: Mapped[int | None] = mapped_column(Integer)
    declared_holder: Mapped[str | None] = mapped_column(Text)
    primary_language: Mapped[str | None] = mapped_column(Text)
    summary_json: Mapped[str] = mapped_column(Text)


class PackageDecision(Base):
    """A reviewer's concluded license for one package (an ORT curation). Append-only."""

    __tablename__ = "package_decisions"
    __table_args__ = (Index("ix_package_decisions_purl", "project_id", "purl"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    purl: Mapped[str | None] = mapped_column(Text)
    concluded_expression: Mapped[str | None] = mapped_column(Text)
    decision_type: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(40))
    public_note: Mapped[str | None] = mapped_column(Text)
    private_comment: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # manual / reuse
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("package_decisions.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("package_decisions.id"))
    findings_hash: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(32))
