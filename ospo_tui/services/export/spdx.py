"""SPDX 2.3 documents (JSON and tag-value) of a reviewed scan, written with spdx-tools.

spdx-tools writes a whole in-memory ``Document``; at 100k files that alone passes our memory
budget, so the document is streamed: the creation info and the project package first, written
by spdx-tools, then each file (see ``spdx_files``), then the ``LicenseRef-`` declarations
gathered on the way (see ``spdx_licenses``) and the relationships. The output is the same
document spdx-tools would write, and the tests parse and validate it with spdx-tools.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.jsonschema.extracted_licensing_info_converter import (
    ExtractedLicensingInfoConverter,
)
from spdx_tools.spdx.jsonschema.relationship_converter import RelationshipConverter
from spdx_tools.spdx.model.actor import Actor as SpdxActor
from spdx_tools.spdx.model.actor import ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import Package, PackageVerificationCode
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.tagvalue.creation_info_writer import write_creation_info
from spdx_tools.spdx.writer.tagvalue.extracted_licensing_info_writer import (
    write_extracted_licensing_info,
)
from spdx_tools.spdx.writer.tagvalue.package_writer import write_package
from spdx_tools.spdx.writer.tagvalue.relationship_writer import write_relationship
from spdx_tools.spdx.writer.tagvalue.tagvalue_writer_helper_functions import write_separator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui import __version__
from ospo_tui.errors import InputError
from ospo_tui.models import ScannedFile
from ospo_tui.services.export.checksums import MissingChecksums, missing_checksums
from ospo_tui.services.export.embedded_head import head_note
from ospo_tui.services.export.json_document import json_object
from ospo_tui.services.export.license_texts import scan_license_texts
from ospo_tui.services.export.output import Progress, reporting
from ospo_tui.services.export.records import FileRecord, count_files, iter_files
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.export.spdx_files import FileElement, SpdxText, file_element
from ospo_tui.services.export.spdx_licenses import LicenseRefs, idstring
from ospo_tui.services.export.spdx_packages import ComponentPackages, component_packages
from ospo_tui.services.licenses.custom import custom_licenses
from ospo_tui.services.trail.chain import Actor

PACKAGE_ID = "SPDXRef-Package"


def _verification_code(
    session: Session, scan_id: int, missing: MissingChecksums
) -> PackageVerificationCode:
    """SPDX 2.3 §7.9: SHA-1 over the sorted SHA-1s of the package's files.

    Files whose checksum cannot be known are excluded from it, by name, as §7.9 provides.
    """
    digests = [
        digest
        for digest in session.scalars(
            select(ScannedFile.sha1)
            .where(
                ScannedFile.scan_id == scan_id,
                ScannedFile.type == "file",
                ScannedFile.sha1.is_not(None),
            )
            .execution_options(yield_per=20_000)
        )
        if digest is not None
    ]
    digests.extend(d.sha1 for d in missing.filled.values())
    digests.sort()
    # SHA-1 because SPDX 2.3 specifies it here, not for security.
    digest = hashlib.sha1("".join(digests).encode(), usedforsecurity=False).hexdigest()
    return PackageVerificationCode(digest, excluded_files=["./" + p for p in missing.unknown])


def _namespace(scope: ExportScope) -> str:
    slug = idstring(scope.project)[:80] or "project"
    return f"https://spdx.org/spdxdocs/ospo-tui/{slug}-scan{scope.scan_id}-{uuid.uuid4()}"


def _creation(scope: ExportScope, actor: Actor, text: SpdxText, head: str) -> CreationInfo:
    return CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=text(f"{scope.project} scan {scope.scan_id}", single_line=True) or "",
        document_namespace=_namespace(scope),
        creators=[
            SpdxActor(ActorType.TOOL, f"ospo-tui-{__version__}"),
            SpdxActor(ActorType.PERSON, text(actor.name, single_line=True) or "unknown"),
        ],
        created=datetime.now(UTC).replace(microsecond=0, tzinfo=None),
        data_license="CC0-1.0",
        document_comment=(
            f"License review of scan {scope.scan_id} ({scope.tool_name or 'scancode'} "
            f"{scope.tool_version or ''}). LicenseConcluded is the reviewer's decision; "
            f"NOASSERTION where no decision concludes one. {head}"
        ),
    )


def _package(
    scope: ExportScope, code: PackageVerificationCode, text: SpdxText, comment: str | None
) -> Package:
    return Package(
        spdx_id=PACKAGE_ID,
        name=text(scope.project, single_line=True) or "project",
        download_location=SpdxNoAssertion(),
        files_analyzed=True,
        verification_code=code,
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        comment=text(comment),
    )


@dataclass(frozen=True)
class _Parts:
    """What the document states besides its files, and how it renders them."""

    creation: CreationInfo
    package: Package
    describes: Relationship
    refs: LicenseRefs
    text: SpdxText
    missing: MissingChecksums
    components: ComponentPackages

    def elements(self, records: Iterable[FileRecord]) -> Iterator[tuple[int, FileElement]]:
        """Each file's element, leaving out the files whose checksum cannot be known."""
        unknown = frozenset(self.missing.unknown)
        for record in records:
            if record.path in unknown:
                continue
            digests = self.missing.filled.get(record.path)
            yield record.file_id, file_element(record, self.refs, self.text, digests)


