"""CycloneDX 1.6 export: valid by the library's strict JSON schema validator, round-trips."""

from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import ComponentScope
from cyclonedx.model.license import LicenseAcknowledgement
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from ospo_tui.db import Database
from ospo_tui.services.export.run import run_export
from tests.decision_helpers import RITA, events
from tests.export_helpers import ADA, ADLER, FAQ, PRIVATE, README_CONTRIB, ZLIB_H, reviewed_zlib


def _valid(text: str) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, error


def test_cyclonedx_validates_and_carries_the_review(db: Database, tmp_path: Path) -> None:
    reviewed_zlib(db)
    target = tmp_path / "zlib.cdx.json"
    result = run_export(db, RITA, "cyclonedx", target, project="zlib")
    text = target.read_text(encoding="utf-8")
    _valid(text)
    assert PRIVATE not in text
    bom = Bom.from_json(json.loads(text))  # type: ignore[attr-defined]

    assert bom.metadata.component is not None and bom.metadata.component.name == "zlib"
    files = {c.name: c for c in bom.components if c.type.name == "FILE"}
    assert len(files) == result.rows == 253
    zlib_h = files[ZLIB_H]
    (concluded,) = zlib_h.licenses
    assert concluded.value == "Zlib AND LicenseRef-scancode-public-domain"
    assert concluded.acknowledgement is LicenseAcknowledgement.CONCLUDED
    assert zlib_h.evidence is not None
    (declared,) = zlib_h.evidence.licenses
    assert declared.value == "Zlib"
    assert declared.acknowledgement is LicenseAcknowledgement.DECLARED
    assert any("Jean-loup Gailly" in c.text for c in zlib_h.evidence.copyright)
    assert {h.alg.value for h in zlib_h.hashes} == {"SHA-256", "SHA-1", "MD5"}
    properties = {p.name: p.value for p in zlib_h.properties}
    assert properties["ospo-tui:decision-type"] == "identified"
    matches = [p.value for p in zlib_h.properties if p.name == "scancode:match"]
    assert matches and "score" in matches[0]

    # Undecided and "to discuss" files show what ScanCode detected, as declared.
    (detected,) = files[README_CONTRIB].licenses
    assert detected.acknowledgement is LicenseAcknowledgement.DECLARED
    (undecided,) = files["zlib-1.2.11/crc32.c"].licenses
    assert undecided.value == "Zlib" and undecided.acknowledgement.value == "declared"
    # Files decided as not shipped are excluded from the product.
    assert files[FAQ].scope is ComponentScope.EXCLUDED
    assert files[ADA].scope is ComponentScope.EXCLUDED
    assert files[ADLER].scope is ComponentScope.EXCLUDED
    assert zlib_h.scope is None
    (event,) = events(db, "export.cyclonedx")
    assert json.loads(event.payload)["sha256"] == result.sha256


def test_cyclonedx_round_trips_through_the_library(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    target = tmp_path / "zlib.cdx.json"
    run_export(sqlite_db, RITA, "cyclonedx", target, project="zlib")
    bom = Bom.from_json(json.loads(target.read_text(encoding="utf-8")))  # type: ignore[attr-defined]
    again = JsonV1Dot6(bom).output_as_string()
    _valid(again)
    reread = Bom.from_json(json.loads(again))  # type: ignore[attr-defined]
    assert {c.name: [lic.value for lic in c.licenses] for c in reread.components} == {
        c.name: [lic.value for lic in c.licenses] for c in bom.components
    }


def test_file_components_are_what_the_library_writes(sqlite_db: Database) -> None:
    """The streamed per-file rendering equals the library's own serialisation of the same data."""
    from cyclonedx.schema.schema import SchemaVersion1Dot6

    from ospo_tui.services.export.cyclonedx import file_component
    from ospo_tui.services.export.records import iter_files
    from ospo_tui.services.export.scope import resolve_scope

    reviewed_zlib(sqlite_db)
    checked = 0
    with sqlite_db.reader() as session:
        scope = resolve_scope(session, "zlib", None)
        for record in iter_files(session, scope.scan_id):
            component = file_component(record)
            theirs = json.loads(component.as_library().as_json(view_=SchemaVersion1Dot6))  # type: ignore[attr-defined]
            assert component.as_json() == theirs, record.path
            checked += 1
    assert checked == 253
