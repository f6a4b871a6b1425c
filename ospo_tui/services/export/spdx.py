"""SPDX 2.3 documents (JSON and tag-value) of a reviewed scan, written with spdx-tools.

spdx-tools writes a whole in-memory ``Document``; at 100k files that alone passes our memory
budget, so the document is streamed: the project package first, then each file built as an
spdx-tools ``File`` and written by spdx-tools' own per-element converter (JSON) or writer
(tag-value), then the ``LicenseRef-`` declarations gathered on the way. The output is the same
document spdx-tools would write, and the tests parse and validate it with spdx-tools.

``LicenseConcluded`` comes from the current decision (NOASSERTION while undecided or to be
discussed, NONE where the reviewer concluded NONE), ``LicenseInfoInFile`` from ScanCode's
detections, ``LicenseComments`` from the public note; every decision event becomes a REVIEW
annotation. Private comments never appear.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TextIO

import orjson
from license_expression import ExpressionError, Licensing
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.jsonschema.extracted_licensing_info_converter import (
    ExtractedLicensingInfoConverter,
)
from spdx_tools.spdx.jsonschema.relationship_converter import RelationshipConverter
from spdx_tools.spdx.model import (
    Actor as SpdxActor,
)
from spdx_tools.spdx.model import (
    ActorType,
    Annotation,
    AnnotationType,
    Checksum,
    ChecksumAlgorithm,
    CreationInfo,
    Document,
    ExtractedLicensingInfo,
    File,
    Package,
    PackageVerificationCode,
    Relationship,
    RelationshipType,
    SpdxNoAssertion,
    SpdxNone,
)
from spdx_tools.spdx.writer.tagvalue.creation_info_writer import write_creation_info
from spdx_tools.spdx.writer.tagvalue.extracted_licensing_info_writer import (
    write_extracted_licensing_info,
)
from spdx_tools.spdx.writer.tagvalue.package_writer import write_package
from spdx_tools.spdx.writer.tagvalue.relationship_writer import write_relationship
from spdx_tools.spdx.writer.tagvalue.tagvalue_writer_helper_functions import write_separator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ospo_tui import __version__
from ospo_tui.errors import InputError
from ospo_tui.models import LicenseReference, ScannedFile
from ospo_tui.safe_text import clean
from ospo_tui.services.export.common import (
    ExportScope,
    FileRecord,
    Progress,
    catalog_license_text,
    count_files,
    iter_files,
)
from ospo_tui.services.licenses.expressions import scancode_to_spdx
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.review.decision_records import DecisionRecord
from ospo_tui.services.trail.chain import Actor

_TOKEN = re.compile(r"[^\s()]+")
_OPERATORS = frozenset({"AND", "OR", "WITH", "and", "or", "with"})
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.\-]")
_plain_licensing = Licensing()
PACKAGE_ID = "SPDXRef-Package"


def _known_spdx() -> dict[str, str]:
    """Lower-case id -> canonical id for every license and exception spdx-tools knows."""
    return {key.lower(): key for key in spdx_licensing.known_symbols}


class LicenseRefs:
    """Maps expressions to what spdx-tools accepts, declaring each ``LicenseRef-`` it needs.

    Ids that spdx-tools' license list lacks (ScanCode-only keys, or SPDX ids newer than the list)
    become ``LicenseRef-scancode-<key>`` with the license text from the scan or ScanCode's DB.
    """

    def __init__(self, scan_texts: dict[str, tuple[str | None, str | None]]) -> None:
        self._known = _known_spdx()
        self._scan_texts = scan_texts  # scancode key or spdx key (lower) -> (name, text)
        self.declared: dict[str, ExtractedLicensingInfo] = {}
        self.expression = lru_cache(maxsize=20_000)(self._expression)
        self.info_in_file = lru_cache(maxsize=20_000)(self._info_in_file)

    def _symbol(self, token: str) -> str:
        canonical = self._known.get(token.lower())
        if canonical is not None and not canonical.startswith("LicenseRef-"):
            return canonical
        info = license_catalog().get(token)
        key = info.key if info else token.removeprefix("LicenseRef-").removeprefix("scancode-")
        ref = "LicenseRef-scancode-" + _NOT_IDSTRING.sub("-", key)
        if ref not in self.declared:
            self.declared[ref] = self._declaration(ref, key, token)
        return ref

    def _declaration(self, ref: str, key: str, token: str) -> ExtractedLicensingInfo:
        info = license_catalog().get(key) or license_catalog().get(token)
        name, text = self._scan_texts.get(key.lower()) or self._scan_texts.get(
            token.lower(), (None, None)
        )
        if not text and info is not None:
            text = catalog_license_text(info.key)
        name = name or (info.name if info else key)
        comment = f"ScanCode license key {info.key}, category {info.category}" if info else None
        return ExtractedLicensingInfo(
            license_id=ref,
            extracted_text=text or f"The text of the license {key!r} was not available.",
            license_name=name,
            comment=comment,
        )

    def _rewrite(self, text: str) -> str:
        spdx = scancode_to_spdx(text) or text
        return _TOKEN.sub(
            lambda m: m.group(0) if m.group(0) in _OPERATORS else self._symbol(m.group(0)), spdx
        )

    def _expression(self, text: str | None) -> str:
        """The SPDX form spdx-tools writes (its own parse and rendering), NONE or NOASSERTION."""
        if text is None or not text.strip() or text.strip().upper() == "NOASSERTION":
            return "NOASSERTION"
        if text.strip().upper() == "NONE":
            return "NONE"
        return str(spdx_licensing.parse(self._rewrite(text)))

    def _info_in_file(self, detected: tuple[str, ...]) -> tuple[str, ...]:
        """Each license (with its exception) named by the detections, once."""
        seen: dict[str, None] = {}
        for text in detected:
            rewritten = self._rewrite(text)
            try:
                parsed = _plain_licensing.parse(rewritten, simple=True)
                symbols = _plain_licensing.license_symbols(parsed, unique=True, decompose=False)
                seen.update((str(s), None) for s in symbols)
            except ExpressionError:
                seen.update((t, None) for t in _TOKEN.findall(rewritten) if t not in _OPERATORS)
        return tuple(str(spdx_licensing.parse(s)) for s in seen) or ("NONE",)


def _scan_texts(session: Session, scan_id: int) -> dict[str, tuple[str | None, str | None]]:
    texts: dict[str, tuple[str | None, str | None]] = {}
    query = select(
        LicenseReference.key,
        LicenseReference.spdx_license_key,
        LicenseReference.name,
        LicenseReference.text,
    ).where(LicenseReference.scan_id == scan_id)
    for key, spdx_key, name, text in session.execute(query):
        texts[key.lower()] = (name, text)
        if spdx_key:
            texts.setdefault(spdx_key.lower(), (name, text))
    return texts


def _verification_code(session: Session, scan_id: int) -> PackageVerificationCode:
    """SPDX 2.3 §7.9: SHA-1 over the sorted SHA-1s of the package's files."""
    missing = session.scalar(
        select(func.count())
        .select_from(ScannedFile)
        .where(
            ScannedFile.scan_id == scan_id, ScannedFile.type == "file", ScannedFile.sha1.is_(None)
        )
    )
    if missing:
        raise InputError(
            f"{missing} files of scan {scan_id} have no SHA-1 (the scan ran without --info); "
            "SPDX 2.3 requires one per file"
        )
    digests = sorted(
        session.scalars(
            select(ScannedFile.sha1)
            .where(ScannedFile.scan_id == scan_id, ScannedFile.type == "file")
            .execution_options(yield_per=20_000)
        )
    )
    # SHA-1 because SPDX 2.3 specifies it here, not for security.
    digest = hashlib.sha1("".join(digests).encode(), usedforsecurity=False).hexdigest()
    return PackageVerificationCode(digest)


