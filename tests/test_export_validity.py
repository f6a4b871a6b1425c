"""Every export of every real scan passes its own ecosystem's validator, decided or not.

The scans: every ScanCode output under tests/data/scancode (formats 1.0 to 4.1), the bundled
sample (imported with its tree), and a scan ``ospo-tui scan`` makes of a tree holding an empty
file. SPDX is parsed and validated by spdx-tools (JSON and tag-value), CycloneDX by
cyclonedx-python-lib's strict JSON schema validator, the XLSX report read back by openpyxl.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from openpyxl import load_workbook
from sqlalchemy import select

from ospo_tui.commands.demo import sample_paths
from ospo_tui.db import Database
from ospo_tui.models import ReviewItem, ScannedFile
from ospo_tui.services.export.checksums import EMPTY_MD5, EMPTY_SHA1, EMPTY_SHA256
from ospo_tui.services.export.run import run_export
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.decision_context import decision_context
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.scanning.runner import ScanRequest, run_scan
from tests.conftest import SCANCODE_FIXTURES, admin_reading
from tests.decision_helpers import RITA
from tests.export_helpers import parsed_spdx

SOURCES = [p.name for p in sorted(SCANCODE_FIXTURES.glob("*.json"))] + ["sample", "scanned"]
MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy"


def _scanned_tree(root: Path) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "py.typed").write_bytes(b"")  # empty: ScanCode gives it no checksum
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text(
        "# SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0\nx = 1\n"
    )
    (root / "LICENSE").write_text(f"MIT License\n\n{MIT} of this software.\n")


def _load(db: Database, source: str, tmp_path: Path) -> int:
    if source == "scanned":
        tree = tmp_path / "tree"
        _scanned_tree(tree)
        return run_scan(db, ScanRequest(root=str(tree), project="p", processes=1), RITA).scan_id
    if source == "sample":
        scan_file, tree = sample_paths()
        return import_scan_file(db, scan_file, project="p", actor=RITA, root=str(tree)).scan_id
    return import_scan_file(db, SCANCODE_FIXTURES / source, project="p", actor=RITA).scan_id


def _decide_some(db: Database, scan_id: int) -> int:
    """Agree with the scanner (the form's pre-fill) on up to 40 files, most with exceptions
    first, and conclude NONE, irrelevant and to-discuss on three more."""
    with db.session() as session:
        items = session.execute(
            select(ReviewItem.id, ReviewItem.detected_spdx).where(ReviewItem.scan_id == scan_id)
        ).all()
    items.sort(key=lambda i: ("exception" not in (i.detected_spdx or "").lower(), i.id))
    for number, (item_id, _) in enumerate(items[:43]):
        with admin_reading(db) as snapshot:
            context = decision_context(snapshot, item_id)
        kind = {40: ("NONE", "irrelevant"), 41: ("MIT", "to_discuss"), 42: ("NONE", "identified")}
        expression, decision_type = kind.get(number, (context.prefill_expression, "identified"))
        decide(db, RITA, item_id, context.version, expression, decision_type, public_note="ok")
    return min(len(items), 43)


def _check_exports(db: Database, scan_id: int, out: Path) -> None:
    out.mkdir()
    with db.session() as session:
        files = session.execute(
            select(ScannedFile.path, ScannedFile.sha1, ScannedFile.size).where(
                ScannedFile.scan_id == scan_id, ScannedFile.type == "file"
            )
        ).all()
    for name in ("bom.spdx.json", "bom.spdx"):
        document = parsed_spdx(out / name) if run_export(db, RITA, "spdx", out / name) else None
        assert document is not None and len(document.files) == len(files)
        by_name = {f.name: f for f in document.files}
        for path, sha1, size in files:
            checksums = {c.algorithm.name: c.value for c in by_name["./" + path].checksums}
            if sha1 is None and size == 0:
                assert checksums == {"SHA1": EMPTY_SHA1, "SHA256": EMPTY_SHA256, "MD5": EMPTY_MD5}
    run_export(db, RITA, "cyclonedx", out / "bom.cdx.json")
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(
        (out / "bom.cdx.json").read_text(encoding="utf-8")
    )
    assert error is None, str(error)[:300]
    # The schema cannot see inside an expression: every one must be valid SPDX as well.
    bom = json.loads((out / "bom.cdx.json").read_text(encoding="utf-8"))
    for component in bom["components"]:
        named = component.get("licenses", []) + component.get("evidence", {}).get("licenses", [])
        for license in named:
            assert normalise_spdx(license["expression"]), component["name"]
    run_export(db, RITA, "report", out / "review.xlsx")
    book = load_workbook(out / "review.xlsx", read_only=True)
    assert book.sheetnames == ["files", "decisions", "open questions", "todo items", "licenses"]
    assert sum(1 for _ in book["files"].iter_rows()) == len(files) + 1
    book.close()


@pytest.mark.parametrize("source", SOURCES)
def test_every_export_of_every_scan_validates(
    sqlite_db: Database, tmp_path: Path, source: str
) -> None:
    scan_id = _load(sqlite_db, source, tmp_path)
    _check_exports(sqlite_db, scan_id, tmp_path / "undecided")
    assert _decide_some(sqlite_db, scan_id) >= 3
    _check_exports(sqlite_db, scan_id, tmp_path / "decided")


def test_a_scan_of_a_tree_with_an_empty_file_has_empty_checksums(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """The engine gives empty files no SHA-1, as ScanCode does; the export fills the constants."""
    scan_id = _load(sqlite_db, "scanned", tmp_path)
    with sqlite_db.session() as session:
        sha1 = session.scalar(
            select(ScannedFile.sha1).where(
                ScannedFile.scan_id == scan_id, ScannedFile.path.endswith("py.typed")
            )
        )
    assert sha1 is None  # else this test no longer tests what it says
    run_export(sqlite_db, RITA, "spdx", tmp_path / "bom.spdx.json")
    (typed,) = [
        f for f in parsed_spdx(tmp_path / "bom.spdx.json").files if f.name.endswith("py.typed")
    ]
    assert {c.algorithm.name: c.value for c in typed.checksums}["SHA1"] == EMPTY_SHA1
