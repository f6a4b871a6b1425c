"""Helpers for the TUI tests: the bundled sample in a database, waiting for workers, screen text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import monotonic
from typing import Any, TypeVar
from unittest import mock

import pytest
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.worker import Worker, WorkerCancelled

from ospo_tui.app import ReviewApp
from ospo_tui.commands.demo import sample_paths
from ospo_tui.db import Database
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor

REVIEWER = Actor("tester", "admin")
FIXED_TIME = "2026-01-02T03:04:05Z"
M = TypeVar("M", bound=Message)


def import_sample(db: Database) -> int:
    """The bundled sample project with its source tree as root, imported at a fixed time."""
    scan_file, tree = sample_paths()
    # A fixed scan time for stable snapshots, set as the import writes it: a raw UPDATE
    # afterwards is a tampering ``audit verify`` reports.
    with mock.patch("ospo_tui.services.ingest.writer.utc_now", return_value=FIXED_TIME):
        result = import_scan_file(
            db, scan_file, project="sample", actor=REVIEWER, root=str(tree), label="bundled sample"
        )
    return result.scan_id


# How long a TUI test waits for what it expects before it fails. Generous on purpose: it is
# never reached when all is well, and on a loaded two-core machine a worker can take seconds.
DEADLINE = 30.0


def _pending_workers(app: App[Any]) -> list[Worker[Any]]:
    return [worker for worker in app.workers if not worker.is_finished]


def _busy(app: App[Any]) -> list[str]:
    """What the app still has to do; empty when it is quiet.

    Quiet means: no worker pending or running, every message queue of the app and of the
    screens on the stack drained (a thread worker's result arrives as a message, or through
    call_from_thread before the worker finishes), no worker thread still running, and the
    current screen with no refresh, layout or after-refresh callback outstanding.
    """
    busy = [
        f"worker {worker.name or worker.group!r} ({worker.state.name})"
        for worker in _pending_workers(app)
    ]
    threads = _busy_worker_threads()
    if threads:
        busy.append(f"{threads} worker thread(s) still running")
    pumps: list[MessagePump] = [app]
    for screen in app.screen_stack:
        pumps.extend(screen.walk_children(with_self=True))
    busy.extend(
        f"messages for {pump!r}"
        for pump in pumps
        if not pump._message_queue.empty() or pump._next_callbacks
    )
    screen = app.screen
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or screen._callbacks
    ):
        busy.append(f"a refresh of {screen!r}")
    busy.extend(
        f"a refresh of {widget!r}"
        for widget in screen.walk_children(Widget)
        if widget._repaint_required
        or widget._layout_required
        or widget._scroll_required
        or widget._recompose_required
    )
    if app.animator._animations or app.animator._scheduled:
        busy.append("an animation")
    return busy


def _busy_worker_threads() -> int:
    """Threads of the event loop's default executor (where thread workers run) still working.

    A cancelled thread worker counts as finished at once, but its thread runs on to its end
    and can still post a message: the app is not quiet until that thread is done too.
    """
    executor = getattr(asyncio.get_running_loop(), "_default_executor", None)
    if executor is None:
        return 0
    idle = executor._idle_semaphore._value  # released by each thread as it finishes an item
    return executor._work_queue.qsize() + max(len(executor._threads) - idle, 0)


async def _wait_for_workers(app: App[Any], deadline: float, what: str) -> None:
    """Every worker running now has finished (a cancelled one counts as finished)."""
    workers = _pending_workers(app)
    if not workers:
        return
    waits = [asyncio.ensure_future(_finished(worker)) for worker in workers]
    done, pending = await asyncio.wait(waits, timeout=max(deadline - monotonic(), 0))
    for wait in pending:
        wait.cancel()
    if pending:
        names = ", ".join(repr(w.name or w.group) for w in workers if not w.is_finished)
        pytest.fail(f"waiting for {what}: workers {names} still running after the deadline")
    for wait in done:
        wait.result()  # a failed worker fails the test with its own error


async def _finished(worker: Worker[Any]) -> None:
    try:
        await worker.wait()
    except WorkerCancelled:
        pass  # an exclusive worker replaced by a newer one: the newer one is waited for too


async def settle(pilot: Any, timeout: float = DEADLINE) -> None:
    """Wait until every worker is done, its result handled and the screen laid out again.

    Loops until the app is quiet (see ``_busy``): a key press can start a worker only once its
    message has travelled to the screen, and a worker's message can start another worker.
    Fails, naming what was still going on, when the app is not quiet within ``timeout``.
    """
    app = pilot.app
    deadline = monotonic() + timeout
    while True:
        await pilot.pause()
        await _wait_for_workers(app, deadline, "the app to settle")
        await pilot.pause()  # drains the queues and lays the screen out
        busy = _busy(app)
        if not busy:
            return
        if not app.is_running:
            pytest.fail("the app stopped while the test waited for it to settle")
        if monotonic() > deadline:
            pytest.fail(f"the app did not settle within {timeout:g} s: still busy with {busy}")


async def wait_until(
    pilot: Any, predicate: Callable[[], object], what: str, timeout: float = DEADLINE
) -> None:
    """Wait until ``predicate()`` holds: workers finish, messages are handled, the screen is
    laid out, and the predicate is asked again, until it holds or ``timeout`` seconds pass.
    ``what`` names the awaited condition in the failure message."""
    app = pilot.app
    deadline = monotonic() + timeout
    while True:
        await pilot.pause()
        if predicate():
            return
        if not app.is_running:
            pytest.fail(f"the app stopped while the test waited for {what}")
        if monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        await _wait_for_workers(app, deadline, what)


def handled(node: DOMNode, message_type: type[M]) -> list[M]:
    """The messages of ``message_type`` that ``node`` has handled from now on, appended as each
    handler returns (Textual publishes every processed message on the node's message signal)."""
    seen: list[M] = []

    def record(message: Message) -> None:
        if isinstance(message, message_type):
            seen.append(message)

    node.message_signal.subscribe(node, record, immediate=True)
    return seen


async def open_queue(pilot: Any) -> QueueScreen:
    """From the scan list: enter on the scan under the cursor, then the settled queue."""
    await pilot.press("enter")
    await settle(pilot)
    queue = pilot.app.screen
    assert isinstance(queue, QueueScreen)
    return queue


def screen_text(app: ReviewApp) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
