"""The TUI's garbage collector pacing: collections run in pauses, never while keys come in."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from ospo_tui import idle_gc
from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.idle_gc import IdleCollector
from tests.tui_support import settle, wait_until


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def make_cycle() -> weakref.ref[Node]:
    """A garbage cycle only the cyclic collector can free; the weak reference tells when."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture(autouse=True)
def manual_collection() -> Iterator[None]:
    """No automatic collection during these tests: only ``tick`` may free the cycles."""
    gc.disable()
    yield
    gc.enable()


def test_no_collection_while_keys_come_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    collector = IdleCollector()
    cycle = make_cycle()
    collector.input_seen()
    assert collector.tick() is None
    assert cycle() is not None


def test_a_pause_collects_the_young_generations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    monkeypatch.setattr(idle_gc, "IDLE_AFTER", 0.0)
    collector = IdleCollector()
    cycle = make_cycle()
    collector.input_seen()
    assert collector.tick() == 1
    assert cycle() is None


def test_a_small_backlog_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle_gc, "IDLE_AFTER", 0.0)
    gc.collect()
    collector = IdleCollector()
    cycle = make_cycle()
    assert gc.get_count()[0] < idle_gc.BACKLOG
    assert collector.tick() is None
    assert cycle() is not None


def test_a_long_pause_collects_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    monkeypatch.setattr(idle_gc, "IDLE_AFTER", 0.0)
    collector = IdleCollector()
    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)  # still in use: moved to the oldest generation
    cycle = weakref.ref(first)
    del first, second  # garbage now, where young collections never look
    assert collector.tick() == 1
    assert cycle() is not None
    collector.last_full = time.monotonic() - idle_gc.FULL_EVERY - 1
    assert collector.tick() == 2
    assert cycle() is None


def test_the_app_tells_the_collector_about_keys(sqlite_db: Database) -> None:
    app = ReviewApp(sqlite_db, "tester")

    async def run() -> tuple[float, float]:
        async with app.run_test() as pilot:
            await settle(pilot)
            before = app.collector.last_input
            await pilot.press("down")
            await wait_until(
                pilot, lambda: app.collector.last_input > before, "the collector to see the key"
            )
            return before, app.collector.last_input

    before, after = asyncio.run(run())
    assert after > before
