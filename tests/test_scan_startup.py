"""What a scan worker pays before its first file: a rescan of a few files is mostly this."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from multiprocessing import forkserver
from pathlib import Path

import pytest

from ospo_tui.cli import main, requested_command
from ospo_tui.services.scanning import pool as scan_pool


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_cli_module_imports_without_sqlalchemy_or_scancode() -> None:
    # Workers import the ``ospo-tui`` script (and so this module) as their main module.
    heavy = ("sqlalchemy", "scancode", "textual", "alembic", "dask", "distributed")
    found = _run(
        "import json, sys, ospo_tui.cli\n"
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    assert found == []


def test_warm_up_leaves_the_index_frozen_and_the_collector_on() -> None:
    state = _run(
        "import gc, json\n"
        "from ospo_tui.services.scanning.engine import warm_up\n"
        "before = gc.get_freeze_count()\n"
        "warm_up()\n"
        "frozen = gc.get_freeze_count()\n"
        "warm_up()\n"
        "print(json.dumps({'before': before, 'frozen': frozen,"
        " 'again': gc.get_freeze_count(), 'enabled': gc.isenabled()}))"
    )
    assert state["before"] == 0
    # The index alone is hundreds of thousands of objects; a second call changes nothing.
    assert isinstance(state["frozen"], int) and state["frozen"] > 100_000
    assert state["again"] == state["frozen"]
    assert state["enabled"] is True


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["scan", "tree", "-n", "2"], "scan"),
        (["--db", "scan", "projects"], "projects"),  # a database named "scan"
        (["--user", "ann", "--db=x.sqlite", "scan", "--exclude", "*.c", "tree"], "scan"),
        (["import", "scan.json"], "import"),
        ([], None),
        (["--db"], None),
    ],
)
def test_the_command_is_found_before_any_command_is_imported(
    argv: list[str], command: str | None
) -> None:
    assert requested_command(argv) == command


def test_scan_starts_the_fork_server_first_and_stops_it_when_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real_start = scan_pool.start_fork_server

    def start() -> None:
        real_start()
        started.append(forkserver._forkserver._forkserver_pid)  # type: ignore[attr-defined]

    monkeypatch.setattr(scan_pool, "start_fork_server", start)
    assert main(["--db", str(tmp_path / "r.sqlite"), "scan", str(tmp_path / "nowhere")]) == 2
    assert len(started) == 1
    assert forkserver._forkserver._forkserver_pid is None  # type: ignore[attr-defined]
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)  # gone, not left loading the index behind the command's back

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert len(started) == 1  # help needs no index


@pytest.mark.parametrize("cluster", [["--cluster", "local:2"], ["--cluster=127.0.0.1:8786"]])
def test_a_scan_on_a_cluster_leaves_the_index_to_the_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cluster: list[str]
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(scan_pool, "start_fork_server", lambda: started.append(True))
    db = str(tmp_path / "r.sqlite")
    assert main(["--db", db, "scan", str(tmp_path / "nowhere"), *cluster]) == 2
    assert started == []  # the workers load it; here it would only take a core from them
