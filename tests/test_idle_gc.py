"""The TUI's garbage collector pacing: collections wait for a pause, never pile up unbounded."""

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


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def make_cycle() -> weakref.ref[Node]:
    """A garbage cycle only the cyclic collector can free; the weak reference tells when."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture
def collector() -> Iterator[IdleCollector]:
    collector = IdleCollector()
    collector.start()
    try:
        yield collector
    finally:
        collector.stop()


def test_start_turns_automatic_collection_off_and_stop_restores_it() -> None:
    assert gc.isenabled()
    collector = IdleCollector()
    collector.start()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()

    gc.disable()
    try:
        collector.start()
        collector.stop()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_no_collection_while_keys_come_in(
    collector: IdleCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    gc.collect()
    cycle = make_cycle()
    collector.input_seen()
    assert collector.tick() is None
    assert cycle() is not None


def test_a_pause_collects_the_young_generations(
    collector: IdleCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    monkeypatch.setattr(idle_gc, "IDLE_AFTER", 0.0)
    gc.collect()
    cycle = make_cycle()
    collector.input_seen()
    assert collector.tick() == 1
    assert cycle() is None


def test_a_long_pause_collects_everything(
    collector: IdleCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_gc, "BACKLOG", 0)
    monkeypatch.setattr(idle_gc, "IDLE_AFTER", 0.0)
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


def test_a_large_backlog_is_collected_even_under_a_held_key(
    collector: IdleCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idle_gc, "FORCE_AFTER", 0)
    cycle = make_cycle()
    collector.input_seen()
    assert collector.tick() == 1
    assert cycle() is None


def test_the_app_hands_the_collector_back_when_it_exits(sqlite_db: Database) -> None:
    app = ReviewApp(sqlite_db, "tester")

    async def run() -> bool:
        async with app.run_test() as pilot:
            await pilot.pause()
            return gc.isenabled()

    assert asyncio.run(run()) is False  # off while the app runs
    assert gc.isenabled()
