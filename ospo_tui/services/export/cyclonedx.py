"""CycloneDX 1.6 JSON of a reviewed scan, written with cyclonedx-python-lib.

The project is the BOM's root component and each regular file a ``file`` component with its
hashes. A file's ``licenses`` hold the reviewer's concluded expression (acknowledgement
``concluded``) or, while undecided, ScanCode's detected one (``declared``); ``evidence`` holds
the detected expression and the copyright statements, and properties name each ScanCode match.
Files decided as not shipped get scope ``excluded``.

The library serialises a whole ``Bom`` at once; to stay within flat memory at 100k files the
BOM's head is serialised by the library from a BOM without components, and each component is
rendered as the library renders it (see ``FileComponent``) and streamed into the ``components``
array.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from cyclonedx.model import AttachedText, Copyright, HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence
from cyclonedx.model.contact import OrganizationalContact
from cyclonedx.model.license import (
    DisjunctiveLicense,
    LicenseAcknowledgement,
    LicenseExpression,
)
from cyclonedx.output.json import JsonV1Dot6
from sqlalchemy.orm import Session

from ospo_tui import __version__
from ospo_tui.services.export.cyclonedx_components import package_graph
from ospo_tui.services.export.embedded_head import head_note
from ospo_tui.services.export.json_document import json_object
from ospo_tui.services.export.output import Progress, reporting
from ospo_tui.services.export.records import NOT_SHIPPED_TYPES, FileRecord, count_files, iter_files
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.licenses.custom import CustomLicenseText, custom_licenses
from ospo_tui.services.licenses.exceptions import attach_exceptions
from ospo_tui.services.licenses.expressions import combine_and, scancode_to_spdx
from ospo_tui.services.trail.chain import Actor

ROOT_REF = "project"
_SPECIAL = frozenset({"NONE", "NOASSERTION"})


def _expression(text: str | None) -> str | None:
    if not text or text.strip().upper() in _SPECIAL:
        return None
    return scancode_to_spdx(attach_exceptions(text)) or text


@dataclass(frozen=True, slots=True)
class FileComponent:
    """What one file's component says, built once and rendered two ways.

    cyclonedx-python-lib serialises a component in about 1 ms (sorted sets, views), over a
    minute at 100k files; ``as_json`` renders the same JSON directly, and ``as_library`` builds
    the library's ``Component`` (a test holds the two renderings equal for every file).
    """

    file_id: int
    path: str
    hashes: tuple[tuple[str, str], ...]  # (CycloneDX algorithm name, value)
    license: tuple[str, str] | None  # (expression, acknowledgement)
    evidence_license: str | None
    copyrights: tuple[str, ...]
    properties: tuple[tuple[str, str], ...]
    excluded: bool
    license_text: str | None = None  # a custom license concluded alone: its registered text

    @property
    def bom_ref(self) -> str:
        return f"file-{self.file_id}"

    def as_json(self) -> dict[str, Any]:
        # Sorted as the library sorts them: hashes by algorithm, properties by name and value.
        element: dict[str, Any] = {"bom-ref": self.bom_ref}
        evidence: dict[str, Any] = {}
        if self.copyrights:
            evidence["copyright"] = [{"text": text} for text in sorted(set(self.copyrights))]
        if self.evidence_license:
            evidence["licenses"] = [
                {"acknowledgement": "declared", "expression": self.evidence_license}
            ]
        if evidence:
            element["evidence"] = evidence
        element["hashes"] = [{"alg": alg, "content": value} for alg, value in sorted(self.hashes)]
        if self.license and self.license_text is not None:
            element["licenses"] = [{"license": self._custom_license_json()}]
        elif self.license:
            element["licenses"] = [
                {"acknowledgement": self.license[1], "expression": self.license[0]}
            ]
        element["name"] = self.path
        element["properties"] = [
            {"name": name, "value": value} for name, value in sorted(set(self.properties))
        ]
        if self.excluded:
            element["scope"] = "excluded"
        element["type"] = "file"
        return element

    def _custom_license_json(self) -> dict[str, Any]:
        assert self.license is not None and self.license_text is not None
        return {
            "acknowledgement": self.license[1],
            "name": self.license[0],
            "text": {"content": self.license_text, "contentType": "text/plain"},
        }

    def _library_licenses(self) -> list[LicenseExpression | DisjunctiveLicense] | None:
        if not self.license:
            return None
        acknowledgement = LicenseAcknowledgement(self.license[1])
        if self.license_text is not None:
            text = AttachedText(content=self.license_text, content_type="text/plain")
            return [
                DisjunctiveLicense(name=self.license[0], text=text, acknowledgement=acknowledgement)
            ]
        return [LicenseExpression(self.license[0], acknowledgement=acknowledgement)]

    def as_library(self) -> Component:
        evidence = None
        if self.evidence_license or self.copyrights:
            evidence = ComponentEvidence(
                licenses=[
                    LicenseExpression(
                        self.evidence_license, acknowledgement=LicenseAcknowledgement.DECLARED
                    )
                ]
                if self.evidence_license
                else None,
                copyright=[Copyright(text=value) for value in self.copyrights] or None,
            )
        return Component(
            name=self.path,
            type=ComponentType.FILE,
            bom_ref=self.bom_ref,
            hashes=[HashType(alg=HashAlgorithm(alg), content=value) for alg, value in self.hashes],
            licenses=self._library_licenses(),
            evidence=evidence,
            scope=ComponentScope.EXCLUDED if self.excluded else None,
            properties=[Property(name=name, value=value) for name, value in self.properties],
        )


def file_component(
    record: FileRecord, custom: dict[str, CustomLicenseText] | None = None
) -> FileComponent:
    """``custom``: the registered custom licenses; one concluded alone carries its text."""
    hashes = tuple(
        (alg, value)
        for alg, value in (("SHA-256", record.sha256), ("SHA-1", record.sha1), ("MD5", record.md5))
        if value
    )
    detected = _expression(
        record.detected_spdx
        or combine_and([m.license_expression_spdx or "" for m in record.matches if not m.is_clue])
    )
    concluded = _expression(record.concluded_expression) if record.is_decided else None
    license = None
    if concluded:
        license = (concluded, "concluded")
    elif detected:
        license = (detected, "declared")
    properties = [("ospo-tui:review-state", record.state or "open")]
    if record.decision_type:
        properties.append(("ospo-tui:decision-type", record.decision_type))
        if record.concluded_expression:
            properties.append(("ospo-tui:concluded-expression", record.concluded_expression))
        if record.public_note:
            properties.append(("ospo-tui:public-note", record.public_note))
    properties.extend(("scancode:match", m.summary()) for m in record.matches if not m.is_clue)
    return FileComponent(
        file_id=record.file_id,
        path=record.path,
        hashes=hashes,
        license=license,
        evidence_license=detected,
        copyrights=tuple(record.copyright_values()),
        properties=tuple(properties),
        excluded=record.is_decided and record.decision_type in NOT_SHIPPED_TYPES,
        license_text=_custom_text(concluded, custom or {}),
    )


def _custom_text(concluded: str | None, custom: dict[str, CustomLicenseText]) -> str | None:
    own = custom.get(concluded.strip().lower()) if concluded else None
    return own.text if own is not None else None


def _head(scope: ExportScope, actor: Actor, chain_head: str) -> dict[str, object]:
    root = Component(
        name=scope.project,
        type=ComponentType.APPLICATION,
        bom_ref=ROOT_REF,
        properties=[
            Property(name="ospo-tui:scan-id", value=str(scope.scan_id)),
            Property(
                name="ospo-tui:scanner",
                value=f"{scope.tool_name or 'scancode-toolkit'} {scope.tool_version or ''}".strip(),
            ),
        ],
    )
    bom = Bom(
        serial_number=uuid.uuid4(),
        metadata=BomMetaData(
            component=root,
            timestamp=datetime.now(UTC),
            authors=[OrganizationalContact(name=actor.name)],
            properties=[
                Property(name="ospo-tui:version", value=__version__),
                Property(name="ospo-tui:audit-chain-head", value=chain_head),
            ],
        ),
    )
    return dict(json.loads(JsonV1Dot6(bom).output_as_string()))


def write_cyclonedx(
    session: Session,
    scope: ExportScope,
    out: TextIO,
    *,
    actor: Actor,
    progress: Progress | None = None,
) -> int:
    """Write the BOM; returns the number of file components (packages come first, see
    ``cyclonedx_components``)."""
    total = count_files(session, scope.scan_id)
    head = _head(scope, actor, head_note(session))
    head.pop("components", None)
    head.pop("dependencies", None)
    refs: list[str] = []
    custom = custom_licenses(session)
    graph = package_graph(session, scope.scan_id)
    with json_object(out) as document:
        document.members(head)
        with document.array("components") as components:
            for package in graph.components:
                components.add(package)
            for record in reporting(iter_files(session, scope.scan_id), total, progress):
                component = file_component(record, custom)
                components.add(component.as_json())
                if component.file_id not in graph.packaged_files:
                    refs.append(component.bom_ref)
        # The project is made of its packages and of the files no package holds.
        with document.array("dependencies") as dependencies:
            dependencies.add_encoded(
                json.dumps({"ref": ROOT_REF, "dependsOn": graph.root_depends_on(refs)})
            )
            for entry in graph.entries():
                dependencies.add(entry)
    return components.count - len(graph.components)
