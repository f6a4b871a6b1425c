"""Layers: models and services never import textual or the screens; screens run no SQL."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_models_and_services_never_import_textual() -> None:
    files = sorted((ROOT / "models").glob("*.py")) + sorted(
        (ROOT / "ospo_tui" / "services").glob("*.py")
    )
    assert len(files) > 10
    for path in files:
        for module in imported_modules(path):
            assert not module.startswith(("textual", "ospo_tui.screens")), (
                f"{path.name} imports {module}"
            )


def test_screens_hold_no_sql() -> None:
    files = sorted((ROOT / "screens").glob("*.py"))
    assert files
    for path in files:
        for module in imported_modules(path):
            assert not module.startswith("sqlalchemy"), f"{path.name} imports {module}"