def write_spdx(
    session: Session,
    scope: ExportScope,
    out: TextIO,
    *,
    fmt: str,
    actor: Actor,
    progress: Progress | None = None,
) -> int:
    """Write the document as ``json`` or ``tag-value``; returns the number of files."""
    if fmt not in ("json", "tag-value"):
        raise InputError(f"SPDX is written as json or tag-value, not {fmt!r}")
    text = SpdxText(tag_value=fmt == "tag-value")
    total = count_files(session, scope.scan_id)
    missing = missing_checksums(session, scope.scan_id)
    code = _verification_code(session, scope.scan_id, missing)
    refs = LicenseRefs(scan_license_texts(session, scope.scan_id), custom_licenses(session))
    parts = _Parts(
        creation=_creation(scope, actor, text, head_note(session)),
        package=_package(scope, code, text, missing.comment()),
        describes=Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, PACKAGE_ID),
        refs=refs,
        text=text,
        missing=missing,
        components=component_packages(session, scope.scan_id, PACKAGE_ID, refs, text, missing),
    )
    records = reporting(iter_files(session, scope.scan_id, with_decisions=True), total, progress)
    if fmt == "tag-value":
        return _write_tag_value(session, out, parts, records)
    return _write_json(session, out, parts, records)


def _cleaned(info: ExtractedLicensingInfo, text: SpdxText) -> ExtractedLicensingInfo:
    name = info.license_name if isinstance(info.license_name, str) else None
    return ExtractedLicensingInfo(
        license_id=info.license_id,
        extracted_text=text(str(info.extracted_text)) or "",
        license_name=text(name, single_line=True),
        comment=info.comment,
    )


def _write_tag_value(
    session: Session, out: TextIO, parts: _Parts, records: Iterable[FileRecord]
) -> int:
    out.write("## Document Information\n")
    write_creation_info(parts.creation, out)
    write_separator(out)
    # Files written after their package are contained in it (spdx-tools writes them so too).
    write_package(parts.package, out)
    write_separator(out)
    written: set[int] = set()
    for file_id, element in parts.elements(records):
        element.write_tag_value(out)
        written.add(file_id)
    # The scan's packages after every file, so that no file is taken as theirs by position.
    for package in parts.components.packages:
        write_package(package, out)
        write_separator(out)
    if parts.refs.declared:
        out.write("## License Information\n")
        for info in parts.refs.declared.values():
            write_extracted_licensing_info(_cleaned(info, parts.text), out)
            write_separator(out)
    out.write("## Relationships\n")
    write_relationship(parts.describes, out)
    for relationship in parts.components.relationships:
        write_relationship(relationship, out)
    for relationship in parts.components.contains(session, written):
        write_relationship(relationship, out)
    write_separator(out)
    return len(written)


def _write_json(session: Session, out: TextIO, parts: _Parts, records: Iterable[FileRecord]) -> int:
    shell = Document(
        creation_info=parts.creation,
        packages=[parts.package, *parts.components.packages],
        relationships=[parts.describes, *parts.components.relationships],
    )
    head = DocumentConverter().convert(shell)
    relationships = head.pop("relationships", [])
    head.pop("files", None)
    head.pop("hasExtractedLicensingInfos", None)
    file_ids: list[int] = []
    with json_object(out) as document:
        document.members(head)
        with document.array("files") as files:
            for file_id, element in parts.elements(records):
                files.add(element.as_json())
                file_ids.append(file_id)
        if parts.refs.declared:
            extracted = ExtractedLicensingInfoConverter()
            infos = [extracted.convert(info) for info in parts.refs.declared.values()]
            document.member("hasExtractedLicensingInfos", infos)
        with document.array("relationships") as related:
            for relationship in relationships:
                related.add_encoded(json.dumps(relationship))
            # spdx-tools' own rendering of one CONTAINS relationship, the template for all.
            template = RelationshipConverter().convert(
                Relationship(PACKAGE_ID, RelationshipType.CONTAINS, "SPDXRef-File-0")
            )
            for file_id in file_ids:
                template["relatedSpdxElement"] = f"SPDXRef-File-{file_id}"
                related.add(template)
            converter = RelationshipConverter()
            for relationship in parts.components.contains(session, set(file_ids)):
                related.add(converter.convert(relationship))
    return files.count
