"""The exports of every real scan with packages validate and carry the packages as components.

SPDX (JSON and tag-value) is parsed and validated by spdx-tools and checked by the NTIA
minimum-elements checker; CycloneDX by cyclonedx-python-lib's strict schema validator. The
expected packages, files and dependencies are counted from the fixture's JSON itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from ntia_conformance_checker import SbomChecker
from spdx_tools.spdx.model import RelationshipType
from sqlalchemy import select

from ospo_tui.db import Database
from ospo_tui.models import ScanPackage
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.package_decisions import decide_package
from tests.conftest import SCANCODE_FIXTURES
from tests.decision_helpers import RITA
from tests.export_helpers import parsed_spdx

WITH_PACKAGES = [
    p.name
    for p in sorted(SCANCODE_FIXTURES.glob("*.json"))
    if json.loads(p.read_text()).get("packages")
]


def _expected(doc: dict[str, Any]) -> dict[str, Any]:
    packages = doc["packages"]
    purls = {p.get("purl") for p in packages}
    files = {f["path"] for f in doc["files"] if f["type"] == "file"}
    contains = {
        (uid, f["path"])
        for f in doc["files"]
        if f["path"] in files
        for uid in f.get("for_packages") or []
    }
    outside = {d["purl"] for d in doc.get("dependencies") or [] if d["purl"] not in purls}
    return {
        "packages": len(packages),
        "purls": {p["purl"] for p in packages if p.get("purl")},
        "contains": len({c for c in contains if c[0] in {p["package_uid"] for p in packages}}),
        "dependency_packages": len(outside),
        "files_outside": len(files - {path for _, path in contains}),
    }


@pytest.fixture(scope="module", params=WITH_PACKAGES)
def exported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    """One import per fixture, a decision on its first package, every export written."""
    name = request.param
    out = tmp_path_factory.mktemp(name.split(".")[0])
    db = Database(f"sqlite:///{out / 'db.sqlite'}")
    from ospo_tui.migrate import upgrade_to_head

    upgrade_to_head(db.engine)
    scan_id = import_scan_file(db, SCANCODE_FIXTURES / name, project="p", actor=RITA).scan_id
    with db.session() as session:
        first = session.scalars(
            select(ScanPackage.id).where(ScanPackage.scan_id == scan_id).order_by(ScanPackage.id)
        ).first()
    assert first is not None
    decide_package(db, RITA, first, None, "MIT OR Apache-2.0", "identified", "reference")
    for kind, file_name in (
        ("spdx", "bom.spdx.json"),
        ("spdx", "bom.spdx"),
        ("cyclonedx", "bom.cdx.json"),
        ("attribution", "NOTICE.txt"),
    ):
        run_export(db, RITA, kind, out / file_name)
    db.dispose()
    return json.loads((SCANCODE_FIXTURES / name).read_text()), out


@pytest.mark.parametrize("file_name", ["bom.spdx.json", "bom.spdx"])
def test_spdx_has_one_package_per_component(
    exported: tuple[dict[str, Any], Path], file_name: str
) -> None:
    doc, out = exported
    expected = _expected(doc)
    document = parsed_spdx(out / file_name)
    components = [p for p in document.packages if p.spdx_id.startswith("SPDXRef-Package-")]
    assert len(components) == expected["packages"]
    locators = {r.locator for p in components for r in p.external_references}
    assert locators == expected["purls"]
    dependencies = [p for p in document.packages if p.spdx_id.startswith("SPDXRef-Dependency-")]
    assert len(dependencies) == expected["dependency_packages"]
    ids = {p.spdx_id for p in components}
    contains = [
        r
        for r in document.relationships
        if r.relationship_type == RelationshipType.CONTAINS and r.spdx_element_id in ids
    ]
    assert len(contains) == expected["contains"]
    depends = [
        r for r in document.relationships if r.relationship_type == RelationshipType.DEPENDS_ON
    ]
    assert bool(depends) == bool(doc.get("dependencies"))
    assert any(str(p.license_concluded) == "MIT OR Apache-2.0" for p in components)


def test_ntia_minimum_elements_as_far_as_a_scan_allows(
    exported: tuple[dict[str, Any], Path],
) -> None:
    """Names, identifiers, author, timestamp and relationships pass; the supplier is unknown to
    a scan, and so is the version of a package whose manifest gives none."""
    doc, out = exported
    checker = SbomChecker(str(out / "bom.spdx.json"))
    assert checker.get_components_without_names() == []
    assert checker.get_components_without_identifiers() == []
    assert checker.check_dependency_relationships()
    assert checker.check_doc_version()
    total = checker.get_total_number_components()
    assert len(checker.get_components_without_suppliers()) == total
    versionless = {p.get("name") for p in doc["packages"] if not p.get("version")}
    missing_versions = set(checker.get_components_without_versions())
    assert missing_versions - {"p"} <= versionless | {
        d["purl"].removeprefix("pkg:").split("@")[0].rsplit("/", 1)[-1]
        for d in doc.get("dependencies") or []
    }


def test_cyclonedx_components_are_the_packages(exported: tuple[dict[str, Any], Path]) -> None:
    doc, out = exported
    expected = _expected(doc)
    text = (out / "bom.cdx.json").read_text(encoding="utf-8")
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)[:300]
    bom = json.loads(text)
    packages = [c for c in bom["components"] if c["bom-ref"].startswith("package-")]
    assert len(packages) == expected["packages"]
    assert {c["purl"] for c in packages if "purl" in c} == expected["purls"]
    acknowledged = [
        (lic["acknowledgement"], lic["expression"])
        for c in packages
        for lic in c.get("licenses", []) + c.get("evidence", {}).get("licenses", [])
    ]
    assert ("concluded", "MIT OR Apache-2.0") in acknowledged
    for _, expression in acknowledged:
        assert normalise_spdx(expression)
    refs = {c["bom-ref"] for c in bom["components"]} | {"project"}
    graph = {entry["ref"]: entry["dependsOn"] for entry in bom["dependencies"]}
    assert all(target in refs for targets in graph.values() for target in targets)
    files = [c for c in bom["components"] if c["type"] == "file"]
    root_files = [r for r in graph["project"] if r.startswith("file-")]
    assert len(root_files) == expected["files_outside"] and len(files) >= len(root_files)
    if doc.get("dependencies"):
        assert any(
            t.startswith(("dependency-", "package-")) for c in packages for t in graph[c["bom-ref"]]
        )


def test_attribution_is_grouped_by_package(exported: tuple[dict[str, Any], Path]) -> None:
    doc, out = exported
    notice = (out / "NOTICE.txt").read_text(encoding="utf-8")
    for package in doc["packages"]:
        assert f"Package: {package.get('purl') or package.get('name')}" in notice


HOSTILE = {
    "headers": [{"tool_name": "scancode-toolkit", "output_format_version": "4.0.0"}],
    "packages": [
        {
            "type": "npm",
            "name": "evil\x1b[31m\nname",
            "version": "1.0 </text>",
            "purl": "pkg:npm/evil name@1.0",
            "package_uid": "pkg:npm/evil@1?uuid=1",
            "declared_license_expression": "mit AND (",
            "copyright": "Copyright </text> Evil\x1b]8;;",
            "homepage_url": "javascript:alert(1)",
            "download_url": "${project.url}",
            "datafile_paths": ["a/package.json"],
        }
    ],
    "dependencies": [{"purl": "pkg:npm/dep", "for_package_uid": "pkg:npm/evil@1?uuid=1"}],
    "files": [
        {"path": "a", "type": "directory"},
        {
            "path": "a/package.json",
            "type": "file",
            "sha1": "0" * 40,
            "for_packages": ["pkg:npm/evil@1?uuid=1"],
        },
    ],
}


def test_hostile_package_fields_still_validate(sqlite_db: Database, tmp_path: Path) -> None:
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(HOSTILE))
    import_scan_file(sqlite_db, source, project="p", actor=RITA)
    for name in ("bom.spdx.json", "bom.spdx"):
        run_export(sqlite_db, RITA, "spdx", tmp_path / name)
        document = parsed_spdx(tmp_path / name)
        assert any(p.spdx_id.startswith("SPDXRef-Package-") for p in document.packages)
    assert "\x1b" not in (tmp_path / "bom.spdx").read_text(encoding="utf-8")
    run_export(sqlite_db, RITA, "cyclonedx", tmp_path / "bom.cdx.json")
    text = (tmp_path / "bom.cdx.json").read_text(encoding="utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    run_export(sqlite_db, RITA, "attribution", tmp_path / "NOTICE.txt")
    assert "\x1b" not in (tmp_path / "NOTICE.txt").read_text(encoding="utf-8")
