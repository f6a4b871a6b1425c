"""Eight reviewers at once on one database (PostgreSQL, and SQLite in WAL mode): mixed
decide / bulk / ask / answer / export actions. No event is lost, no error goes unhandled,
conflicts are reported, the chain verifies. The full 8 x 500 run is benchmarks/load_bench.py;
the suite runs 8 x 60 to stay quick on two cores."""

from __future__ import annotations

from benchmarks.load_bench import run_load

PROCESSES = 8
ACTIONS = 60


def test_eight_reviewers_at_once(db_url: str) -> None:
    result = run_load(db_url, PROCESSES, ACTIONS)
    print("\n" + "\n".join(result.lines()))
    assert result.errors == []
    assert sum(result.actions.values()) + result.conflicts == PROCESSES * ACTIONS
    assert result.events == result.expected_events  # zero lost, zero extra
    assert result.decisions == result.expected_decisions
    assert result.messages == result.expected_messages
    assert result.chain_ok
    assert {"decide", "bulk", "ask", "answer", "export"} <= set(result.actions)
