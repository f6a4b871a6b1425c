"""Writing one scan into the database: files, findings, todo items and review items, in batches.

Both the importer and the scan engine feed ``ScanIngest``; the caller owns the transaction, so a
scan becomes visible all at once or not at all. Rows go in through Core executemany, a batch of
files at a time, so memory stays flat however large the scan is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.errors import InputError
from ospo_tui.models import (
    CopyrightStatement,
    LicenseDetection,
    LicenseMatch,
    LicenseReference,
    Project,
    ReviewItem,
    Scan,
    ScannedFile,
    TodoItem,
)
from ospo_tui.services.ingest.file_flags import FILE_FLAGS
from ospo_tui.services.ingest.package_format import parse_file_with_packages
from ospo_tui.services.ingest.package_writer import PackageIngest
from ospo_tui.services.ingest.review_items import review_item_row
from ospo_tui.services.ingest.row_ids import RowIds
from ospo_tui.services.ingest.scancode_format import (
    DetectionRow,
    FileRecord,
    MatchRow,
    clean_text,
)
from ospo_tui.services.ingest.search_index import defer_indexing, index_scan
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.policy.versions import policy_in_force, settle_policy
from ospo_tui.services.trail.chain import Actor, append_event
from ospo_tui.services.trail.digests import scan_digests, written_scan_digests

BATCH_FILES = 2000


@dataclass
class ScanHeader:
    tool_name: str | None = "scancode-toolkit"
    tool_version: str | None = None
    output_format_version: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    root: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    input_sha256: str | None = None
    label: str | None = None


def _detection_row(detection: DetectionRow, file_id: int, position: int) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "identifier": detection.identifier,
        "license_expression": detection.license_expression,
        "license_expression_spdx": detection.license_expression_spdx,
        "is_clue": detection.is_clue,
        "position": position,
    }


def get_or_create_project(session: Session, name: str) -> Project:
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a project name must be 1 to 200 characters")
    project = session.scalar(select(Project).where(Project.name == name))
    if project is None:
        project = Project(name=name, created_at=utc_now())
        session.add(project)
        session.flush()
    return project


class ScanIngest:
    """Streams file records of one scan into the tables; ``finish()`` completes the scan."""

    def __init__(
        self,
        session: Session,
        *,
        project_name: str,
        source: str,
        header: ScanHeader,
        actor: Actor,
        batch_files: int = BATCH_FILES,
    ) -> None:
        self.session = session
        self.actor = actor
        self.header = header
        self.batch_files = batch_files
        self.catalog = license_catalog()
        self.policy = policy_in_force(session)
        self.project = get_or_create_project(session, project_name)
        now = utc_now()
        self.scan = Scan(
            project_id=self.project.id,
            source=source,
            state="running",
            label=header.label,
            tool_name=header.tool_name,
            tool_version=header.tool_version,
            output_format_version=header.output_format_version,
            options_json=json.dumps(header.options, sort_keys=True, default=str),
            root=header.root,
            input_sha256=header.input_sha256,
            started_at=header.started_at,
            finished_at=header.finished_at,
            created_at=now,
        )
        session.add(self.scan)
        session.flush()
        self._dropped_triggers = defer_indexing(session, self.scan.id)
        self._file_ids = RowIds(session, ScannedFile.__table__)
        self._detection_ids = RowIds(session, LicenseDetection.__table__)
        self._item_ids = RowIds(session, ReviewItem.__table__)
        # The event's digest of the two large tables, taken as they are written (not read back).
        self._written = written_scan_digests("files", "review_items")
        self.packages = PackageIngest(session, self.scan.id, self.project.id, self._insert)
        self._pending: list[FileRecord] = []
        self._index = 0
        self._dirs_seen: set[str] = set()
        self._parents_needed: set[str] = set()
        self._todo_by_detection: dict[str, int] = {}
        self._todo_files: list[tuple[str, int]] = []
        self.counts = {
            "files": 0,
            "dirs": 0,
            "detections": 0,
            "matches": 0,
            "copyrights": 0,
            "errors": 0,
        }
        self.after_file_batch: list[Callable[[int], None]] = []
        self.synthetic_dirs = 0  # parent directories the scan did not list (set by finish)

    # -- input ----------------------------------------------------------------------------------

    def add_file(self, raw: Any) -> None:
        """One ``files[]`` entry as ScanCode writes it (any format 1.0 to 4.1)."""
        self.add_record(parse_file_with_packages(raw, self._index))

    def add_record(self, record: FileRecord) -> None:
        self._index += 1
        self._pending.append(record)
        if len(self._pending) >= self.batch_files:
            self._flush()

    def add_todo(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise InputError(f"todo item: expected an object, got {type(raw).__name__}")
        detection_id = raw.get("detection_id")
        result = self.session.execute(
            insert(TodoItem).returning(TodoItem.id),
            {
                "scan_id": self.scan.id,
                "file_id": None,
                "detection_identifier": clean_text(str(detection_id)) if detection_id else None,
                "review_comments_json": json.dumps(raw.get("review_comments") or {}),
                "detection_json": json.dumps(raw.get("detection") or {}),
            },
        )
        if detection_id:
            self._todo_by_detection[str(detection_id)] = result.scalar_one()

    def add_license_reference(self, raw: Any) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
            raise InputError("license_references: each entry needs a string 'key'")
        text = raw.get("text")
        self.session.execute(
            insert(LicenseReference),
            {
                "scan_id": self.scan.id,
                "key": clean_text(raw["key"]),
                "spdx_license_key": clean_text(str(raw.get("spdx_license_key") or "")) or None,
                "name": clean_text(str(raw.get("name") or "")) or None,
                "category": clean_text(str(raw.get("category") or "")) or None,
                "text": clean_text(text) if isinstance(text, str) else None,
            },
        )

    # -- output ---------------------------------------------------------------------------------

    def _flush(self) -> None:
        records, self._pending = self._pending, []
        if not records:
            return
        try:
            file_ids = self._insert_files(records)
        except IntegrityError as exc:
            raise InputError(
                f"the scan lists the path {self._duplicate_path(records)!r} twice"
            ) from exc
        detections: list[tuple[dict[str, Any], list[MatchRow]]] = []
        copyright_rows: list[dict[str, Any]] = []
        review_rows: list[dict[str, Any]] = []
        for record, file_id in zip(records, file_ids, strict=True):
            detections.extend(
                (_detection_row(detection, file_id, position), detection.matches)
                for position, detection in enumerate(record.detections)
            )
            copyright_rows.extend(self._copyright_rows(record, file_id))
            self._todo_files.extend((todo_id, file_id) for todo_id in record.todo_ids)
            if record.is_file:
                review_rows.append(
                    review_item_row(record, file_id, self.scan, self.catalog, self.policy)
                )
        self._insert_findings(detections)
        self._insert(CopyrightStatement, copyright_rows)
        for row, item_id in zip(review_rows, self._item_ids.take(len(review_rows)), strict=True):
            row["id"] = item_id
        self._insert(ReviewItem, review_rows)
        self._written["review_items"].add(review_rows)
        self.packages.add_files(records, file_ids)
        for hook in self.after_file_batch:
            hook(len(records))

    def _copyright_rows(self, record: FileRecord, file_id: int) -> list[dict[str, Any]]:
        rows = []
        for kind, value, start, end in record.copyrights:
            rows.append(
                {
                    "file_id": file_id,
                    "kind": kind,
                    "value": value,
                    "start_line": start,
                    "end_line": end,
                }
            )
            self.counts["copyrights"] += kind == "copyright"
        return rows

    def _insert_findings(self, detections: list[tuple[dict[str, Any], list[MatchRow]]]) -> None:
        """Detections get their ids first, so that each match row can point at its detection."""
        if not detections:
            return
        match_rows: list[dict[str, Any]] = []
        ids = self._detection_ids.take(len(detections))
        for detection_id, (row, matches) in zip(ids, detections, strict=True):
            row["id"] = detection_id
            if not row["is_clue"]:
                self.counts["detections"] += 1
                self.counts["matches"] += len(matches)
            match_rows.extend(
                {
                    **match.__dict__,
                    "detection_id": detection_id,
                    "file_id": row["file_id"],
                    "position": position,
                }
                for position, match in enumerate(matches)
            )
        self._insert(LicenseDetection, [row for row, _ in detections])
        self._insert(LicenseMatch, match_rows)

    def _insert_files(self, records: list[FileRecord]) -> list[int]:
        rows = []
        for record in records:
            path = record.path
            if record.is_file:
                self.counts["files"] += 1
            else:
                self.counts["dirs"] += 1
                self._dirs_seen.add(path)
            if record.scan_errors:
                self.counts["errors"] += 1
            parent = path.rsplit("/", 1)[0] if "/" in path else None
            while parent and parent not in self._parents_needed:
                self._parents_needed.add(parent)
                parent = parent.rsplit("/", 1)[0] if "/" in parent else None
            rows.append({**record.columns, "scan_id": self.scan.id})
        ids = self._file_ids.take(len(rows))
        for row, file_id in zip(rows, ids, strict=True):
            row["id"] = file_id
        with self.session.begin_nested():
            self._insert(ScannedFile, rows)
        self._written["files"].add(rows)
        return ids

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """The driver's own executemany: Core's per-row parameter processing costs more than
        SQLite's insert at this volume. Values are plain str/int/float/bool/None already."""
        if not rows:
            return
        table = model.__table__
        columns = list(rows[0])  # every row of one batch has the same keys
        dialect = self.session.get_bind().dialect
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})"
        )
        values = list(map(itemgetter(*columns), rows))
        self.session.connection().exec_driver_sql(sql, values)

    def _duplicate_path(self, records: list[FileRecord]) -> str:
        seen: set[str] = set()
        for record in records:
            if record.path in seen:
                return record.path
            seen.add(record.path)
        existing = self.session.scalar(
            select(ScannedFile.path)
            .where(ScannedFile.scan_id == self.scan.id, ScannedFile.path.in_(seen))
            .limit(1)
        )
        return existing or "?"

    def _fill_parent_dirs(self) -> None:
        missing = sorted(self._parents_needed - self._dirs_seen)
        rows = [
            {
                "scan_id": self.scan.id,
                "path": path,
                "name": path.rsplit("/", 1)[-1],
                "type": "directory",
                "is_synthetic": True,
                **dict.fromkeys(FILE_FLAGS, False),
            }
            for path in missing
        ]
        for row, file_id in zip(rows, self._file_ids.take(len(rows)), strict=True):
            row["id"] = file_id
        self._insert(ScannedFile, rows)
        self._written["files"].add(rows)
        self.counts["dirs"] += len(rows)
        self.synthetic_dirs = len(rows)

    def _link_todo_items(self) -> None:
        for detection_id, file_id in self._todo_files:
            todo_id = self._todo_by_detection.get(detection_id)
            if todo_id is not None:
                self.session.execute(
                    update(TodoItem).where(TodoItem.id == todo_id).values(file_id=file_id)
                )

    def finish(self, *, extra_event: dict[str, Any] | None = None) -> Scan:
        """Write what is pending, complete the scan, and audit it, all in the caller's transaction."""
        self._flush()
        if self._index == 0:
            raise InputError("the scan lists no files")
        self._fill_parent_dirs()
        self._link_todo_items()
        self.packages.finish()
        scan = self.scan
        scan.files_count = self.counts["files"]
        scan.dirs_count = self.counts["dirs"]
        scan.detections_count = self.counts["detections"]
        scan.matches_count = self.counts["matches"]
        scan.copyrights_count = self.counts["copyrights"]
        scan.errors_count = self.counts["errors"]
        scan.state = "complete"
        self.session.flush()
        index_scan(self.session, scan.id, self._dropped_triggers)
        self.policy = settle_policy(self.session, self.policy, scan.id)
        append_event(
            self.session,
            self.actor,
            f"scan.{scan.source}",
            "scan",
            scan.id,
            {
                "project": self.project.name,
                "label": scan.label,
                "input_sha256": scan.input_sha256,
                "tool_version": scan.tool_version,
                "output_format_version": scan.output_format_version,
                "counts": {**self.counts, **self.packages.counts},
                **(extra_event or {}),
                # The rows this event wrote, so replay catches a raw change to any of them.
                "digest": scan_digests(
                    self.session,
                    scan.id,
                    {part: digest.hexdigest() for part, digest in self._written.items()},
                ),
            },
            project_id=self.project.id,
        )
        from ospo_tui.services.review.reuse import carry_over_decisions

        # Decisions of earlier scans carry over to files with the same content (sha256).
        carry_over_decisions(self.session, scan, self.actor)
        from ospo_tui.services.review.package_decisions import carry_over_package_decisions

        carry_over_package_decisions(self.session, scan, self.actor)
        return scan
