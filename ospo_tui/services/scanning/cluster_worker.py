"""The Dask worker's side of ``ospo-tui scan --cluster``: batches of files through the local pool.

A Dask worker runs tasks in threads, where ScanCode's signal-based timeouts cannot work. So each
worker thread hands its batch to a one-process ``ScanPool`` of its own, forked from the worker's
fork server, which loads the license index once per worker (``prepare_worker``, run by the
plugin the client registers, or earlier by ``dask worker --preload`` of this module). A runaway
file gets its scan process killed and replaced, exactly as in a local scan.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import tempfile
import threading
from typing import Any

from distributed import WorkerPlugin

from ospo_tui.services.licenses.license_db import scancode_version
from ospo_tui.services.scanning.pool import ScanPool, start_fork_server

PLUGIN_NAME = "ospo-tui-scan"

# (task id, kind, args) in; (task id, ok, result, error) out
Task = tuple[int, str, tuple[Any, ...]]
TaskResult = tuple[int, bool, Any, str]

_local = threading.local()


def prepare_worker() -> None:
    """Let this worker start scan processes, and start loading the license index now.

    Dask starts workers as daemonic processes, which ``multiprocessing`` forbids to have
    children. The scan processes are daemonic themselves and end with the worker (their pipe to
    it closes), so lifting the flag leaves nothing behind.
    """
    multiprocessing.current_process().daemon = False
    start_fork_server()


class ScanWorkerPlugin(WorkerPlugin):
    """Registered by the client on every worker, present and future (a restarted one too).

    No teardown: each scan registers the plugin again, which tears the previous one down while
    the worker's threads keep their scan processes. Those are daemonic and end with the worker.
    """

    name = PLUGIN_NAME

    def setup(self, worker: Any) -> None:
        prepare_worker()


def dask_setup(worker: Any) -> None:
    """``dask worker --preload ospo_tui.services.scanning.cluster_worker`` calls this."""
    prepare_worker()


def _thread_pool(hard_timeout: float) -> ScanPool:
    pool: ScanPool | None = getattr(_local, "pool", None)
    if pool is None:
        prepare_worker()  # no-op when the plugin or preload ran already
        pool = ScanPool(1, hard_timeout).__enter__()
        _local.pool = pool
    pool.hard_timeout = hard_timeout
    return pool


def _local_task(task: Task, shipped: str) -> Task | str:
    """The task as the pool knows it (shipped bytes go to a file of the same name first), or why
    it cannot run here."""
    task_id, kind, args = task
    if kind == "scan-content":
        name, content, timeout = args
        # The file keeps its own name (type and language detection read it), in its own folder.
        folder = os.path.join(shipped, str(task_id))
        os.mkdir(folder)
        base = os.path.basename(name)
        location = os.path.join(folder, base if base not in ("", ".", "..") else "file")
        with open(location, "wb") as handle:
            handle.write(content)
        return task_id, "scan", (location, timeout)
    if kind == "scan" and not os.path.isfile(args[0]):
        return (
            f"{args[0]} is not on Dask worker {socket.gethostname()}: without a shared "
            "filesystem at the same path, scan with --ship-content"
        )
    return task


def run_batch(tasks: list[Task], hard_timeout: float, version: str) -> list[TaskResult]:
    """Run one batch on this thread's scan process; one ``TaskResult`` per task, in order."""
    here = scancode_version()
    if here != version:
        raise RuntimeError(
            f"Dask worker {socket.gethostname()} has ScanCode {here}, the client {version}: "
            "results would not match the cache"
        )
    pool = _thread_pool(hard_timeout)
    results: dict[int, TaskResult] = {}
    with tempfile.TemporaryDirectory(prefix="ospo-tui-shipped-") as shipped:
        queue: list[Task] = []
        for task in tasks:
            local = _local_task(task, shipped)
            if isinstance(local, str):
                results[task[0]] = (task[0], False, None, local)
            else:
                queue.append(local)
        while len(results) < len(tasks):
            if queue and pool.submit(*queue[0]):
                queue.pop(0)
            for event in pool.poll(1.0):
                results[event.task_id] = (event.task_id, event.ok, event.result, event.error)
    return [results[task_id] for task_id, _, _ in tasks]
