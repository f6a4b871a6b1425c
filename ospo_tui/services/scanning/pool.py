"""The process pool the scan engine controls: one pipe per worker, so a stuck worker can be killed.

``concurrent.futures`` and ``multiprocessing.Pool`` cannot stop one runaway task without breaking
or stalling the whole pool. Here each worker runs one task at a time; a task that outlives its
hard limit gets its worker killed and replaced, and is reported as failed. Workers fork from a
fork server that has already loaded ScanCode's license index (see ``preload``).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from ospo_tui.errors import OspoError
from ospo_tui.services.scanning.engine import worker_main

_PRELOAD = ["ospo_tui.services.scanning.preload"]
_WARM_UP_LIMIT = 600.0


def _forkserver_context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start_fork_server() -> None:
    """Start the fork server (and its license index load) now, ahead of the first pool.

    It is shared by every pool of this process. Unused, it costs CPU on another core, not time:
    it exits when this process does.
    """
    _forkserver_context()
    multiprocessing.forkserver.ensure_running()


def stop_fork_server() -> None:
    """Stop the fork server now rather than when this process exits, even mid-way in its load.

    Left to itself, a server still loading the index would hold this process's stdout and stderr
    open for up to two seconds after the scan is over (a ``| tail`` would wait for it). A later
    pool starts a new one. ``ForkServer._stop`` is what CPython's own tests use (3.8 to 3.13).
    """
    server = multiprocessing.forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    stop = getattr(server, "_stop", None)
    if pid is None or stop is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    stop()


@dataclass
class PoolEvent:
    """A finished task: ``ok`` with the worker's result, or not with a one-line reason."""

    task_id: int
    ok: bool
    result: Any = None
    error: str = ""


@dataclass
class _Worker:
    process: Any
    connection: Connection
    ready: bool = False
    task_id: int | None = None
    task_started: float = 0.0
    started: float = field(default_factory=time.monotonic)


class ScanPool:
    """``processes`` workers; ``hard_timeout`` seconds per task before its worker is killed."""

    def __init__(self, processes: int, hard_timeout: float) -> None:
        self.processes = max(1, processes)
        self.hard_timeout = hard_timeout
        self._context = _forkserver_context()
        self._workers: list[_Worker] = []
        self.killed = 0

    def __enter__(self) -> ScanPool:
        for _ in range(self.processes):
            self._workers.append(self._spawn())
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(target=worker_main, args=(child,), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def idle(self) -> int:
        return sum(1 for w in self._workers if w.ready and w.task_id is None)

    def busy(self) -> int:
        return sum(1 for w in self._workers if w.task_id is not None)

    def submit(self, task_id: int, kind: str, args: tuple[Any, ...]) -> bool:
        """Hand the task to an idle, warmed-up worker; False if none is free right now."""
        for worker in self._workers:
            if worker.ready and worker.task_id is None:
                worker.connection.send((task_id, kind, args))
                worker.task_id = task_id
                worker.task_started = time.monotonic()
                return True
        return False

    def poll(self, timeout: float) -> list[PoolEvent]:
        """Wait up to ``timeout`` seconds for results; also enforces the hard limits."""
        events: list[PoolEvent] = []
        by_connection = {id(w.connection): w for w in self._workers}
        for connection in wait([w.connection for w in self._workers], timeout):
            worker = by_connection[id(connection)]
            try:
                status, task_id, payload = worker.connection.recv()
            except (EOFError, OSError):
                if not worker.ready:
                    raise OspoError(
                        "a ScanCode worker exited while loading the license index"
                    ) from None
                events.extend(self._replace(worker, "the worker process died"))
                continue
            if status == "ready":
                worker.ready = True
            elif status == "warm-up-failed":
                raise OspoError(f"cannot start a ScanCode worker: {payload}")
            else:
                worker.task_id = None
                ok = status == "done"
                events.append(
                    PoolEvent(task_id, ok, payload if ok else None, "" if ok else payload)
                )
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.task_id is not None and now - worker.task_started > self.hard_timeout:
                reason = f"killed after {int(self.hard_timeout)} seconds without an answer"
                events.extend(self._replace(worker, reason))
            elif not worker.ready and now - worker.started > _WARM_UP_LIMIT:
                raise OspoError("ScanCode workers did not start within 10 minutes")
        return events

    def _replace(self, worker: _Worker, reason: str) -> list[PoolEvent]:
        self.killed += 1
        worker.process.kill()
        worker.process.join(5)
        worker.connection.close()
        self._workers[self._workers.index(worker)] = self._spawn()
        if worker.task_id is None:
            return []
        return [PoolEvent(worker.task_id, False, error=reason)]

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.connection.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            worker.connection.close()
        self._workers = []
