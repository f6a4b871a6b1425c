"""``pip install .`` ships one distribution with screens, models, migrations and the sample."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
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
            str(ROOT),
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