def _spdx_date(text: str) -> str:
    """Our UTC text (microseconds) as SPDX's date: ``YYYY-MM-DDThh:mm:ssZ``."""
    return text[:19] + "Z"


def _namespace(scope: ExportScope) -> str:
    slug = _NOT_IDSTRING.sub("-", scope.project)[:80] or "project"
    return f"https://spdx.org/spdxdocs/ospo-tui/{slug}-scan{scope.scan_id}-{uuid.uuid4()}"


class _Text:
    """Untrusted text made safe for the target syntax (tag-value has no escaping at all)."""

    def __init__(self, tag_value: bool) -> None:
        self.tag_value = tag_value

    def __call__(self, value: str | None, *, single_line: bool = False) -> str | None:
        if value is None or not self.tag_value:
            return value
        # A literal </text> would close a tag-value text block early.
        return clean(value, single_line=single_line).replace("</text>", "</ text>")


def _special(value: str) -> Any:
    if value == "NONE":
        return SpdxNone()
    if value == "NOASSERTION":
        return SpdxNoAssertion()
    return spdx_licensing.parse(value)


def _tv_text(tag: str, value: str | None, out: TextIO) -> None:
    """spdx-tools' write_text_value: multi-line values go in a <text> block."""
    if value is None:
        return
    out.write(f"{tag}: <text>{value}</text>\n" if "\n" in value else f"{tag}: {value}\n")


