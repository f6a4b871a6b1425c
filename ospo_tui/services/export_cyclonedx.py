"""CycloneDX 1.6 JSON of a reviewed scan, written with cyclonedx-python-lib.

The project is the BOM's root component and each regular file a ``file`` component with its
hashes. A file's ``licenses`` hold the reviewer's concluded expression (acknowledgement
``concluded``) or, while undecided, ScanCode's detected one (``declared``); ``evidence`` holds
the detected expression and the copyright statements, and properties name each ScanCode match.
Files decided as not shipped get scope ``excluded``.

The library serialises a whole ``Bom`` at once; to stay within flat memory at 100k files the
BOM's head is serialised by the library from a BOM without components, and each component is
serialised by the library on its own and streamed into the ``components`` array.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TextIO

from cyclonedx.model import Copyright, HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence
from cyclonedx.model.contact import OrganizationalContact
from cyclonedx.model.license import LicenseAcknowledgement, LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema.schema import SchemaVersion1Dot6
from sqlalchemy.orm import Session

from ospo_tui import __version__
from ospo_tui.services.audit import Actor
from ospo_tui.services.export_common import (
    NOT_SHIPPED_TYPES,
    ExportScope,
    FileRecord,
    Progress,
    count_files,
    iter_files,
)
from ospo_tui.services.expressions import combine_and, scancode_to_spdx

ROOT_REF = "project"
_SPECIAL = frozenset({"NONE", "NOASSERTION"})


def _expression(text: str | None) -> str | None:
    if not text or text.strip().upper() in _SPECIAL:
        return None
    return scancode_to_spdx(text) or text


def _component(record: FileRecord) -> Component:
    hashes = [
        HashType(alg=alg, content=value)
        for alg, value in (
            (HashAlgorithm.SHA_256, record.sha256),
            (HashAlgorithm.SHA_1, record.sha1),
            (HashAlgorithm.MD5, record.md5),
        )
        if value
    ]
    detected = _expression(
        record.detected_spdx
        or combine_and([m.license_expression_spdx or "" for m in record.matches if not m.is_clue])
    )
    concluded = _expression(record.concluded_expression) if record.is_decided else None
    licenses = []
    if concluded:
        licenses = [LicenseExpression(concluded, acknowledgement=LicenseAcknowledgement.CONCLUDED)]
    elif detected:
        licenses = [LicenseExpression(detected, acknowledgement=LicenseAcknowledgement.DECLARED)]
    copyrights = record.copyright_values()
    evidence = None
    if detected or copyrights:
        evidence = ComponentEvidence(
            licenses=[LicenseExpression(detected, acknowledgement=LicenseAcknowledgement.DECLARED)]
            if detected
            else None,
            copyright=[Copyright(text=value) for value in copyrights] or None,
        )
    properties = [Property(name="ospo-tui:review-state", value=record.state or "open")]
    if record.decision_type:
        properties.append(Property(name="ospo-tui:decision-type", value=record.decision_type))
    if record.decision_type and record.concluded_expression:
        properties.append(
            Property(name="ospo-tui:concluded-expression", value=record.concluded_expression)
        )
    if record.decision_type and record.public_note:
        properties.append(Property(name="ospo-tui:public-note", value=record.public_note))
    properties.extend(
        Property(name="scancode:match", value=m.summary()) for m in record.matches if not m.is_clue
    )
    excluded = record.is_decided and record.decision_type in NOT_SHIPPED_TYPES
    return Component(
        name=record.path,
        type=ComponentType.FILE,
        bom_ref=f"file-{record.file_id}",
        hashes=hashes,
        licenses=licenses,
        evidence=evidence,
        scope=ComponentScope.EXCLUDED if excluded else None,
        properties=properties,
    )


def _head(scope: ExportScope, actor: Actor) -> dict[str, object]:
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
            properties=[Property(name="ospo-tui:version", value=__version__)],
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
    """Write the BOM; returns the number of file components."""
    total = count_files(session, scope.scan_id)
    head = _head(scope, actor)
    head.pop("components", None)
    head.pop("dependencies", None)
    out.write("{\n")
    for key, value in head.items():
        out.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write(' "components": [')
    refs: list[str] = []
    written = 0
    for record in iter_files(session, scope.scan_id):
        component = _component(record)
        text = component.as_json(view_=SchemaVersion1Dot6)  # type: ignore[attr-defined]
        out.write(("\n  " if written == 0 else ",\n  ") + text)
        refs.append(f"file-{record.file_id}")
        written += 1
        if progress and written % 500 == 0:
            progress(written, total)
    out.write("\n ],\n")
    # The project is made of its files: one dependency entry naming them all.
    out.write(' "dependencies": [\n  {"ref": "project", "dependsOn": ')
    out.write(json.dumps(refs))
    out.write("}\n ]\n}\n")
    if progress:
        progress(written, total)
    return written
