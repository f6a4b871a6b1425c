"""The scan's packages as CycloneDX 1.6 components, and the dependency graph between them.

Each package is a ``library`` component with its purl. CycloneDX 1.6 allows one license
expression per license choice, so ``licenses`` holds the reviewer's concluded expression
(acknowledgement ``concluded``) and ``evidence.licenses`` the declared one (``declared``); an
undecided package has its declared expression in ``licenses``. Dependencies that are not packages
of the scan become components of their own, one per purl. Files stay components too (the file
evidence of findings); the root depends on the packages and on the files no package holds.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.errors import InputError
from ospo_tui.models import Dependency, PackageFile, ScannedFile, ScanPackage
from ospo_tui.services.licenses.exceptions import attach_exceptions
from ospo_tui.services.licenses.expressions import scancode_to_spdx
from ospo_tui.services.licenses.spdx_validation import normalise_spdx

_SPECIAL = frozenset({"NONE", "NOASSERTION"})
# What an IRI reference can be without escaping: a manifest's template (``${project.url}``) or
# anything with spaces or quotes is left out rather than failing the schema.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`$]+")


def _expression(text: str | None) -> str | None:
    """A valid SPDX expression for CycloneDX, or None (NONE/NOASSERTION/unparsable)."""
    if not text or text.strip().upper() in _SPECIAL:
        return None
    converted = scancode_to_spdx(attach_exceptions(text)) or text
    try:
        return normalise_spdx(converted)
    except (InputError, ValueError):
        return None


@dataclass
class PackageGraph:
    """Package and dependency components, which files they hold, and the graph entries."""

    components: list[dict[str, Any]] = field(default_factory=list)
    packaged_files: set[int] = field(default_factory=set)
    depends_on: dict[str, list[str]] = field(default_factory=dict)

    @property
    def package_refs(self) -> list[str]:
        return [c["bom-ref"] for c in self.components if c["bom-ref"].startswith("package-")]

    def root_depends_on(self, unpackaged_files: list[str]) -> list[str]:
        """The project is made of its packages, the files no package holds, and what a
        manifest outside any package declares."""
        return [*self.package_refs, *self.depends_on.get("project", []), *unpackaged_files]

    def entries(self) -> list[dict[str, Any]]:
        """One dependency entry per component, as CycloneDX wants every ref listed."""
        return [
            {"ref": c["bom-ref"], "dependsOn": self.depends_on.get(c["bom-ref"], [])}
            for c in self.components
        ]


def _licenses(package: ScanPackage) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    concluded = _expression(package.concluded_expression) if package.state == "decided" else None
    declared = _expression(package.declared_license_expression_spdx)
    if concluded:
        evidence = [{"acknowledgement": "declared", "expression": declared}] if declared else []
        return [{"acknowledgement": "concluded", "expression": concluded}], evidence
    return ([{"acknowledgement": "declared", "expression": declared}] if declared else []), []


def _package_component(package: ScanPackage, files: list[int]) -> dict[str, Any]:
    licenses, evidence_licenses = _licenses(package)
    element: dict[str, Any] = {"bom-ref": f"package-{package.id}", "type": "library"}
    element["name"] = package.name or package.purl or f"package {package.id}"
    if package.namespace:
        element["group"] = package.namespace
    if package.version:
        element["version"] = package.version
    if package.purl:
        element["purl"] = package.purl
    if licenses:
        element["licenses"] = licenses
    if package.copyright:
        element["copyright"] = package.copyright
    references = [
        {"type": kind, "url": url}
        for kind, url in (("website", package.homepage_url), ("distribution", package.download_url))
        if url and _URL.fullmatch(url)
    ]
    if references:
        element["externalReferences"] = references
    evidence: dict[str, Any] = {}
    if evidence_licenses:
        evidence["licenses"] = evidence_licenses
    occurrences = [{"location": path} for path in json.loads(package.datafile_paths_json or "[]")]
    if occurrences:
        evidence["occurrences"] = occurrences
    if evidence:
        element["evidence"] = evidence
    element["properties"] = [
        {"name": "ospo-tui:review-state", "value": package.state},
        {"name": "ospo-tui:files", "value": str(len(files))},
    ]
    return element


def _dependency_component(ref: str, purl: str, dependency: Dependency) -> dict[str, Any]:
    name, _, version = purl.removeprefix("pkg:").split("?")[0].partition("@")
    element: dict[str, Any] = {"bom-ref": ref, "type": "library", "name": name or purl}
    if version:
        element["version"] = version
    element["purl"] = purl
    element["scope"] = "optional" if dependency.is_optional else "required"
    properties = [
        ("scancode:scope", dependency.scope),
        ("scancode:requirement", dependency.extracted_requirement),
    ]
    element["properties"] = [{"name": n, "value": v} for n, v in properties if v]
    return element


def package_graph(session: Session, scan_id: int) -> PackageGraph:
    """The packages of ``scan_id`` as components, with their dependencies."""
    graph = PackageGraph()
    files: dict[int, list[int]] = defaultdict(list)
    for package_id, file_id in session.execute(
        select(PackageFile.package_id, PackageFile.file_id)
        .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
        .join(ScannedFile, ScannedFile.id == PackageFile.file_id)
        .where(ScanPackage.scan_id == scan_id, ScannedFile.type == "file")
    ):
        files[package_id].append(file_id)
        graph.packaged_files.add(file_id)
    by_purl: dict[str, str] = {}
    for package in session.scalars(
        select(ScanPackage).where(ScanPackage.scan_id == scan_id).order_by(ScanPackage.id)
    ):
        graph.components.append(_package_component(package, files[package.id]))
        by_purl.setdefault(package.purl or "", f"package-{package.id}")
    edges: dict[str, dict[str, None]] = defaultdict(dict)
    for dependency in session.scalars(
        select(Dependency)
        .where(Dependency.scan_id == scan_id, Dependency.purl.is_not(None))
        .order_by(Dependency.id)
    ):
        purl = dependency.purl or ""
        if purl not in by_purl:
            by_purl[purl] = f"dependency-{dependency.id}"
            graph.components.append(_dependency_component(by_purl[purl], purl, dependency))
        owner = f"package-{dependency.package_id}" if dependency.package_id else "project"
        if by_purl[purl] != owner:
            edges[owner][by_purl[purl]] = None
    for package_id, file_ids in files.items():
        edges[f"package-{package_id}"].update((f"file-{f}", None) for f in sorted(file_ids))
    graph.depends_on = {ref: list(targets) for ref, targets in edges.items()}
    return graph
