"""Layers: models ← services ← screens and commands, checked by import-linter on every package.

The contracts live in ``pyproject.toml``; ``scripts/check_installed.sh`` runs them on an installed
copy, since the mapped screens/, models/ and migrations/ are not inside the ``ospo_tui`` folder.
These tests show the contracts see those packages: a probe import that breaks a layer fails.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.source_copy import clean_source_copy

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_models_and_services_never_import_textual() -> None:
    files = sorted((ROOT / "models").rglob("*.py")) + sorted(
        (ROOT / "ospo_tui" / "services").rglob("*.py")
    )
    assert len(files) > 40
    for path in files:
        for module in imported_modules(path):
            assert not module.startswith(("textual", "ospo_tui.screens")), (
                f"{path.name} imports {module}"
            )


def test_screens_and_commands_hold_no_sql() -> None:
    files = sorted((ROOT / "screens").rglob("*.py")) + sorted(
        (ROOT / "ospo_tui" / "commands").rglob("*.py")
    )
    assert len(files) > 20
    for path in files:
        for module in imported_modules(path):
            assert not module.startswith(("sqlalchemy", "ospo_tui.models")), (
                f"{path.relative_to(ROOT)} imports {module}"
            )


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("lint-site")
    source = clean_source_copy(tmp_path_factory.mktemp("source"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
        + ["--target", str(site), str(source)],
        check=True,
        capture_output=True,
    )
    return site


def lint_imports(site: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on ``site``, run from there (it puts its working folder on sys.path)."""
    return subprocess.run(
        [sys.executable, "-c", LINT, "--config", str(ROOT / "pyproject.toml")],
        cwd=site,
        env={**os.environ, "PYTHONPATH": str(site)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the report goes to either, depending on the version
        text=True,
    )


def test_contracts_hold_on_the_installed_package(installed_copy: Path) -> None:
    result = lint_imports(installed_copy)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("probe", "line", "broken"),
    [
        ("services/review/probe.py", "import textual", "never import Textual"),
        ("screens/probe.py", "import sqlalchemy", "run no SQL"),
        ("screens/probe_models.py", "from ospo_tui.models import Scan", "run no SQL"),
        ("models/probe.py", "import ospo_tui.services.review.queue", "Layers"),
        ("services/trail/probe.py", "import ospo_tui.services.review.queue", "Service domains"),
    ],
)
def test_a_layer_breaking_import_is_caught(
    installed_copy: Path, tmp_path: Path, probe: str, line: str, broken: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(installed_copy, site)
    (site / "ospo_tui" / probe).write_text(line + "\n")
    result = lint_imports(site)
    assert result.returncode == 1, result.stdout
    broken_lines = [text for text in result.stdout.splitlines() if text.endswith(" BROKEN")]
    assert any(broken in text for text in broken_lines), result.stdout


def test_environment_is_read_only_by_the_settings_module() -> None:
    """One settings object: no other module reads ``os.environ`` for an ``OSPO_TUI_`` name."""
    readers = []
    for folder in ("ospo_tui", "screens", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            if "data" in path.relative_to(ROOT).parts or path.name == "settings.py":
                continue
            source = path.read_text()
            if "environ" in source or "getenv" in source:
                readers.append(str(path.relative_to(ROOT)))
    assert readers == [], readers


def test_modules_and_functions_stay_small() -> None:
    """No module over 400 lines and no function over 60: each has one job (the sample aside)."""
    too_big = []
    for folder in ("ospo_tui", "screens", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "data" in relative.parts:
                continue
            source = path.read_text()
            if len(source.splitlines()) > 400:
                too_big.append(f"{relative}: {len(source.splitlines())} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > 60:
                        too_big.append(f"{relative}:{node.name}: {length} lines")
    assert too_big == []
