"""One file of an SPDX 2.3 document: its element (JSON) or lines (tag-value), with annotations.

``LicenseConcluded`` comes from the current decision (NOASSERTION while undecided or to be
discussed, NONE where the reviewer concluded NONE), ``LicenseInfoInFile`` from ScanCode's
detections, ``LicenseComments`` from the public note; every decision event becomes a REVIEW
annotation. Private comments never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model.actor import Actor as SpdxActor
from spdx_tools.spdx.model.actor import ActorType
from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.file import File
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.model.spdx_none import SpdxNone

from ospo_tui.safe_text import clean
from ospo_tui.services.export.checksums import Digests
from ospo_tui.services.export.records import FileRecord
from ospo_tui.services.export.spdx_licenses import LicenseRefs
from ospo_tui.services.review.decision_records import DecisionRecord


def _spdx_date(text: str) -> str:
    """Our UTC text (microseconds) as SPDX's date: ``YYYY-MM-DDThh:mm:ssZ``."""
    return text[:19] + "Z"


class SpdxText:
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


def _annotation(decision: DecisionRecord, text: SpdxText) -> tuple[str, str, str]:
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


def _checksums(record: FileRecord, digests: Digests | None) -> tuple[tuple[str, str], ...]:
    if record.sha1 is None and digests is not None:
        return (("SHA1", digests.sha1), ("SHA256", digests.sha256), ("MD5", digests.md5))
    checksums = [("SHA1", record.sha1 or "")]
    if record.sha256:
        checksums.append(("SHA256", record.sha256))
    if record.md5:
        checksums.append(("MD5", record.md5))
    return tuple(checksums)


def file_element(
    record: FileRecord, refs: LicenseRefs, text: SpdxText, digests: Digests | None = None
) -> FileElement:
    """``digests``: the checksums of a file the scan gave none (see ``checksums``)."""
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
        checksums=_checksums(record, digests),
        license_concluded=refs.expression(
            record.concluded_expression if record.is_decided else None
        ),
        license_info_in_file=refs.info_in_file(detected),
        license_comment=text(note),
        copyright_text=(text("\n".join(copyrights)) or "") if copyrights else "NOASSERTION",
        comment=f"Review decision: {record.decision_type}" if record.decision_type else None,
        annotations=tuple(_annotation(d, text) for d in record.decisions),
    )
