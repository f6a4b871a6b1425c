"""Scanning a source tree into the review database: walk, reuse, scan in parallel, then publish.

Each finished file goes to the result cache at once (that is what makes a rescan incremental and a
killed scan resumable). Only when every file has a result is the scan written, in one
transaction, through ``ScanIngest``: reviewers never see half a scan. A manifest in a temporary
file maps paths to cached results, so memory stays flat however large the tree.
"""

from __future__ import annotations

import os
import posixpath
import time
from dataclasses import dataclass, field
from typing import Any

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.services.access.roles import require
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.ingest.writer import ScanHeader, ScanIngest
from ospo_tui.services.licenses.license_db import scancode_version
from ospo_tui.services.scanning.assembly import add_files, add_license_references
from ospo_tui.services.scanning.cache import (
    ResultCache,
    cache_key,
    derived_key,
    options_fingerprint,
)
from ospo_tui.services.scanning.cluster import local_workers
from ospo_tui.services.scanning.engine import DEFAULT_TIMEOUT, REFERENCES_KEY, SCAN_OPTIONS
from ospo_tui.services.scanning.jobs import Job, JobQueue
from ospo_tui.services.scanning.manifest import Manifest
from ospo_tui.services.scanning.package_assembly import ManifestCollector
from ospo_tui.services.scanning.pool import PoolEvent
from ospo_tui.services.scanning.progress import ProgressCallback, ScanProgress
from ospo_tui.services.scanning.tree import SourceTree, TreeEntry
from ospo_tui.services.trail.chain import Actor

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
HASH_BATCH = 200
MAX_BACKLOG = 2000
CACHE_BATCH = 100
CACHE_FLUSH_SECONDS = 2.0
_PROGRESS_EVERY = 0.2


@dataclass
class ScanRequest:
    root: str
    project: str
    processes: int = max(1, (os.cpu_count() or 2) - 1)
    timeout: float = DEFAULT_TIMEOUT
    excludes: list[str] = field(default_factory=list)
    max_size: int = DEFAULT_MAX_SIZE
    label: str | None = None
    cluster: str | None = None  # a Dask scheduler address, or local:N; None: the local pool
    ship_content: bool = False  # send file bytes to the cluster rather than paths
    packages: bool = True  # detect manifests and assemble packages, as ``scancode -p``


@dataclass
class ScanSummary:
    scan_id: int
    project: str
    files: int
    scanned: int
    reused: int
    errors: int
    skipped: list[TreeEntry]
    seconds: float
    workers_killed: int


def _error_entry(message: str, **info: Any) -> dict[str, Any]:
    return {"type": "file", **info, "scan_errors": [message]}


