"""The decision commands as scripts use them: output, exit codes, preview without writing."""

from __future__ import annotations

import re

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database
from tests.decision_helpers import ZLIB, event_count, events, item


def run(url: str, *argv: str) -> int:
    return main(["--db", url, *argv])


def test_decide_bulk_undo_history_and_log(
    sqlite_db: Database, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(sqlite_url, "import", str(ZLIB), "--project", "zlib") == 0
    capsys.readouterr()
    assert (
        run(
            sqlite_url,
            "decide",
            "zlib-1.2.11/FAQ",
            "--license",
            "gpl-1.0-plus",
            "--reason",
            "reference",
            "--note",
            "see the FAQ",
            "--expect-version",
            "1",
        )
        == 0
    )
    assert "decided zlib-1.2.11/FAQ: GPL-1.0-or-later (identified)" in capsys.readouterr().out

    assert (
        run(sqlite_url, "decide", "zlib-1.2.11/FAQ", "--license", "MIT", "--expect-version", "1")
        == 4
    )
    assert "tester decided GPL-1.0-or-later (Identified)" in capsys.readouterr().err
    assert run(sqlite_url, "decide", "zlib-1.2.11/FAQ", "--license", "MTI") == 2
    assert "unknown license key 'MTI' (did you mean 'MIT'" in capsys.readouterr().err
    assert run(sqlite_url, "decide", "no/such/file", "--license", "MIT") != 0
    capsys.readouterr()

    before = event_count(sqlite_db)
    assert run(sqlite_url, "bulk", "--same-expression", "Zlib", "--license", "Zlib") == 0
    out = capsys.readouterr().out
    assert "69 files selected" in out and "nothing was written" in out
    assert event_count(sqlite_db) == before
    assert (
        run(
            sqlite_url,
            "bulk",
            "--glob",
            "zlib-1.2.11/contrib/minizip/*",
            "--license",
            "Zlib",
            "--type",
            "irrelevant",
            "--yes",
        )
        == 0
    )
    out = capsys.readouterr().out
    bulk_id = re.search(r"bulk ([0-9a-f-]{36}): decided (\d+) files", out)
    assert bulk_id is not None
    assert len(events(sqlite_db, "decision.bulk")) == int(bulk_id.group(2))
    assert run(sqlite_url, "undo", bulk_id.group(1)) == 0
    assert f"of bulk {bulk_id.group(1)}" in capsys.readouterr().out
    assert run(sqlite_url, "undo", bulk_id.group(1)) == 2
    assert "already undone" in capsys.readouterr().err

    path = "zlib-1.2.11/contrib/minizip/ioapi.c"
    assert run(sqlite_url, "history", path) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[3] for line in lines] == [
        "scan.import",
        "decision.bulk",
        "decision.undo",
    ]
    assert item(sqlite_db, 1, path).state == "open"
    assert run(sqlite_url, "audit", "log", "--limit", "2") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert run(sqlite_url, "audit", "verify") == 0
    assert "audit chain ok" in capsys.readouterr().out
