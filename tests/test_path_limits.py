"""Paths beyond 4,096 bytes or 256 levels, or holding a NUL byte, are refused before storing.

A path 50,000 levels deep (109 KB of JSON) once imported for 226 s into a 5 GB database,
because every parent directory is stored too; now it is one line and nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.services.ingest.path_limits import MAX_PATH_BYTES, MAX_PATH_DEPTH
from ospo_tui.services.scanning.tree import SourceTree
from tests.reliability_support import fingerprint

BAD_PATHS = {
    "nul": ("src/a\x00b.c", "NUL byte"),
    "long": ("src/" + "x" * MAX_PATH_BYTES + ".c", f"longer than {MAX_PATH_BYTES} bytes"),
    "long-utf8": ("é" * (MAX_PATH_BYTES // 2 + 1), f"longer than {MAX_PATH_BYTES} bytes"),
    "deep": ("d/" * MAX_PATH_DEPTH + "f.c", f"deeper than {MAX_PATH_DEPTH} levels"),
    "50000-deep": ("a/" * 50_000 + "f.c", f"longer than {MAX_PATH_BYTES} bytes"),
}


@pytest.mark.parametrize("name", sorted(BAD_PATHS))
def test_an_import_naming_a_bad_path_is_refused_and_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path, problem = BAD_PATHS[name]
    scan = tmp_path / "scan.json"
    files = [{"path": "src/ok.c", "type": "file"}, {"path": path, "type": "file"}]
    scan.write_text(json.dumps({"files": files}), encoding="utf-8")
    db = open_database(db_url)
    before = fingerprint(db)
    db.dispose()
    assert main(["--db", db_url, "import", str(scan), "--project", "p"]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1 and "\x00" not in err, err
    db = Database(db_url)
    after = fingerprint(db).rows
    db.dispose()
    # Only the first user's admin membership (and its event) was written, no scan data.
    assert {t: n for t, n in after.items() if n != before.rows[t]}.keys() <= {
        "members",
        "audit_events",
    }
    assert after["files"] == after["scans"] == 0


def test_a_path_at_the_limits_is_accepted(sqlite_url: str, tmp_path: Path) -> None:
    deepest = "d/" * (MAX_PATH_DEPTH - 1) + "f.c"
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"files": [{"path": deepest, "type": "file"}]}), encoding="utf-8")
    assert main(["--db", sqlite_url, "import", str(scan), "--project", "p"]) == 0


def test_a_scan_skips_what_is_too_deep_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    deep = root.joinpath(*(["d"] * MAX_PATH_DEPTH))
    deep.mkdir(parents=True)
    (deep / "f.c").write_text("int x;\n")
    (root / "ok.c").write_text("int y;\n")
    entries = list(SourceTree(root).walk())
    scanned = [e.path for e in entries if not e.skipped]
    skipped = [e for e in entries if e.skipped]
    assert scanned == ["ok.c"]
    assert len(skipped) == 1 and f"deeper than {MAX_PATH_DEPTH} levels" in skipped[0].skipped
