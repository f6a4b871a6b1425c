"""The work a scan hands to its pool: each distinct content once, largest first.

Two files with the same content share one job (the paths wait on it together). The largest
jobs go first so that no big file is left to run alone at the end. The pool starts with the
first job, so its license index loads while the rest of the tree is still being hashed.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ospo_tui.services.scanning.pool import PoolEvent, ScanPool


class Executor(Protocol):
    """What runs the jobs: the local ``ScanPool`` or a Dask cluster's ``ClusterPool``."""

    killed: int

    def idle(self) -> int: ...

    def submit(self, task_id: int, kind: str, args: tuple[Any, ...]) -> bool: ...

    def poll(self, timeout: float) -> list[PoolEvent]: ...

    def close(self) -> None: ...


@dataclass
class Job:
    """One distinct content to scan (or set of references to resolve) and the paths waiting on it."""

    key: str
    kind: str  # "scan" or "resolve", as the pool workers know them
    args: tuple[Any, ...]
    paths: list[str]
    size: int = 0


class JobQueue:
    """Jobs not finished yet: queued (a heap of ``(-size, job id)``) or running in the pool."""

    def __init__(
        self,
        processes: int,
        timeout: float,
        cluster: str | None = None,
        ship_content: bool = False,
    ) -> None:
        self.processes = processes
        self.cluster = cluster
        self.ship_content = ship_content
        self.hard_limit = timeout * 1.5 + 10  # past the workers' own timeout: kill the worker
        self.pool: Executor | None = None
        self.pool_started_at: float | None = None
        self._jobs: dict[int, Job] = {}
        self._next_id = 0
        self._queue: list[tuple[int, int]] = []
        self._by_key: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def waiting(self) -> int:
        """Jobs not handed to a worker yet."""
        return len(self._queue)

    @property
    def workers_killed(self) -> int:
        return self.pool.killed if self.pool else 0

    def _started_pool(self) -> Executor:
        if self.pool is None:
            if self.cluster is not None:
                from ospo_tui.services.scanning.cluster import ClusterPool

                self.pool = ClusterPool(self.cluster, self.hard_limit, self.ship_content)
            else:
                self.pool = ScanPool(self.processes, self.hard_limit).__enter__()
            self.pool_started_at = time.monotonic()
        return self.pool

    def add(self, job: Job) -> None:
        waiting = self._by_key.get(job.key)
        if waiting is not None:  # same content elsewhere in the tree: scan it once
            self._jobs[waiting].paths.extend(job.paths)
            return
        self._next_id += 1
        self._jobs[self._next_id] = job
        self._by_key[job.key] = self._next_id
        heapq.heappush(self._queue, (-job.size, self._next_id))
        self._started_pool()

    def pump(self, wait: float) -> list[tuple[Job, PoolEvent]]:
        """Hand queued jobs to idle workers; the jobs that finished within ``wait`` seconds."""
        pool = self._started_pool()
        while self._queue and pool.idle():
            job_id = self._queue[0][1]
            job = self._jobs[job_id]
            if not pool.submit(job_id, job.kind, job.args):
                break
            heapq.heappop(self._queue)
        finished = []
        for event in pool.poll(wait):
            job = self._jobs.pop(event.task_id)
            del self._by_key[job.key]
            finished.append((job, event))
        return finished

    def queued(self) -> list[Job]:
        return [self._jobs[job_id] for _, job_id in self._queue]

    def withdraw(self, unneeded: Callable[[Job], bool]) -> list[Job]:
        """Take the queued jobs that turn out ``unneeded`` off the queue; they are returned."""
        withdrawn = [job for job in self.queued() if unneeded(job)]
        for job in withdrawn:
            del self._jobs[self._by_key.pop(job.key)]
        self._queue = [(size, i) for size, i in self._queue if i in self._jobs]
        heapq.heapify(self._queue)
        return withdrawn

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
