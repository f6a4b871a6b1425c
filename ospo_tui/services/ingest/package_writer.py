"""Writing a scan's packages, dependencies, manifests and package-file links, in batches.

ScanCode writes ``packages`` and ``dependencies`` before ``files``, but JSON-lines output and
older formats do not promise that order, so links and dependencies whose package is not known yet
wait until ``finish``. Only the package uid → id map stays in memory (one entry per package).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ospo_tui.errors import InputError
from ospo_tui.models import (
    Dependency,
    PackageData,
    PackageFile,
    ScannedFile,
    ScanPackage,
    ScanSummary,
)
from ospo_tui.services.ingest.package_format import dependency_row, package_row, summary_row
from ospo_tui.services.ingest.row_ids import RowIds
from ospo_tui.services.ingest.scancode_format import FileRecord

BATCH = 1000
Insert = Callable[[Any, list[dict[str, Any]]], None]


def package_findings_hash(declared: str | None, detected: Sequence[str]) -> str:
    """What a package decision was made on: the declared and the detected licenses."""
    body = orjson.dumps([declared or "", sorted(set(detected))])
    return hashlib.sha256(body).hexdigest()


class PackageIngest:
    """Streams one scan's package records into the tables; ``finish()`` resolves what waited."""

    def __init__(self, session: Session, scan_id: int, project_id: int, insert: Insert) -> None:
        self.session = session
        self.scan_id = scan_id
        self.project_id = project_id
        self._insert = insert
        self._ids = RowIds(session, ScanPackage.__table__)
        self.uids: dict[str, int] = {}
        self._packages: list[dict[str, Any]] = []
        self._dependencies: list[dict[str, Any]] = []
        self._waiting_links: list[tuple[int, str]] = []
        self._path_links: list[tuple[str, str]] = []  # (path, package uid), from a scan
        self._index = {"packages": 0, "dependencies": 0}
        self.counts = {"packages": 0, "dependencies": 0, "package_files": 0, "package_data": 0}

    def add_package(self, raw: Any) -> None:
        self._queue_package(package_row(raw, self._index["packages"]))
        self._index["packages"] += 1

    def add_dependency(self, raw: Any) -> None:
        self._dependencies.append(dependency_row(raw, self._index["dependencies"]))
        self._index["dependencies"] += 1
        if len(self._dependencies) >= BATCH:
            self._flush_dependencies(final=False)

    def add_summary(self, raw: Any) -> None:
        if self.session.get(ScanSummary, self.scan_id) is not None:
            raise InputError("the scan has two 'summary' values")
        self._insert(ScanSummary, [{**summary_row(raw), "scan_id": self.scan_id}])

    def _queue_package(self, row: dict[str, Any]) -> None:
        uid = row["package_uid"]
        if uid in self.uids:
            raise InputError(f"the scan lists the package {uid!r} twice")
        self.uids[uid] = 0  # id assigned at flush
        row.update(
            scan_id=self.scan_id,
            project_id=self.project_id,
            state="open",
            version_counter=1,
            current_decision_id=None,
            concluded_expression=None,
            findings_hash=None,
            updated_at=None,
        )
        self._packages.append(row)
        if len(self._packages) >= BATCH:
            self._flush_packages()

    def _flush_packages(self) -> None:
        rows, self._packages = self._packages, []
        for row, package_id in zip(rows, self._ids.take(len(rows)), strict=True):
            row["id"] = package_id
            self.uids[row["package_uid"]] = package_id
        self._insert(ScanPackage, rows)
        self.counts["packages"] += len(rows)

    def add_files(self, records: Sequence[FileRecord], file_ids: Sequence[int]) -> None:
        """Each file's manifests and the packages it belongs to."""
        manifest_rows: list[dict[str, Any]] = []
        for record, file_id in zip(records, file_ids, strict=True):
            for manifest in record.manifests:
                manifest_rows.append(
                    {**manifest.columns, "scan_id": self.scan_id, "file_id": file_id}
                )
                if manifest.package is not None:
                    self._queue_package(manifest.package)
                    self._waiting_links.append((file_id, manifest.package["package_uid"]))
        self._flush_packages()
        self._insert(PackageData, manifest_rows)
        self.counts["package_data"] += len(manifest_rows)
        links = []
        for record, file_id in zip(records, file_ids, strict=True):
            for uid in dict.fromkeys(record.for_packages):
                package_id = self.uids.get(uid)
                if package_id:
                    links.append({"package_id": package_id, "file_id": file_id})
                else:
                    self._waiting_links.append((file_id, uid))
        self._insert(PackageFile, links)
        self.counts["package_files"] += len(links)

    def link_paths(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Files named by path that belong to a package (a scan's own assembly), resolved to
        file ids at ``finish``, once every file is written."""
        self._path_links.extend(pairs)

    def _resolve_path_links(self) -> None:
        pending, self._path_links = self._path_links, []
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            rows = self.session.execute(
                select(ScannedFile.path, ScannedFile.id).where(
                    ScannedFile.scan_id == self.scan_id,
                    ScannedFile.path.in_({path for path, _ in chunk}),
                )
            )
            ids = {path: file_id for path, file_id in rows}
            self._waiting_links.extend((ids[path], uid) for path, uid in chunk if path in ids)

    def _flush_dependencies(self, *, final: bool) -> None:
        self._flush_packages()
        ready, waiting = [], []
        for row in self._dependencies:
            uid = row["for_package_uid"]
            if uid is None or self.uids.get(uid) or final:
                ready.append({**row, "package_id": self.uids.get(uid or "") or None})
            else:
                waiting.append(row)
        self._dependencies = waiting
        for row in ready:
            del row["for_package_uid"]
            row["scan_id"] = self.scan_id
        self._insert(Dependency, ready)
        self.counts["dependencies"] += len(ready)

    def finish(self) -> None:
        """Resolve what waited for its package, then fingerprint each package's licenses."""
        self._flush_packages()
        self._resolve_path_links()
        links = {
            (self.uids[uid], file_id)
            for file_id, uid in self._waiting_links
            if self.uids.get(uid)  # a uid no package has is a dangling reference: dropped
        }
        self._insert(PackageFile, [{"package_id": p, "file_id": f} for p, f in sorted(links)])
        self.counts["package_files"] += len(links)
        self._waiting_links = []
        self._flush_dependencies(final=True)
        self._fingerprint()

    def _fingerprint(self) -> None:
        detected: dict[int, list[str]] = {}
        rows = self.session.execute(
            select(PackageFile.package_id, ScannedFile.detected_license_expression_spdx)
            .join(ScannedFile, ScannedFile.id == PackageFile.file_id)
            .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
            .where(ScanPackage.scan_id == self.scan_id)
            .where(ScannedFile.detected_license_expression_spdx.is_not(None))
            .distinct()
        )
        for package_id, expression in rows:
            detected.setdefault(package_id, []).append(expression or "")
        declared = self.session.execute(
            select(ScanPackage.id, ScanPackage.declared_license_expression_spdx).where(
                ScanPackage.scan_id == self.scan_id
            )
        ).all()
        table = ScanPackage.__table__
        params = [
            {
                "pid": package_id,
                "hash": package_findings_hash(expression, detected.get(package_id, [])),
            }
            for package_id, expression in declared
        ]
        if params:
            self.session.execute(
                update(table)
                .where(table.c.id == bindparam("pid"))
                .values(findings_hash=bindparam("hash")),
                params,
            )
