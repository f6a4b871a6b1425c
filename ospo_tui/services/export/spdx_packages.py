"""The scan's packages as SPDX 2.3 packages: one per component, with a PURL external reference,
CONTAINS relationships to its files and DEPENDS_ON relationships to its dependencies.

A dependency that is itself a package of the scan points at that package; any other becomes a
package of its own (not analysed, one per purl). What a scan cannot know stays NOASSERTION: the
supplier above all, which NTIA's minimum elements ask for (see the README).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from license_expression import ExpressionError
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackageVerificationCode,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.uri_validators import validate_download_location, validate_url
from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import Dependency, PackageFile, ScannedFile, ScanPackage
from ospo_tui.services.export.checksums import MissingChecksums
from ospo_tui.services.export.spdx_files import SpdxText, _special
from ospo_tui.services.export.spdx_licenses import LicenseRefs, idstring

# spdx-tools' own check of a purl locator (SPDX 2.3 annex F).
_PURL = re.compile(r"^pkg:.+(\/.+)?\/.+(@.+)?(\?.+)?(#.+)?$")


def package_spdx_id(package_id: int) -> str:
    return f"SPDXRef-Package-{package_id}"


@dataclass
class ComponentPackages:
    """Everything the document says about the scan's packages besides the CONTAINS links."""

    packages: list[Package] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    scan_id: int = 0

    def contains(self, session: Session, written: set[int]) -> Iterator[Relationship]:
        """Package CONTAINS file, for each file written into the document."""
        rows = session.execute(
            select(PackageFile.package_id, PackageFile.file_id)
            .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
            .where(ScanPackage.scan_id == self.scan_id)
            .order_by(PackageFile.package_id, PackageFile.file_id)
        )
        for package_id, file_id in rows:
            if file_id in written:
                yield Relationship(
                    package_spdx_id(package_id),
                    RelationshipType.CONTAINS,
                    f"SPDXRef-File-{file_id}",
                )


def _purl_ref(purl: str | None) -> list[ExternalPackageRef]:
    if not purl or _PURL.match(purl) is None or any(c.isspace() for c in purl):
        return []
    return [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl)]


def _license(refs: LicenseRefs, expression: str | None) -> Any:
    """The expression as spdx-tools writes it; NOASSERTION for one a manifest garbled (a
    reviewer's concluded one is validated when it is recorded)."""
    try:
        return _special(refs.expression(expression))
    except ExpressionError:
        return SpdxNoAssertion()


def _checked(url: str | None, validate: Callable[[str], list[str]]) -> str | None:
    """A manifest's URL as SPDX accepts it, or None (a template such as ``${project.url}``)."""
    if not url or any(c.isspace() or not c.isprintable() for c in url) or validate(url):
        return None
    return url


def _verification(
    session: Session, package_id: int, missing: MissingChecksums
) -> PackageVerificationCode | None:
    """SPDX §7.9 over the package's own files; None when it has none (not analysed then)."""
    rows = session.execute(
        select(ScannedFile.path, ScannedFile.sha1)
        .join(PackageFile, PackageFile.file_id == ScannedFile.id)
        .where(PackageFile.package_id == package_id, ScannedFile.type == "file")
    ).all()
    unknown = set(missing.unknown)
    digests = []
    for path, sha1 in rows:
        filled = missing.filled.get(path)
        digest = sha1 or (filled.sha1 if filled else None)
        if digest and path not in unknown:
            digests.append(digest)
    if not digests:
        return None
    digest = hashlib.sha1("".join(sorted(digests)).encode(), usedforsecurity=False).hexdigest()
    return PackageVerificationCode(digest)


def _component(
    package: ScanPackage, refs: LicenseRefs, text: SpdxText, code: PackageVerificationCode | None
) -> Package:
    concluded = package.concluded_expression if package.state == "decided" else None
    paths = json.loads(package.datafile_paths_json or "[]")
    return Package(
        spdx_id=package_spdx_id(package.id),
        name=text(package.name or package.purl or f"package {package.id}", single_line=True)
        or "package",
        version=text(package.version, single_line=True),
        download_location=_checked(package.download_url, validate_download_location)
        or SpdxNoAssertion(),
        files_analyzed=code is not None,
        verification_code=code,
        homepage=_checked(package.homepage_url, validate_url),
        supplier=SpdxNoAssertion(),
        license_concluded=_license(refs, concluded),
        license_declared=_license(refs, package.declared_license_expression_spdx),
        copyright_text=text(package.copyright) or SpdxNoAssertion(),
        external_references=_purl_ref(package.purl),
        comment=text(
            f"Review state: {package.state}. Declared in: {', '.join(map(str, paths)) or '-'}"
        ),
    )


def _dependency_package(purl: str, number: int, text: SpdxText) -> Package:
    name, _, version = purl.removeprefix("pkg:").split("?")[0].partition("@")
    return Package(
        spdx_id=f"SPDXRef-Dependency-{number}-{idstring(name)[:60]}",
        name=text(name.rsplit("/", 1)[-1] or purl, single_line=True) or "dependency",
        version=text(version, single_line=True) or None,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        supplier=SpdxNoAssertion(),
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        external_references=_purl_ref(purl),
        comment="A dependency a manifest declares; not part of the scanned tree.",
    )


def component_packages(
    session: Session,
    scan_id: int,
    project_id: str,
    refs: LicenseRefs,
    text: SpdxText,
    missing: MissingChecksums,
) -> ComponentPackages:
    """The packages of ``scan_id`` and their relationships, with ``project_id`` (the project's
    SPDX package) containing each and depending on what no package owns."""
    found = ComponentPackages(scan_id=scan_id)
    by_purl: dict[str, str] = {}
    for package in session.scalars(
        select(ScanPackage).where(ScanPackage.scan_id == scan_id).order_by(ScanPackage.id)
    ):
        code = _verification(session, package.id, missing)
        found.packages.append(_component(package, refs, text, code))
        ref = package_spdx_id(package.id)
        found.relationships.append(Relationship(project_id, RelationshipType.CONTAINS, ref))
        by_purl.setdefault(package.purl or "", ref)
    edges: dict[str, set[str]] = defaultdict(set)
    for package_id, purl in session.execute(
        select(Dependency.package_id, Dependency.purl)
        .where(Dependency.scan_id == scan_id, Dependency.purl.is_not(None))
        .order_by(Dependency.id)
    ):
        if not purl:
            continue
        if purl not in by_purl:
            dependency = _dependency_package(purl, len(found.packages), text)
            found.packages.append(dependency)
            by_purl[purl] = dependency.spdx_id
        owner = package_spdx_id(package_id) if package_id else project_id
        edges[owner].add(by_purl[purl])
    for owner, targets in edges.items():
        found.relationships.extend(
            Relationship(owner, RelationshipType.DEPENDS_ON, target)
            for target in sorted(targets)
            if target != owner
        )
    return found
