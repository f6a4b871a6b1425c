"""``ospo-tui scan --cluster``: a Dask LocalCluster of two worker processes on loopback.

The cluster must find what the local process pool finds, by path and with the bytes shipped,
and keep the pool's guarantees when a worker or the client is killed half-way.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from scan_support import cached_results, findings_by_path, scan_killed_after
from sqlalchemy import func, select

from ospo_tui.db import open_database
from ospo_tui.errors import InputError
from ospo_tui.models import Scan, ScannedFile
from ospo_tui.services.scanning.progress import ScanProgress
from ospo_tui.services.scanning.runner import ScanRequest, ScanRun, run_scan
from ospo_tui.services.trail.chain import Actor

SAMPLE = Path(__file__).parents[1] / "ospo_tui" / "data" / "sample"
# A dozen files of the sample, with a "see LICENSE" reference and the file it names.
SUBSET = ("sortedcontainers", "psycopg", "certifi", "license-expression", "six")
ADMIN = Actor("tester", "admin")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def pool_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The local process pool's findings on the subset: what the cluster must match.

    A subset, not the whole sample: ScanCode takes about a second per file and core.
    """
    base = tmp_path_factory.mktemp("pool")
    found = _scan(base, ScanRequest(root=str(_subset(base)), project="sample", processes=2))
    assert len(found) == 12
    cited = found["sortedcontainers/sortedcontainers/__init__.py"]["detections"]
    origins = {m["from_file"] for d in cited for m in d["matches"]}
    assert "sample/sortedcontainers/sortedcontainers/LICENSE" in origins
    return found


def _scan(base: Path, request: ScanRequest) -> dict[str, dict[str, Any]]:
    db = open_database(f"sqlite:///{base / f'{request.project}.sqlite'}")
    try:
        summary = run_scan(db, request, ADMIN)
        assert summary.errors == 0
        return findings_by_path(db, summary.scan_id)
    finally:
        db.dispose()


def _subset(base: Path) -> Path:
    tree = base / "sample"
    for name in SUBSET:
        shutil.copytree(SAMPLE / name, tree / name)
    return tree


@pytest.mark.slow
def test_the_cluster_finds_what_the_pool_finds(
    cluster: LocalCluster, pool_findings: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    tree = _subset(tmp_path)
    request = ScanRequest(root=str(tree), project="by-path", cluster=cluster.scheduler_address)
    found = _scan(tmp_path, request)
    assert found == pool_findings
    # not vacuous: licenses with matched text, copyrights, and a followed "see LICENSE"
    detections = [d for f in found.values() for d in f["detections"]]
    assert len(detections) >= 10
    assert all(m["matched_text"] for d in detections for m in d["matches"])
    assert sum(len(f["copyrights"]) for f in found.values()) >= 8


@pytest.mark.slow
def test_shipped_bytes_give_what_paths_give_references_included(
    cluster: LocalCluster, pool_findings: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    tree = _subset(tmp_path)
    request = ScanRequest(
        root=str(tree), project="shipped", cluster=cluster.scheduler_address, ship_content=True
    )
    # pool_findings has the followed reference (see the fixture): it needs the LICENSE beside
    assert _scan(tmp_path, request) == pool_findings


class _WorkerKiller:
    """On a progress report, SIGKILL once a Dask worker process that is running a batch."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.killed: list[str] = []

    def __call__(self, progress: ScanProgress) -> None:
        if self.killed or progress.phase != "scanning":
            return
        busy = [address for address, keys in self.client.processing().items() if keys]
        if busy:
            pid = self.client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            self.killed.append(busy[0])


@pytest.mark.slow
def test_a_worker_killed_mid_scan_loses_and_repeats_no_file(
    cluster: LocalCluster, pool_findings: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    tree = _subset(tmp_path)
    db = open_database(f"sqlite:///{tmp_path / 'review.sqlite'}")
    request = ScanRequest(root=str(tree), project="killed", cluster=cluster.scheduler_address)
    try:
        with Client(cluster) as client:
            killer = _WorkerKiller(client)
            summary = ScanRun(db, request, ADMIN, on_progress=killer).run()
        assert killer.killed, "no worker was running a batch to kill"
        assert (summary.files, summary.scanned, summary.errors) == (12, 12, 0)
        with db.session() as session:
            paths = session.scalars(
                select(ScannedFile.path).where(ScannedFile.scan_id == summary.scan_id)
            ).all()
        files = [p for p in paths if (tree / p).is_file()]
        assert len(files) == len(set(files)) == 12
        assert findings_by_path(db, summary.scan_id) == pool_findings
    finally:
        db.dispose()


@pytest.mark.slow
def test_a_killed_client_leaves_no_scan_and_the_rerun_resumes(
    cluster: LocalCluster, pool_findings: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    tree = _subset(tmp_path)
    db_path = tmp_path / "review.sqlite"
    scan_killed_after(tree, db_path, 1, "--cluster", "local:2")
    finished = cached_results(db_path)
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Scan)) == 0
        assert 1 <= finished < 12
        request = ScanRequest(root=str(tree), project="sample", cluster=cluster.scheduler_address)
        summary = run_scan(db, request, ADMIN)
        assert (summary.files, summary.reused, summary.scanned) == (12, finished, 12 - finished)
        assert findings_by_path(db, summary.scan_id) == pool_findings
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("cluster", "ship", "message"),
    [
        ("local:0", False, "local:N needs a number of workers"),
        ("local:two", False, "local:N needs a number of workers"),
        (None, True, "--ship-content needs --cluster"),
    ],
)
def test_bad_cluster_options_are_input_errors(
    tmp_path: Path, cluster: str | None, ship: bool, message: str
) -> None:
    (tmp_path / "a.txt").write_text("hello\n")
    db = open_database(f"sqlite:///{tmp_path / 'review.sqlite'}")
    request = ScanRequest(root=str(tmp_path), project="p", cluster=cluster, ship_content=ship)
    try:
        with pytest.raises(InputError, match=message):
            run_scan(db, request, ADMIN)
    finally:
        db.dispose()
