"""``ospo-tui scan`` finds the packages and dependencies ``scancode -p`` finds, on a real tree.

The tree is a copy of two installed distributions with their ``.dist-info`` folders (one of them
declares dependencies). ScanCode runs in-process through its own CLI entry (``run_scan``, the
function ``scancode -p`` calls), and the two results are compared package by package.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.migrate import upgrade_to_head
from ospo_tui.models import Dependency, PackageData, PackageFile, ScannedFile, ScanPackage
from ospo_tui.services.scanning.runner import ScanRequest, run_scan
from tests.decision_helpers import RITA

DISTRIBUTIONS = ("mdurl", "jaraco.functools")


def _copy_distribution(name: str, tree: Path) -> None:
    dist = distribution(name)
    for file in dist.files or []:
        if "__pycache__" in file.parts or file.parts[0].startswith(".."):
            continue
        source = Path(str(dist.locate_file(file)))
        if source.is_file():
            target = tree / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packages") / "tree"
    for name in DISTRIBUTIONS:
        _copy_distribution(name, root)
    return root


def _ours(db: Database, scan_id: int) -> dict[str, Any]:
    with db.session() as session:
        packages = session.scalars(select(ScanPackage).where(ScanPackage.scan_id == scan_id)).all()
        by_id = {p.id: p.purl for p in packages}
        dependencies = session.scalars(
            select(Dependency).where(Dependency.scan_id == scan_id)
        ).all()
        files = session.execute(
            select(PackageFile.package_id, ScannedFile.path).join(
                ScannedFile, ScannedFile.id == PackageFile.file_id
            )
        ).all()
        manifests = session.scalars(
            select(ScannedFile.path).join(PackageData, PackageData.file_id == ScannedFile.id)
        ).all()
        return {
            "packages": sorted(
                (p.purl, p.declared_license_expression, tuple(json.loads(p.datafile_paths_json)))
                for p in packages
            ),
            "dependencies": Counter(
                (by_id.get(d.package_id), d.purl, d.scope, d.is_runtime, d.is_optional, d.is_pinned)
                for d in dependencies
            ),
            "files": Counter(by_id[package_id] for package_id, _ in files),
            "manifests": sorted(manifests),
        }


def _theirs(tree: Path) -> dict[str, Any]:
    from scancode.cli import run_scan as scancode_run

    ok, results = scancode_run(
        input=str(tree),
        package=True,
        strip_root=True,
        processes=0,
        quiet=True,
        return_results=True,
    )
    assert ok
    by_uid = {p["package_uid"]: p["purl"] for p in results["packages"]}
    return {
        "packages": sorted(
            (p["purl"], p["declared_license_expression"], tuple(p["datafile_paths"]))
            for p in results["packages"]
        ),
        "dependencies": Counter(
            (
                by_uid.get(d["for_package_uid"]),
                d["purl"],
                d["scope"],
                d["is_runtime"],
                d["is_optional"],
                d["is_pinned"],
            )
            for d in results["dependencies"]
        ),
        "files": Counter(by_uid[uid] for f in results["files"] for uid in f["for_packages"]),
        "manifests": sorted(f["path"] for f in results["files"] if f.get("package_data")),
    }


def test_scan_finds_the_packages_scancode_p_finds(tree: Path, tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_to_head(db.engine)
    scan_id = run_scan(db, ScanRequest(root=str(tree), project="p", processes=1), RITA).scan_id
    ours, theirs = _ours(db, scan_id), _theirs(tree)
    assert len(ours["packages"]) == len(DISTRIBUTIONS)
    assert ours["packages"] == theirs["packages"]
    assert ours["dependencies"] == theirs["dependencies"] and ours["dependencies"]
    assert ours["files"] == theirs["files"]
    assert ours["manifests"] == theirs["manifests"]

    off = run_scan(
        db, ScanRequest(root=str(tree), project="q", processes=1, packages=False), RITA
    ).scan_id
    with db.session() as session:
        assert session.scalars(select(ScanPackage).where(ScanPackage.scan_id == off)).all() == []
        assert session.scalars(select(PackageData).where(PackageData.scan_id == off)).all() == []
    db.dispose()