class ScanRun:
    """One ``ospo-tui scan``: holds the counters, the pool (started only if something needs it)."""

    def __init__(
        self,
        db: Database,
        request: ScanRequest,
        actor: Actor,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.db = db
        self.request = request
        self.actor = actor
        self.on_progress = on_progress
        self.tree = SourceTree(request.root, request.excludes)
        if request.processes < 1:
            raise InputError("--processes must be at least 1")
        if request.timeout <= 0:
            raise InputError("--timeout must be a positive number of seconds")
        self.cache = ResultCache(db)
        self.fingerprint = options_fingerprint()
        self.progress = ScanProgress()
        self.skipped: list[TreeEntry] = []
        self.manifest = Manifest()
        self.referencing: list[tuple[str, str]] = []  # (path, key) whose result cites other files
        self.overrides: dict[str, str] = {}  # path → key of its references-resolved result
        if request.cluster is not None:
            local_workers(request.cluster)  # a bad local:N is an input error before the walk
        elif request.ship_content:
            raise InputError("--ship-content needs --cluster")
        self.jobs = JobQueue(
            request.processes, request.timeout, request.cluster, request.ship_content
        )
        self._to_store: dict[str, dict[str, Any]] = {}
        self._last_store = time.monotonic()
        self._started = time.monotonic()
        self._last_report = 0.0

    # -- progress -------------------------------------------------------------------------------

    def _report(self, force: bool = False) -> None:
        now = time.monotonic()
        self.progress.elapsed = now - self._started
        if self.jobs.pool_started_at is not None:
            self.progress.scan_elapsed = now - self.jobs.pool_started_at
        if self.on_progress and (force or now - self._last_report >= _PROGRESS_EVERY):
            self._last_report = now
            self.on_progress(self.progress)

    # -- pool -----------------------------------------------------------------------------------

    def _pump(self, wait: float) -> None:
        """Keep the workers busy and take in whatever has finished."""
        if self.jobs:
            for job, event in self.jobs.pump(wait):
                self._finished(job, event)
            self._store_results()
        self._report()

    def _finished(self, job: Job, event: PoolEvent) -> None:
        if event.ok:
            result = event.result
        else:
            result = _error_entry(f"ERROR: scanning stopped: {event.error}")
        cacheable = event.ok and not result.get("scan_errors")
        if job.kind == "resolve":
            # A failed resolution keeps the file's own, unresolved result.
            if cacheable:
                self._to_store[job.key] = result
                self.overrides.update(dict.fromkeys(job.paths, job.key))
            return
        for path in job.paths:
            if cacheable:
                self.manifest.add(path, job.key)
                if REFERENCES_KEY in result:
                    self.referencing.append((path, job.key))
            else:
                self.manifest.add(path, entry=result)
                self.progress.errors += 1
        if cacheable:
            self._to_store[job.key] = result
        self.progress.scanned += len(job.paths)
        self.progress.done += len(job.paths)

    def _store_results(self, force: bool = False) -> None:
        due = time.monotonic() - self._last_store >= CACHE_FLUSH_SECONDS
        if self._to_store and (force or due or len(self._to_store) >= CACHE_BATCH):
            self.cache.store(self._to_store)
            self._to_store = {}
            self._last_store = time.monotonic()

    # -- phases ---------------------------------------------------------------------------------

    def _count(self) -> None:
        self.progress.phase = "counting"
        self._report(force=True)
        total = 0
        for entry in self.tree.walk():
            if entry.skipped:
                self.skipped.append(entry)
            else:
                total += 1
        self.progress.total = total
        self.progress.skipped = len(self.skipped)

    def _scan_batch(self, batch: list[TreeEntry]) -> None:
        keyed: list[tuple[TreeEntry, str, int]] = []
        for entry in batch:
            try:
                sha256 = file_sha256(entry.location)
                size = os.path.getsize(entry.location)
            except OSError as exc:
                message = f"ERROR: cannot read file: {exc.strerror or exc}"
                self.manifest.add(entry.path, entry=_error_entry(message))
                self.progress.errors += 1
                self.progress.done += 1
                continue
            if size > self.request.max_size:
                message = (
                    f"ERROR: not scanned: {size} bytes is over the size limit of "
                    f"{self.request.max_size} bytes (--max-size)"
                )
                info = {"size": size, "sha256": sha256}
                self.manifest.add(entry.path, entry=_error_entry(message, **info))
                self.progress.errors += 1
                self.progress.done += 1
                continue
            keyed.append((entry, cache_key(sha256, self.fingerprint), size))
        found = self.cache.known([key for _, key, _ in keyed])
        for entry, key, size in keyed:
            fresh = self._to_store.get(key)
            if fresh is not None:  # same content as a file scanned moments ago
                self.manifest.add(entry.path, key)
                if REFERENCES_KEY in fresh:
                    self.referencing.append((entry.path, key))
                self.progress.scanned += 1
                self.progress.done += 1
            elif key in found:
                self.manifest.add(entry.path, key)
                if found[key]:
                    self.referencing.append((entry.path, key))
                self.progress.reused += 1
                self.progress.done += 1
            else:
                timeout = self.request.timeout
                args = (entry.location, timeout)
                self.jobs.add(Job(key, "scan", args, [entry.path], size))

    def _scan(self) -> None:
        self.progress.phase = "scanning"
        files = (entry for entry in self.tree.walk() if not entry.skipped)
        exhausted = False
        while not exhausted or self.jobs:
            # A bounded backlog: wide enough to schedule big files first, never the whole tree.
            if not exhausted and self.jobs.waiting < MAX_BACKLOG:
                batch = [entry for _, entry in zip(range(HASH_BATCH), files, strict=False)]
                exhausted = len(batch) < HASH_BATCH
                self._scan_batch(batch)
                self._pump(0)  # keep the workers fed while hashing
                continue
            self._pump(0.1)
        self._store_results(force=True)

    def _candidate_keys(self, wanted: set[str]) -> dict[str, str]:
        keys: dict[str, str] = {}
        for line in self.manifest:
            if line["p"] in wanted and line["k"]:
                keys[line["p"]] = line["k"]
        return keys

    def _resolve_references(self) -> None:
        """Follow "see LICENSE"-style references to sibling or root files, as the CLI does."""
        if not self.referencing:
            return
        self.progress.phase = "resolving"
        self._report(force=True)
        with self.db.session() as session:
            own = self.cache.load(session, [key for _, key in self.referencing])
        wanted_by_path: dict[str, list[str]] = {}
        for path, key in self.referencing:
            names = own[key].get(REFERENCES_KEY) or []
            wanted_by_path[path] = [
                candidate for name in names for candidate in _reference_candidates(path, name)
            ]
        candidate_keys = self._candidate_keys(
            {c for candidates in wanted_by_path.values() for c in candidates}
        )
        with self.db.session() as session:
            candidate_results = self.cache.load(session, list(set(candidate_keys.values())))
        root = self.tree.name
        for path, key in self.referencing:
            # only files that exist and have detections can resolve a reference
            found_keys = {
                c: candidate_keys[c]
                for c in wanted_by_path[path]
                if c in candidate_keys
                and (candidate_results.get(candidate_keys[c]) or {}).get("license_detections")
            }
            if not found_keys:
                continue
            candidates = {f"{root}/{c}": candidate_results[k] for c, k in found_keys.items()}
            # the resolved result names files by codebase path, so those paths are in its key
            parts = [key, f"{root}/{path}", *sorted(f"{c}={k}" for c, k in found_keys.items())]
            resolved_key = derived_key("references", parts)
            args = (own[key], f"{root}/{path}", root, candidates)
            self.jobs.add(Job(resolved_key, "resolve", args, [path]))
        found = self.cache.known([job.key for job in self.jobs.queued()])
        for job in self.jobs.withdraw(lambda job: job.key in found):
            self.overrides.update(dict.fromkeys(job.paths, job.key))
        while self.jobs:
            self._pump(0.1)
        self._store_results(force=True)

    def _header(self, started_at: str) -> ScanHeader:
        options = {
            "input": [str(self.tree.root)],
            **SCAN_OPTIONS,
            "--processes": str(self.request.processes),
            "--timeout": str(self.request.timeout),
            "--max-size": str(self.request.max_size),
            "--exclude": list(self.request.excludes),
            "--package": self.request.packages,
        }
        if self.request.cluster is not None:
            options["--cluster"] = self.request.cluster
            options["--ship-content"] = self.request.ship_content
        return ScanHeader(
            tool_name="scancode-toolkit",
            tool_version=scancode_version(),
            output_format_version="4.1.0",
            options=options,
            root=str(self.tree.root),
            started_at=started_at,
            finished_at=utc_now(),
            input_sha256=None,
            label=self.request.label or f"scan of {self.tree.root}",
        )

    def _publish(self, started_at: str) -> int:
        """Write the whole scan in one transaction, reading results back from the cache."""
        self.progress.phase = "saving"
        self._report(force=True)
        if self.manifest.count == 0:
            raise InputError(
                f"{self.request.root}: no files to scan "
                f"({len(self.skipped)} skipped, excludes: {self.request.excludes or 'none'})"
            )
        header = self._header(started_at)
        with self.db.session() as session:
            ingest = ScanIngest(
                session,
                project_name=self.request.project,
                source="scan",
                header=header,
                actor=self.actor,
            )
            manifests = ManifestCollector(self.request.packages)
            tree = (self.manifest, self.overrides, self.tree.name)
            keys = add_files(ingest, session, self.cache, *tree, manifests)
            add_license_references(ingest, keys)
            manifests.assemble(ingest, self.tree.name)
            scan = ingest.finish(
                extra_event={
                    "root": str(self.tree.root),
                    "scanned": self.progress.scanned,
                    # results copied from the cache (Scan.reused_count counts reused decisions)
                    "results_reused": self.progress.reused,
                    "skipped": len(self.skipped),
                }
            )
            return scan.id

    def run(self) -> ScanSummary:
        started_at = utc_now()
        try:
            self._count()
            self._scan()
            self._resolve_references()
            scan_id = self._publish(started_at)
        finally:
            self.jobs.close()
            self.manifest.close()
        self.db.refresh_statistics()
        self.progress.phase = "done"
        self._report(force=True)
        return ScanSummary(
            scan_id=scan_id,
            project=self.request.project,
            files=self.progress.total,
            scanned=self.progress.scanned,
            reused=self.progress.reused,
            errors=self.progress.errors,
            skipped=self.skipped,
            seconds=time.monotonic() - self._started,
            workers_killed=self.jobs.workers_killed,
        )


def _reference_candidates(path: str, name: str) -> list[str]:
    """Where the CLI looks for a referenced file: beside the citing file, then at the root."""
    cleaned = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    if cleaned.startswith(".."):
        return []
    parent = posixpath.dirname(path)
    beside = posixpath.join(parent, cleaned) if parent else cleaned
    return [beside] if beside == cleaned else [beside, cleaned]


def run_scan(
    db: Database,
    request: ScanRequest,
    actor: Actor,
    on_progress: ProgressCallback | None = None,
) -> ScanSummary:
    """Scan ``request.root`` into a new, complete scan of ``request.project``; see ``ScanRun``."""
    require(db, actor, "scan", request.root)
    return ScanRun(db, request, actor, on_progress).run()
