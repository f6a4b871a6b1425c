"""Packages, dependencies, manifests and summaries of real ScanCode outputs, counted from the JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.models import (
    AuditEvent,
    Dependency,
    PackageData,
    PackageFile,
    ScannedFile,
    ScanPackage,
    ScanSummary,
)
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES

REVIEWER = Actor("rita", "reviewer")
FIXTURES = sorted(p.name for p in SCANCODE_FIXTURES.glob("*.json"))
WITH_PACKAGES = [
    name for name in FIXTURES if json.loads((SCANCODE_FIXTURES / name).read_text()).get("packages")
]


def expected_package_counts(doc: dict[str, Any]) -> dict[str, int]:
    """Counted straight from the JSON, independently of the importer."""
    uids = {p["package_uid"] for p in doc.get("packages") or []}
    legacy = sum(len(f.get("packages") or []) for f in doc["files"])
    links = {(uid, f["path"]) for f in doc["files"] for uid in f.get("for_packages") or []}
    return {
        "packages": len(doc.get("packages") or []) + legacy,
        "dependencies": len(doc.get("dependencies") or []),
        "package_files": len({link for link in links if link[0] in uids}) + legacy,
        "package_data": sum(len(f.get("package_data") or []) for f in doc["files"]) + legacy,
        "owned_dependencies": sum(
            1 for d in doc.get("dependencies") or [] if d.get("for_package_uid") in uids
        ),
    }


def stored_package_counts(db: Database, scan_id: int) -> dict[str, int]:
    with db.session() as session:

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        in_scan = ScanPackage.scan_id == scan_id
        return {
            "packages": count(ScanPackage, in_scan),
            "dependencies": count(Dependency, Dependency.scan_id == scan_id),
            "package_files": count(PackageFile.__table__.join(ScanPackage.__table__), in_scan),
            "package_data": count(PackageData, PackageData.scan_id == scan_id),
            "owned_dependencies": count(
                Dependency, Dependency.scan_id == scan_id, Dependency.package_id.is_not(None)
            ),
        }


def test_five_fixtures_carry_packages() -> None:
    assert len(WITH_PACKAGES) >= 5


@pytest.mark.parametrize("name", FIXTURES)
def test_package_counts_match_the_json(sqlite_db: Database, name: str) -> None:
    path = SCANCODE_FIXTURES / name
    doc = json.loads(path.read_text())
    result = import_scan_file(sqlite_db, path, project="p", actor=REVIEWER)
    expected = expected_package_counts(doc)
    assert stored_package_counts(sqlite_db, result.scan_id) == expected
    assert (result.packages, result.dependencies) == (
        expected["packages"],
        expected["dependencies"],
    )
    with sqlite_db.session() as session:
        summary = session.get(ScanSummary, result.scan_id)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "scan.import")
        ).first()
    assert (
        event is not None
        and json.loads(event.payload)["counts"]["packages"] == (expected["packages"])
    )
    if "summary" not in doc:
        assert summary is None
        return
    assert summary is not None
    clarity = doc["summary"].get("license_clarity_score")
    assert summary.license_clarity_score == (
        clarity.get("score") if isinstance(clarity, dict) else clarity
    )
    assert summary.primary_language == doc["summary"].get("primary_language")


def test_asgiref_package_fields_and_dependency_owner(db: Database) -> None:
    path = SCANCODE_FIXTURES / "asgiref-3.3.0_toolkit_scan.json"
    scan_id = import_scan_file(db, path, project="p", actor=REVIEWER).scan_id
    with db.session() as session:
        package = session.scalars(
            select(ScanPackage).where(
                ScanPackage.scan_id == scan_id,
                ScanPackage.purl == "pkg:pypi/asgiref@3.3.0",
                ScanPackage.datafile_paths_json.like('%.whl"]'),  # the wheel, not its METADATA
            )
        ).one()
        assert (package.type, package.name, package.version) == ("pypi", "asgiref", "3.3.0")
        assert package.declared_license_expression == "bsd-new"
        assert package.declared_license_expression_spdx == "BSD-3-Clause"
        assert package.homepage_url == "https://github.com/django/asgiref/"
        assert json.loads(package.datafile_paths_json) == [
            "codebase/asgiref-3.3.0-py3-none-any.whl"
        ]
        assert package.findings_hash is not None
        pytest_dep = session.scalars(
            select(Dependency).where(
                Dependency.scan_id == scan_id, Dependency.purl == "pkg:pypi/pytest"
            )
        ).first()
        assert pytest_dep is not None
        assert (pytest_dep.scope, pytest_dep.is_runtime, pytest_dep.is_optional) == (
            "tests",
            True,
            True,
        )
        assert pytest_dep.is_pinned is False
        assert pytest_dep.package_id == package.id
        files = session.scalars(
            select(ScannedFile.path)
            .join(PackageFile, PackageFile.file_id == ScannedFile.id)
            .where(PackageFile.package_id == package.id)
        ).all()
    assert "codebase/asgiref-3.3.0-py3-none-any.whl" in files


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(doc))
    return path


HEADER = [{"tool_name": "scancode-toolkit", "output_format_version": "4.0.0"}]


def test_legacy_per_file_packages_become_packages(sqlite_db: Database, tmp_path: Path) -> None:
    """Formats 1.x/2.x list packages on the manifest file itself."""
    doc = {
        "scancode_version": "2.2.1",
        "files": [
            {
                "path": "pkg/setup.py",
                "type": "file",
                "packages": [
                    {"type": "pypi", "name": "demo", "version": "1.0", "license_expression": "mit"}
                ],
            }
        ],
    }
    scan_id = import_scan_file(
        sqlite_db, _write(tmp_path, doc), project="p", actor=REVIEWER
    ).scan_id
    counts = stored_package_counts(sqlite_db, scan_id)
    assert counts == expected_package_counts(doc)
    with sqlite_db.session() as session:
        package = session.scalars(select(ScanPackage)).one()
    assert package.purl == "pkg:pypi/demo@1.0"
    assert package.declared_license_expression_spdx == "MIT"


def test_links_and_dependencies_may_come_before_their_package(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """JSON-lines and hand-made documents do not promise ScanCode's order."""
    uid = "pkg:npm/a@1?uuid=1"
    doc = {
        "headers": HEADER,
        "files": [{"path": "a/package.json", "type": "file", "for_packages": [uid, uid, "x"]}],
        "dependencies": [{"purl": "pkg:npm/b", "for_package_uid": uid, "scope": "dev"}],
        "packages": [{"purl": "pkg:npm/a@1", "package_uid": uid}],
    }
    scan_id = import_scan_file(
        sqlite_db, _write(tmp_path, doc), project="p", actor=REVIEWER
    ).scan_id
    counts = stored_package_counts(sqlite_db, scan_id)
    assert (counts["package_files"], counts["owned_dependencies"]) == (1, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"packages": [{"purl": "pkg:npm/a@1"}, {"purl": "pkg:npm/a@1"}]}, "twice"),
        ({"packages": [{"name": "x"}]}, "package_uid"),
        ({"packages": [{"purl": 3}]}, "'purl' must be a string"),
        ({"dependencies": [{"purl": "p", "is_pinned": "yes"}]}, "is_pinned"),
        ({"summary": {"license_clarity_score": "high"}}, "license_clarity_score"),
    ],
)
def test_malformed_package_records_are_refused_whole(
    sqlite_db: Database, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    doc = {"headers": HEADER, "files": [{"path": "a.c", "type": "file"}], **change}
    with pytest.raises(InputError, match=message):
        import_scan_file(sqlite_db, _write(tmp_path, doc), project="p", actor=REVIEWER)
    with sqlite_db.session() as session:
        assert session.scalar(select(func.count()).select_from(ScanPackage)) == 0
