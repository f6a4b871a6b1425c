"""``pip install .`` ships one distribution with screens, models, migrations and the sample.

The last tests here are the user's first contact: the built wheel installed with its
dependencies into a fresh venv, far from the checkout, and the program run from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.pty_terminal import PtyTerminal
from tests.source_copy import clean_source_copy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = clean_source_copy(tmp_path_factory.mktemp("source"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        cwd=out,
    )
    (built,) = out.glob("ospo_tui-*.whl")
    return built


def test_wheel_maps_everything_into_the_ospo_tui_namespace(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "ospo_tui/cli.py",
        "ospo_tui/screens/__init__.py",
        "ospo_tui/screens/app.tcss",
        "ospo_tui/models/__init__.py",
        "ospo_tui/models/review.py",
        "ospo_tui/migrations/env.py",
        "ospo_tui/migrations/script.py.mako",
        "ospo_tui/migrations/versions/0001_initial_review_schema.py",
        "ospo_tui/data/sample-scan.json",
    ):
        assert required in names, required
    top_level = {name.split("/", 1)[0] for name in names if not name.startswith("ospo_tui-")}
    assert top_level == {"ospo_tui"}, top_level  # never a bare `models` or `screens`


def test_installed_wheel_migrates_a_database(wheel: Path, tmp_path: Path) -> None:
    """Alembic finds the migrations inside the installed package, not in the checkout."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "import ospo_tui, ospo_tui.migrate as m; from ospo_tui.db import open_database;"
        f"db = open_database('sqlite:///{tmp_path / 'w.sqlite'}');"
        "print(ospo_tui.__file__); print(m.script_location()); print(m.current_revision(db.engine))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    package_file, location, revision = result.stdout.split()
    assert package_file.startswith(str(target)) and location.startswith(str(target))
    assert revision is not None and revision != "None"


def test_wheel_holds_every_package_of_the_checkout(wheel: Path) -> None:
    """A package folder added anywhere (say services/review/) is never left out of the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    folders = {"ospo_tui": ROOT / "ospo_tui"} | {
        f"ospo_tui/{name}": ROOT / name for name in ("screens", "models", "migrations")
    }
    expected = set()
    for installed, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            relative = init.relative_to(folder).as_posix()
            if not relative.startswith("data/"):  # the sample project's sources are data
                expected.add(f"{installed}/{relative}")
    assert len(expected) > 5
    assert expected <= names, sorted(expected - names)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh venv holding the wheel and its dependencies, and an environment to run it in."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # --no-compile: byte-compiling every installed module (ScanCode's thousands) is a third of
    # the install's CPU; the program compiles what it imports when it runs, as from any wheel.
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
        check=True,
        cwd=venv,
        env=_clean_env(tmp_path_factory.mktemp("pip-home")),
    )
    return _clean_env(tmp_path_factory.mktemp("home")) | {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    }


def _clean_env(home: Path) -> dict[str, str]:
    """The environment less anything that could put the checkout or our venv on sys.path."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "OSPO_TUI_DB"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    return env | {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "OSPO_TUI_USER": "rita",
    }


def run_installed(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["ospo-tui", "--db", str(cwd / "review.sqlite"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.slow
def test_installed_program_runs_far_from_the_checkout(
    installed: dict[str, str], tmp_path: Path
) -> None:
    where = subprocess.run(
        ["python", "-c", "import ospo_tui, sys; print(ospo_tui.__file__); print(sys.path)"],
        cwd=tmp_path,
        env=installed,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where and "site-packages/ospo_tui/__init__.py" in where

    assert "review queue" in run_installed(installed, tmp_path, "--help")
    fixture = ROOT / "tests" / "data" / "scancode" / "zlib-v32rc3.json"
    assert "253 files" in run_installed(installed, tmp_path, "import", str(fixture))
    queue = run_installed(installed, tmp_path, "queue", "--limit", "5")
    assert queue.splitlines()[0].startswith("priority\tstate\tpath")
    assert len(queue.splitlines()) == 6
    run_installed(installed, tmp_path, "decide", "--license", "Zlib", "zlib-1.2.11/zlib.h")
    assert "Zlib" in run_installed(installed, tmp_path, "queue", "--all", "--path", "*/zlib.h")

    exports = {
        "log.csv": "decision-log",
        "log.json": "decision-log",
        "bom.spdx.json": "spdx",
        "bom.spdx": "spdx",
        "bom.cdx.json": "cyclonedx",
        "notice.txt": "attribution",
        "notice.html": "attribution",
    }
    formats = {"bom.spdx": "tag-value", "notice.txt": "text", "notice.html": "html"}
    for name, kind in exports.items():
        extra = ["--format", formats[name]] if name in formats else []
        run_installed(installed, tmp_path, "export", kind, "-o", str(tmp_path / name), *extra)
        assert (tmp_path / name).stat().st_size > 100, name
    assert "zlib-1.2.11/zlib.h" in (tmp_path / "bom.spdx").read_text(encoding="utf-8")
    assert run_installed(installed, tmp_path, "audit", "verify").startswith("audit chain ok")


@pytest.mark.slow
def test_installed_tui_opens_picker_queue_and_inspector(
    installed: dict[str, str], tmp_path: Path
) -> None:
    """``ospo-tui demo`` on a real terminal: the stylesheet, the sample and every screen load."""
    terminal = PtyTerminal(
        ["ospo-tui", "--db", str(tmp_path / "demo.sqlite"), "demo"],
        cwd=tmp_path,
        env=installed,
        size=(120, 40),
    )
    try:
        terminal.wait_for("Projects and scans", "bundled sample")
        terminal.press("\r")
        terminal.wait_for("license-expression/README.rst", "file 1 of 29")
        terminal.press("\r")
        terminal.wait_for("1 Source", "2 Matches", "match 1 of")
        terminal.press("q")
    finally:
        status = terminal.close()
    assert status == 0
