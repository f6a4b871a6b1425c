"""What ScanCode found: projects, scans, files and their license, copyright and todo findings."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .indexed_text import fits_index


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))


class Scan(Base):
    """One ScanCode run, imported or scanned. Reviewers only see scans whose state is complete."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # "import" or "scan"
    state: Mapped[str] = mapped_column(String(16), default="complete")  # running / complete
    label: Mapped[str | None] = mapped_column(String(500))
    tool_name: Mapped[str | None] = mapped_column(Text)
    tool_version: Mapped[str | None] = mapped_column(Text)
    output_format_version: Mapped[str | None] = mapped_column(Text)
    options_json: Mapped[str | None] = mapped_column(Text)
    root: Mapped[str | None] = mapped_column(Text)
    input_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    files_count: Mapped[int] = mapped_column(Integer, default=0)
    dirs_count: Mapped[int] = mapped_column(Integer, default=0)
    detections_count: Mapped[int] = mapped_column(Integer, default=0)
    matches_count: Mapped[int] = mapped_column(Integer, default=0)
    copyrights_count: Mapped[int] = mapped_column(Integer, default=0)
    errors_count: Mapped[int] = mapped_column(Integer, default=0)
    reused_count: Mapped[int] = mapped_column(Integer, default=0)


class ScannedFile(Base):
    __tablename__ = "files"
    __table_args__ = (
        UniqueConstraint("scan_id", "path"),
        Index("ix_files_sha256", "sha256"),
        # PostgreSQL indexes only the values that fit an index entry (see indexed_text).
        Index(
            "ix_files_scan_expression",
            "scan_id",
            "detected_license_expression_spdx",
            postgresql_where=fits_index("detected_license_expression_spdx"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))  # file / directory
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)  # parent dir filled in
    sha1: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64))
    md5: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(Integer)
    mime_type: Mapped[str | None] = mapped_column(Text)
    file_type: Mapped[str | None] = mapped_column(Text)
    programming_language: Mapped[str | None] = mapped_column(Text)
    is_binary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_text: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archive: Mapped[bool] = mapped_column(Boolean, default=False)
    is_media: Mapped[bool] = mapped_column(Boolean, default=False)
    is_source: Mapped[bool] = mapped_column(Boolean, default=False)
    is_script: Mapped[bool] = mapped_column(Boolean, default=False)
    is_legal: Mapped[bool] = mapped_column(Boolean, default=False)
    is_readme: Mapped[bool] = mapped_column(Boolean, default=False)
    is_manifest: Mapped[bool] = mapped_column(Boolean, default=False)
    is_key_file: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_license_expression: Mapped[str | None] = mapped_column(Text)
    detected_license_expression_spdx: Mapped[str | None] = mapped_column(Text)
    percentage_of_license_text: Mapped[float | None] = mapped_column(Float)
    scan_errors_json: Mapped[str | None] = mapped_column(Text)
    findings_hash: Mapped[str | None] = mapped_column(String(64))  # stale-decision detection


class LicenseDetection(Base):
    __tablename__ = "license_detections"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    identifier: Mapped[str | None] = mapped_column(Text)
    license_expression: Mapped[str | None] = mapped_column(Text)
    license_expression_spdx: Mapped[str | None] = mapped_column(Text)
    is_clue: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LicenseMatch(Base):
    __tablename__ = "license_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    detection_id: Mapped[int] = mapped_column(ForeignKey("license_detections.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    license_expression: Mapped[str | None] = mapped_column(Text)
    license_expression_spdx: Mapped[str | None] = mapped_column(Text)
    rule_identifier: Mapped[str | None] = mapped_column(Text)
    rule_url: Mapped[str | None] = mapped_column(Text)
    matcher: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    match_coverage: Mapped[float | None] = mapped_column(Float)
    rule_relevance: Mapped[float | None] = mapped_column(Float)
    matched_length: Mapped[int | None] = mapped_column(Integer)
    rule_length: Mapped[int | None] = mapped_column(Integer)
    start_line: Mapped[int | None] = mapped_column(Integer)
    end_line: Mapped[int | None] = mapped_column(Integer)
    from_file: Mapped[str | None] = mapped_column(Text)
    matched_text: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CopyrightStatement(Base):
    """A copyright, holder or author statement (kind says which)."""

    __tablename__ = "copyrights"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # copyright / holder / author
    value: Mapped[str] = mapped_column(Text)
    start_line: Mapped[int | None] = mapped_column(Integer)
    end_line: Mapped[int | None] = mapped_column(Integer)


class TodoItem(Base):
    """A ScanCode `todo` review item: a detection ScanCode itself flags as needing review."""

    __tablename__ = "todo_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"), index=True)
    detection_identifier: Mapped[str | None] = mapped_column(Text)
    review_comments_json: Mapped[str | None] = mapped_column(Text)
    detection_json: Mapped[str | None] = mapped_column(Text)


class LicenseReference(Base):
    """License reference text shipped in a scan (`--license-references`), per scan."""

    __tablename__ = "license_references"
    __table_args__ = (UniqueConstraint("scan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    key: Mapped[str] = mapped_column(String(200))
    spdx_license_key: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)


class ScanResultCache(Base):
    """Per-file engine results keyed by content hash + ScanCode version + options (incremental scans)."""

    __tablename__ = "scan_result_cache"

    cache_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
