"""The scan pool's interface over a Dask cluster: the same jobs, run in batches on other machines.

``JobQueue`` hands tasks to ``ClusterPool`` as it would to the local ``ScanPool`` and gets the
same ``PoolEvent``s back, so caching, resume, progress and the one publish stay the runner's.
Tasks go out in batches (one Dask task each, run by ``cluster_worker.run_batch``): large while
much work is queued, so scheduling costs nothing next to ScanCode's second per file, and smaller
towards the end, so that no worker is left with a long batch while the others idle. A worker
that dies takes its batches with it; Dask runs them again elsewhere and each result arrives once.
"""

from __future__ import annotations

import logging
import math
import posixpath
import time
import uuid
from collections import deque
from typing import Any

from ospo_tui.errors import InputError, OspoError
from ospo_tui.services.licenses.license_db import scancode_version
from ospo_tui.services.scanning.pool import PoolEvent

MAX_BATCH = 16  # files: about 16 s of ScanCode against milliseconds of scheduling
MAX_BATCH_BYTES = 64 * 1024 * 1024  # --ship-content: bytes read ahead per batch
BATCHES_PER_THREAD = 2  # one running, one waiting, so no worker waits on the client
SHARES_PER_THREAD = 4  # a batch is at most this share of a thread's part of the queued work
CONNECT_TIMEOUT = "30s"
_THREADS_REFRESH = 5.0


def local_workers(address: str) -> int | None:
    """N of ``local:N``, None for the address of a running scheduler."""
    if not address.startswith("local:"):
        return None
    count = address.removeprefix("local:")
    if not count.isdigit() or int(count) < 1:
        raise InputError(f"--cluster {address}: local:N needs a number of workers, at least 1")
    return int(count)


class ClusterPool:
    """``idle``/``submit``/``poll``/``close`` like ``ScanPool``, over the Dask cluster at ``address``."""

    def __init__(self, address: str, hard_timeout: float, ship_content: bool = False) -> None:
        from distributed import Client, LocalCluster

        from ospo_tui.services.scanning.cluster_worker import ScanWorkerPlugin

        self.hard_timeout = hard_timeout
        self.ship_content = ship_content
        self.killed = 0  # batches given up after Dask lost workers running them again and again
        self._version = scancode_version()
        self._cluster: Any = None
        workers = local_workers(address)
        try:
            if workers is not None:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster)
            else:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise InputError(f"--cluster {address}: cannot reach a Dask scheduler: {exc}") from None
        self.client.register_plugin(ScanWorkerPlugin())
        self._unsent: deque[tuple[int, str, tuple[Any, ...]]] = deque()
        self._running: dict[Any, list[int]] = {}  # future → task ids of its batch
        self._threads = 1
        self._threads_checked = 0.0

    def _capacity(self) -> int:
        now = time.monotonic()
        if now - self._threads_checked > _THREADS_REFRESH:
            self._threads = max(1, sum(self.client.nthreads().values()))
            self._threads_checked = now
        return self._threads * BATCHES_PER_THREAD

    def idle(self) -> int:
        """How many more tasks to hand over: enough for full batches on every worker thread."""
        wanted = self._capacity() * MAX_BATCH
        return max(0, wanted - len(self._unsent) - sum(len(ids) for ids in self._running.values()))

    def submit(self, task_id: int, kind: str, args: tuple[Any, ...]) -> bool:
        self._unsent.append((task_id, kind, args))
        return True

    def _shipped(self, task: tuple[int, str, tuple[Any, ...]]) -> tuple[int, str, tuple[Any, ...]]:
        task_id, kind, args = task
        if kind != "scan" or not self.ship_content:
            return task
        location, timeout = args
        with open(location, "rb") as handle:
            content = handle.read()
        return task_id, "scan-content", (posixpath.basename(location), content, timeout)

    def _next_batch(self, unreadable: list[PoolEvent]) -> list[tuple[int, str, tuple[Any, ...]]]:
        """The next batch to send; files gone or unreadable since they were hashed go to
        ``unreadable`` instead."""
        # Guided sizing: a small share of what is queued, so that the work is spread evenly over
        # the threads however few files there are, and batches shrink to one file at the end.
        share = self._threads * SHARES_PER_THREAD
        size = min(MAX_BATCH, max(1, math.ceil(len(self._unsent) / share)))
        batch: list[tuple[int, str, tuple[Any, ...]]] = []
        size_in_bytes = 0
        while self._unsent and len(batch) < size and size_in_bytes < MAX_BATCH_BYTES:
            task = self._unsent.popleft()
            try:
                batch.append(self._shipped(task))
            except OSError as exc:
                reason = f"cannot read file: {exc.strerror or exc}"
                unreadable.append(PoolEvent(task[0], False, error=reason))
                continue
            if batch[-1][1] == "scan-content":
                size_in_bytes += len(batch[-1][2][1])
        return batch

    def _send(self) -> list[PoolEvent]:
        from ospo_tui.services.scanning.cluster_worker import run_batch

        unreadable: list[PoolEvent] = []
        while self._unsent and len(self._running) < self._capacity():
            batch = self._next_batch(unreadable)
            if not batch:
                continue
            future = self.client.submit(
                run_batch,
                batch,
                self.hard_timeout,
                self._version,
                key=f"ospo-tui-scan-{uuid.uuid4().hex}",
                pure=False,
            )
            self._running[future] = [task_id for task_id, _, _ in batch]
        return unreadable

    def poll(self, timeout: float) -> list[PoolEvent]:
        """Send what is queued, then wait up to ``timeout`` seconds for finished batches."""
        from distributed import wait

        events = self._send()
        done = [future for future in self._running if future.done()]
        if not done and not events and self._running and timeout > 0:
            try:
                wait(list(self._running), timeout=timeout, return_when="FIRST_COMPLETED")
            except TimeoutError:
                return []
            done = [future for future in self._running if future.done()]
        for future in done:
            events.extend(self._finished(future, self._running.pop(future)))
        return events

    def _finished(self, future: Any, task_ids: list[int]) -> list[PoolEvent]:
        from distributed import KilledWorker

        try:
            results = future.result()
        except KilledWorker as exc:
            self.killed += 1
            reason = f"Dask workers died running this batch of {len(task_ids)} files ({exc})"
            return [PoolEvent(task_id, False, error=reason) for task_id in task_ids]
        except Exception as exc:  # noqa: BLE001 - a failed batch is a broken cluster: stop
            raise OspoError(f"a Dask worker failed: {type(exc).__name__}: {exc}") from None
        finally:
            future.release()
        return [PoolEvent(task_id, ok, result, error) for task_id, ok, result, error in results]

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            for future in getattr(self, "_running", {}):
                future.cancel()
            client.close()
        if self._cluster is not None:
            self._cluster.close()