@dataclass(frozen=True, slots=True)
class FileElement:
    """One file as the SPDX document states it, with its REVIEW annotations.

    Building spdx-tools' ``File`` (type-checked on every field) and converting it costs about
    0.5 ms a file, too slow for 100k files within the target; this renders the same JSON element
    as spdx-tools' ``FileConverter`` and the same lines as its tag-value ``write_file`` and
    ``write_annotation`` (``as_spdx`` gives the spdx-tools objects; a test holds them equal).
    """

    name: str
    spdx_id: str
    checksums: tuple[tuple[str, str], ...]  # (SHA1 / SHA256 / MD5, value)
    license_concluded: str  # an SPDX expression, NONE or NOASSERTION
    license_info_in_file: tuple[str, ...]
    license_comment: str | None
    copyright_text: str
    comment: str | None
    annotations: tuple[tuple[str, str, str], ...]  # (annotator name, SPDX date, comment)

    def as_json(self) -> dict[str, Any]:
        element: dict[str, Any] = {"SPDXID": self.spdx_id}
        if self.annotations:
            element["annotations"] = [
                {
                    "annotationDate": date,
                    "annotationType": "REVIEW",
                    "annotator": f"Person: {annotator}",
                    "comment": comment,
                }
                for annotator, date, comment in self.annotations
            ]
        element["checksums"] = [
            {"algorithm": alg, "checksumValue": value} for alg, value in self.checksums
        ]
        if self.comment is not None:
            element["comment"] = self.comment
        element["copyrightText"] = self.copyright_text
        element["fileName"] = self.name
        if self.license_comment is not None:
            element["licenseComments"] = self.license_comment
        element["licenseConcluded"] = self.license_concluded
        element["licenseInfoInFiles"] = list(self.license_info_in_file)
        return element

    def write_tag_value(self, out: TextIO) -> None:
        out.write(f"## File Information\nFileName: {self.name}\nSPDXID: {self.spdx_id}\n")
        for alg, value in self.checksums:
            out.write(f"FileChecksum: {alg}: {value}\n")
        out.write(f"LicenseConcluded: {self.license_concluded}\n")
        for info in self.license_info_in_file:
            out.write(f"LicenseInfoInFile: {info}\n")
        _tv_text("LicenseComments", self.license_comment, out)
        _tv_text("FileCopyrightText", self.copyright_text, out)
        _tv_text("FileComment", self.comment, out)
        out.write("\n")
        for annotator, date, comment in self.annotations:
            out.write(
                f"Annotator: Person: {annotator}\nAnnotationDate: {date}\n"
                f"AnnotationType: REVIEW\nSPDXREF: {self.spdx_id}\n"
            )
            _tv_text("AnnotationComment", comment, out)
            out.write("\n")

    def as_spdx(self) -> tuple[File, list[Annotation]]:
        """The same file and annotations as spdx-tools model objects."""
        spdx_file = File(
            name=self.name,
            spdx_id=self.spdx_id,
            checksums=[Checksum(ChecksumAlgorithm[alg], value) for alg, value in self.checksums],
            license_concluded=_special(self.license_concluded),
            license_info_in_file=[_special(i) for i in self.license_info_in_file],
            license_comment=self.license_comment,
            copyright_text=_special(self.copyright_text)
            if self.copyright_text == "NOASSERTION"
            else self.copyright_text,
            comment=self.comment,  # type: ignore[arg-type]
        )
        annotations = [
            Annotation(
                self.spdx_id,
                AnnotationType.REVIEW,
                SpdxActor(ActorType.PERSON, annotator),
                datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ"),
                comment,
            )
            for annotator, date, comment in self.annotations
        ]
        return spdx_file, annotations


def _annotation(decision: DecisionRecord, text: _Text) -> tuple[str, str, str]:
    parts = [f"Decision {decision.decision_type}: {decision.concluded_expression or '(cleared)'}"]
    if decision.reason:
        parts.append(f"reason {decision.reason}")
    parts.append(f"origin {decision.origin}")
    if decision.bulk_id:
        parts.append(f"bulk {decision.bulk_id}")
    if decision.event_seq is not None:
        parts.append(f"audit event {decision.event_seq}")
    comment = ", ".join(parts)
    if decision.public_note:
        comment += f". Note: {decision.public_note}"
    annotator = text(decision.actor, single_line=True) or "unknown"
    return annotator, _spdx_date(decision.created_at), text(comment) or ""


def file_element(record: FileRecord, refs: LicenseRefs, text: _Text) -> FileElement:
    checksums = [("SHA1", record.sha1 or "")]
    if record.sha256:
        checksums.append(("SHA256", record.sha256))
    if record.md5:
        checksums.append(("MD5", record.md5))
    detected = tuple(
        dict.fromkeys(
            m.license_expression_spdx or m.license_expression or ""
            for m in record.matches
            if not m.is_clue and (m.license_expression_spdx or m.license_expression)
        )
    )
    copyrights = record.copyright_values()
    note = record.public_note if record.decision_type else None
    return FileElement(
        name=text("./" + record.path, single_line=True) or "./",
        spdx_id=f"SPDXRef-File-{record.file_id}",
        checksums=tuple(checksums),
        license_concluded=refs.expression(
            record.concluded_expression if record.is_decided else None
        ),
        license_info_in_file=refs.info_in_file(detected),
        license_comment=text(note),
        copyright_text=(text("\n".join(copyrights)) or "") if copyrights else "NOASSERTION",
        comment=f"Review decision: {record.decision_type}" if record.decision_type else None,
        annotations=tuple(_annotation(d, text) for d in record.decisions),
    )


