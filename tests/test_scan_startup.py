"""What a scan worker pays before its first file: a rescan of a few files is mostly this."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_cli_module_imports_without_sqlalchemy_or_scancode() -> None:
    # Workers import the ``ospo-tui`` script (and so this module) as their main module.
    found = _run(
        "import json, sys, ospo_tui.cli\n"
        "print(json.dumps(sorted(m for m in ('sqlalchemy', 'scancode', 'textual', 'alembic')"
        " if m in sys.modules)))"
    )
    assert found == []


def test_warm_up_leaves_the_index_frozen_and_the_collector_on() -> None:
    state = _run(
        "import gc, json\n"
        "from ospo_tui.services.scan_engine import warm_up\n"
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
