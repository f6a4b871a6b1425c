"""``ospo-tui scan`` on bad or odd input: clear results, no crash, no partial scan."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from scan_support import findings_by_path
from sqlalchemy import select

from ospo_tui.cli import main
from ospo_tui.db import open_database
from ospo_tui.models import Scan
from ospo_tui.services.ingest import content_hash
from ospo_tui.services.scanning import runner as scan_runner
from ospo_tui.services.scanning.pool import ScanPool
from ospo_tui.services.scanning.progress import ScanProgress

SAMPLE = Path(__file__).parents[1] / "ospo_tui" / "data" / "sample"


def scans(db_path: Path) -> list[tuple[int, str]]:
    if not db_path.exists():
        return []
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            return [tuple(r) for r in session.execute(select(Scan.id, Scan.state)).all()]  # type: ignore[misc]
    finally:
        db.dispose()


def scan_cli(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), "scan", *args])


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    shutil.copy(SAMPLE / "mako" / "mako" / "__init__.py", root / "src" / "mako.py")
    shutil.copy(SAMPLE / "attrs" / "LICENSE", root / "LICENSE")
    return root


def test_missing_path_is_one_line_and_leaves_the_database_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "review.sqlite"
    assert scan_cli(db_path, str(tmp_path / "nowhere")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ospo-tui: error: ") and "no such file or directory" in err
    assert scans(db_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--processes", "0"], "--processes must be at least 1"),
        (["--timeout", "0"], "--timeout must be a positive number"),
        (["--exclude", "*"], "no files to scan"),
    ],
)
def test_bad_options_and_empty_scans_are_refused(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    db_path = tmp_path / "review.sqlite"
    assert scan_cli(db_path, str(tree), *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("ospo-tui: error: ") and message in err
    assert scans(db_path) == []


def test_unreadable_binary_and_huge_files_each_get_a_clear_result(
    tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = tree / "secret.txt"
    secret.write_text("Copyright 2020 Someone\n")
    secret.chmod(0)
    real_open = open

    def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        # root reads mode-000 files anyway: make the refusal real whoever runs the tests
        if str(file) == str(secret):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(content_hash, "open", refusing_open, raising=False)
    (tree / "blob.bin").write_bytes(os.urandom(65536))
    (tree / "huge.c").write_bytes(b"/* MIT License */\n" + b"int x;\n" * 40000)
    db_path = tmp_path / "review.sqlite"
    assert scan_cli(db_path, str(tree), "--max-size", "100000", "-n", "1") == 0
    out = capsys.readouterr().out
    assert "5 files, 3 scanned, 0 reused from earlier scans, 2 with scan errors" in out
    [(scan_id, state)] = scans(db_path)
    assert state == "complete"
    db = open_database(f"sqlite:///{db_path}")
    found = findings_by_path(db, scan_id)
    db.dispose()
    assert "cannot read file: Permission denied" in found["secret.txt"]["scan_errors"]
    assert "over the size limit of 100000 bytes" in found["huge.c"]["scan_errors"]
    assert found["huge.c"]["size"] == (tree / "huge.c").stat().st_size
    assert found["blob.bin"]["is_binary"] and not found["blob.bin"]["scan_errors"]
    assert found["LICENSE"]["detected_license_expression_spdx"] == "MIT"


def test_symlinks_are_never_followed_and_are_reported(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "loop-a").symlink_to("loop-b")
    (tree / "loop-b").symlink_to("loop-a")
    (tree / "self").symlink_to(".")
    (tree / "outside").symlink_to(tmp_path)
    (tree / "license-link").symlink_to("LICENSE")
    db_path = tmp_path / "review.sqlite"
    assert scan_cli(db_path, str(tree), "-n", "1") == 0
    captured = capsys.readouterr()
    assert "2 files, 2 scanned" in captured.out and "5 skipped" in captured.out
    assert "skipped loop-a: symbolic link loop (loop-b); not followed" in captured.err
    assert "skipped outside: symbolic link to " in captured.err
    assert "outside the scanned tree; not followed" in captured.err
    assert "skipped license-link: symbolic link to LICENSE; not followed" in captured.err
    [(scan_id, _)] = scans(db_path)
    db = open_database(f"sqlite:///{db_path}")
    assert sorted(findings_by_path(db, scan_id)) == ["LICENSE", "src/mako.py"]
    db.dispose()


def test_excludes_use_gitignore_rules_and_vcs_dirs_are_skipped(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / ".git" / "objects").mkdir(parents=True)
    (tree / ".git" / "config").write_text("[core]\n")
    (tree / "build" / "lib").mkdir(parents=True)
    (tree / "build" / "lib" / "copy.py").write_text("# SPDX-License-Identifier: MIT\n")
    (tree / "src" / "notes.txt").write_text("GPL-2.0\n")
    (tree / "notes.txt").write_text("keep me at the root\n")
    db_path = tmp_path / "review.sqlite"
    args = ["--exclude", "build/", "--exclude", "src/*.txt", "-n", "1"]
    assert scan_cli(db_path, str(tree), *args) == 0
    capsys.readouterr()
    [(scan_id, _)] = scans(db_path)
    db = open_database(f"sqlite:///{db_path}")
    assert sorted(findings_by_path(db, scan_id)) == ["LICENSE", "notes.txt", "src/mako.py"]
    db.dispose()


def test_a_single_file_can_be_scanned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "review.sqlite"
    target = SAMPLE / "psycopg" / "LICENSE.txt"
    assert scan_cli(db_path, str(target), "--project", "one", "-n", "1") == 0
    assert "1 file, 1 scanned, 0 reused" in capsys.readouterr().out
    [(scan_id, _)] = scans(db_path)
    db = open_database(f"sqlite:///{db_path}")
    found = findings_by_path(db, scan_id)
    db.dispose()
    assert found["LICENSE.txt"]["detected_license_expression_spdx"] == "LGPL-3.0-only"


def test_progress_reaches_the_callback_and_stays_off_a_pipe(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ospo_tui.services.trail.chain import Actor

    seen: list[ScanProgress] = []
    db = open_database(f"sqlite:///{tmp_path / 'review.sqlite'}")
    request = scan_runner.ScanRequest(root=str(tree), project="p", processes=1)
    summary = scan_runner.run_scan(
        db,
        request,
        Actor("tester", "admin"),
        on_progress=lambda p: seen.append(ScanProgress(**p.__dict__)),
    )
    db.dispose()
    phases = [p.phase for p in seen]
    assert phases[0] == "counting" and phases[-1] == "done" and "saving" in phases
    assert seen[-1].done == seen[-1].total == summary.files == 2
    assert "2/2 files (100%)" in seen[-1].line()
    assert scan_cli(tmp_path / "other.sqlite", str(tree), "-n", "1") == 0
    assert "\r" not in capsys.readouterr().err


def test_a_stuck_worker_is_killed_and_replaced() -> None:
    events = []
    license_file = str(SAMPLE / "attrs" / "LICENSE")
    with ScanPool(1, hard_timeout=2) as pool:
        while not pool.idle():
            events.extend(pool.poll(0.2))
        # a stopped process answers nothing, like one stuck where no alarm can reach it
        os.kill(pool._workers[0].process.pid, signal.SIGSTOP)
        assert pool.submit(1, "scan", (license_file, 60.0))
        while not events:
            events.extend(pool.poll(0.2))
        assert pool.killed == 1
        assert not events[0].ok and "killed after 2 seconds" in events[0].error
        while not pool.idle():
            pool.poll(0.2)
        pool.hard_timeout = 120  # the replacement must now be given time to answer
        assert pool.submit(2, "scan", (license_file, 60.0))
        done = []
        while not done:
            done.extend(pool.poll(0.2))
    assert done[0].ok and done[0].result["detected_license_expression"] == "mit"