def _creation(scope: ExportScope, actor: Actor, text: _Text) -> CreationInfo:
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
            "NOASSERTION where no decision concludes one."
        ),
    )


def _package(scope: ExportScope, code: PackageVerificationCode, text: _Text) -> Package:
    return Package(
        spdx_id=PACKAGE_ID,
        name=text(scope.project, single_line=True) or "project",
        download_location=SpdxNoAssertion(),
        files_analyzed=True,
        verification_code=code,
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
    )


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
    text = _Text(tag_value=fmt == "tag-value")
    total = count_files(session, scope.scan_id)
    code = _verification_code(session, scope.scan_id)
    refs = LicenseRefs(_scan_texts(session, scope.scan_id))
    creation = _creation(scope, actor, text)
    package = _package(scope, code, text)
    describes = Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, PACKAGE_ID)
    records = iter_files(session, scope.scan_id, with_decisions=True)
    if fmt == "tag-value":
        return _write_tag_value(
            out, creation, package, describes, records, refs, text, total, progress
        )
    return _write_json(out, creation, package, describes, records, refs, text, total, progress)


def _cleaned(info: ExtractedLicensingInfo, text: _Text) -> ExtractedLicensingInfo:
    name = info.license_name if isinstance(info.license_name, str) else None
    return ExtractedLicensingInfo(
        license_id=info.license_id,
        extracted_text=text(str(info.extracted_text)) or "",
        license_name=text(name, single_line=True),
        comment=info.comment,
    )


def _write_tag_value(
    out: TextIO,
    creation: CreationInfo,
    package: Package,
    describes: Relationship,
    records: Any,
    refs: LicenseRefs,
    text: _Text,
    total: int,
    progress: Progress | None,
) -> int:
    out.write("## Document Information\n")
    write_creation_info(creation, out)
    write_separator(out)
    # Files written after their package are contained in it (spdx-tools writes them so too).
    write_package(package, out)
    write_separator(out)
    written = 0
    for record in records:
        file_element(record, refs, text).write_tag_value(out)
        written += 1
        if progress and written % 500 == 0:
            progress(written, total)
    if refs.declared:
        out.write("## License Information\n")
        for info in refs.declared.values():
            write_extracted_licensing_info(_cleaned(info, text), out)
            write_separator(out)
    out.write("## Relationships\n")
    write_relationship(describes, out)
    write_separator(out)
    if progress:
        progress(written, total)
    return written


def _write_json(
    out: TextIO,
    creation: CreationInfo,
    package: Package,
    describes: Relationship,
    records: Any,
    refs: LicenseRefs,
    text: _Text,
    total: int,
    progress: Progress | None,
) -> int:
    shell = Document(creation_info=creation, packages=[package], relationships=[describes])
    head = DocumentConverter().convert(shell)
    relationships = head.pop("relationships", [])
    head.pop("files", None)
    head.pop("hasExtractedLicensingInfos", None)
    out.write("{\n")
    for key, value in head.items():
        out.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write(' "files": [')
    # spdx-tools' own rendering of one CONTAINS relationship, reused as the template for all.
    template = RelationshipConverter().convert(
        Relationship(PACKAGE_ID, RelationshipType.CONTAINS, "SPDXRef-File-0")
    )
    file_ids: list[int] = []
    written = 0
    for record in records:
        element = file_element(record, refs, text).as_json()
        out.write(("\n  " if written == 0 else ",\n  ") + orjson.dumps(element).decode())
        file_ids.append(record.file_id)
        written += 1
        if progress and written % 500 == 0:
            progress(written, total)
    out.write("\n ],\n")
    if refs.declared:
        extracted = ExtractedLicensingInfoConverter()
        infos = [extracted.convert(info) for info in refs.declared.values()]
        out.write(f' "hasExtractedLicensingInfos": {json.dumps(infos, ensure_ascii=False)},\n')
    out.write(' "relationships": [')
    for position, rel in enumerate(relationships):
        out.write(("\n  " if position == 0 else ",\n  ") + json.dumps(rel))
    for file_id in file_ids:
        template["relatedSpdxElement"] = f"SPDXRef-File-{file_id}"
        out.write(",\n  " + orjson.dumps(template).decode())
    out.write("\n ]\n}\n")
    if progress:
        progress(written, total)
    return written
