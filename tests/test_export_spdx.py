"""SPDX 2.3 export: valid by spdx-tools' own validator, round-trips, and says what was decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from spdx_tools.spdx.model import AnnotationType, Document, SpdxNoAssertion, SpdxNone
from spdx_tools.spdx.writer.write_anything import write_file

from ospo_tui.db import Database
from ospo_tui.services.export.run import run_export
from tests.decision_helpers import RITA, events
from tests.export_helpers import (
    ADA,
    ADLER,
    FAQ,
    PRIVATE,
    README_CONTRIB,
    ZLIB_H,
    parsed_spdx,
    reviewed_zlib,
)


def _file(document: Document, path: str):  # type: ignore[no-untyped-def]
    (found,) = [f for f in document.files if f.name == "./" + path]
    return found


@pytest.mark.parametrize("fmt, name", [("json", "zlib.spdx.json"), ("tag-value", "zlib.spdx")])
def test_spdx_validates_and_carries_the_review(
    db: Database, tmp_path: Path, fmt: str, name: str
) -> None:
    reviewed = reviewed_zlib(db)
    target = tmp_path / name
    result = run_export(db, RITA, "spdx", target, project="zlib", fmt=fmt)
    document = parsed_spdx(target)

    assert document.creation_info.spdx_version == "SPDX-2.3"
    assert len(document.files) == result.rows == 253
    # The project, and the two packages ScanCode assembled (see test_export_packages_validity).
    assert len(document.packages) == 3 and document.packages[0].verification_code
    contains = [
        r
        for r in document.relationships
        if r.relationship_type.name == "CONTAINS" and r.spdx_element_id == "SPDXRef-Package"
    ]
    assert (
        len([r for r in contains if r.related_spdx_element_id.startswith("SPDXRef-File-")]) == 253
    )

    zlib_h = _file(document, ZLIB_H)
    assert str(zlib_h.license_concluded) == "Zlib AND LicenseRef-scancode-public-domain"
    assert [str(x) for x in zlib_h.license_info_in_file] == ["Zlib"]
    assert "Copyright (c) 1995-2017 Jean-loup Gailly and Mark Adler" in zlib_h.copyright_text
    assert zlib_h.license_comment and "alert(1)" in zlib_h.license_comment
    assert {c.algorithm.name for c in zlib_h.checksums} == {"SHA1", "SHA256", "MD5"}
    # Decided NONE stays NONE; undecided and "to discuss" conclude nothing.
    assert isinstance(_file(document, FAQ).license_concluded, SpdxNone)
    assert isinstance(_file(document, README_CONTRIB).license_concluded, SpdxNoAssertion)
    undecided = _file(document, "zlib-1.2.11/crc32.c")
    assert isinstance(undecided.license_concluded, SpdxNoAssertion)
    assert [str(x) for x in undecided.license_info_in_file] == ["Zlib"]
    assert str(_file(document, ADA).license_concluded) == "GPL-2.0-or-later"
    assert str(_file(document, ADLER).license_concluded) == "Zlib"

    # Every decision event is a REVIEW annotation by its reviewer, on its file.
    decision_events = [e for e in events(db) if e.action.startswith("decision.")]
    assert len(document.annotations) == len(decision_events)
    assert {a.annotation_type for a in document.annotations} == {AnnotationType.REVIEW}
    on_zlib_h = [a for a in document.annotations if a.spdx_id == zlib_h.spdx_id]
    assert len(on_zlib_h) == 2 and {a.annotator.name for a in on_zlib_h} == {"rita"}
    bulk = [a for a in document.annotations if reviewed.bulk_id in a.annotation_comment]
    assert bulk and all("origin bulk" in a.annotation_comment for a in bulk)

    # Non-SPDX keys are declared with their text.
    refs = {e.license_id: e for e in document.extracted_licensing_info}
    assert "LicenseRef-scancode-public-domain" in refs
    assert all(e.extracted_text for e in refs.values())
    assert PRIVATE not in target.read_text(encoding="utf-8")
    assert "\x1b" not in target.read_text(encoding="utf-8") or fmt == "json"


def test_spdx_round_trips_through_spdx_tools(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    ours = tmp_path / "zlib.spdx.json"
    run_export(sqlite_db, RITA, "spdx", ours, project="zlib")
    document = parsed_spdx(ours)
    for again in (tmp_path / "again.spdx.json", tmp_path / "again.spdx"):
        write_file(document, str(again), validate=True)
        reparsed = parsed_spdx(again)
        assert sorted(f.name for f in reparsed.files) == sorted(f.name for f in document.files)
        assert {f.name: str(f.license_concluded) for f in reparsed.files} == {
            f.name: str(f.license_concluded) for f in document.files
        }
        assert len(reparsed.annotations) == len(document.annotations)


def test_tag_value_neutralises_control_characters(sqlite_db: Database, tmp_path: Path) -> None:
    reviewed_zlib(sqlite_db)
    target = tmp_path / "zlib.spdx"
    run_export(sqlite_db, RITA, "spdx", target, project="zlib")
    text = target.read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert "<script>alert(1)</script>" in text  # kept literally: tag-value is not markup
    (event,) = events(sqlite_db, "export.spdx")
    assert '"format":"tag-value"' in event.payload


def test_file_elements_are_what_spdx_tools_writes(sqlite_db: Database) -> None:
    """The streamed per-file rendering equals spdx-tools' own converter and tag-value writer."""
    import io

    from spdx_tools.spdx.jsonschema.file_converter import FileConverter
    from spdx_tools.spdx.writer.tagvalue.annotation_writer import write_annotation
    from spdx_tools.spdx.writer.tagvalue.file_writer import write_file
    from spdx_tools.spdx.writer.tagvalue.tagvalue_writer_helper_functions import write_separator

    from ospo_tui.services.export.records import iter_files
    from ospo_tui.services.export.scope import resolve_scope
    from ospo_tui.services.export.spdx_files import SpdxText, file_element
    from ospo_tui.services.export.spdx_licenses import LicenseRefs

    reviewed_zlib(sqlite_db)
    converter = FileConverter()
    checked = 0
    with sqlite_db.reader() as session:
        scope = resolve_scope(session, "zlib", None)
        for tag_value in (False, True):
            refs, text = LicenseRefs({}), SpdxText(tag_value)
            for record in iter_files(session, scope.scan_id, with_decisions=True):
                element = file_element(record, refs, text)
                spdx_file, annotations = element.as_spdx()
                if tag_value:
                    theirs, ours = io.StringIO(), io.StringIO()
                    write_file(spdx_file, theirs)
                    write_separator(theirs)
                    for annotation in annotations:
                        write_annotation(annotation, theirs)
                        write_separator(theirs)
                    element.write_tag_value(ours)
                    assert ours.getvalue() == theirs.getvalue()
                else:
                    holder = Document(
                        creation_info=_creation_info(), files=[spdx_file], annotations=annotations
                    )
                    assert element.as_json() == converter.convert(spdx_file, holder)
                checked += 1
    assert checked == 2 * 253


def _creation_info():  # type: ignore[no-untyped-def]
    from datetime import datetime

    from spdx_tools.spdx.model import Actor, ActorType, CreationInfo

    return CreationInfo(
        "SPDX-2.3",
        "SPDXRef-DOCUMENT",
        "x",
        "https://example.org/x",
        [Actor(ActorType.TOOL, "t")],
        datetime(2026, 1, 1),
    )


def test_tag_value_injection_stays_inside_its_field(sqlite_db: Database, tmp_path: Path) -> None:
    """A path and a note that try to start new tag-value fields cannot change the document."""
    import json

    from ospo_tui.services.ingest.importer import import_scan_file
    from ospo_tui.services.review.decisions import decide
    from tests.decision_helpers import ZLIB, item

    doc = json.loads(ZLIB.read_text())
    hostile = "zlib-1.2.11/evil\nLicenseConcluded: MIT\x1b[2J.c"
    for entry in doc["files"]:
        if entry["path"] == ZLIB_H:
            entry["path"] = hostile
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(doc))
    scan_id = import_scan_file(sqlite_db, source, project="zlib", actor=RITA).scan_id
    note = "line one\n</text>\nLicenseConcluded: MIT\nFileComment: <text>owned"
    decide(
        sqlite_db,
        RITA,
        item(sqlite_db, scan_id, hostile).id,
        None,
        "Zlib",
        "identified",
        public_note=note,
    )
    target = tmp_path / "hostile.spdx"
    run_export(sqlite_db, RITA, "spdx", target, project="zlib")
    document = parsed_spdx(target)
    (evil,) = [f for f in document.files if "evil" in f.name]
    assert str(evil.license_concluded) == "Zlib"
    assert evil.name.startswith("./zlib-1.2.11/evil LicenseConcluded: MIT")
    assert evil.license_comment is not None and "line one" in evil.license_comment
    assert len(document.files) == 253
    assert "\x1b" not in target.read_text(encoding="utf-8")
