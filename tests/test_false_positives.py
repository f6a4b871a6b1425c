"""A copyright detection marked as not one leaves the attribution notice, SPDX copyrightText and
CycloneDX evidence; restoring it brings it back. Both are audited; only reviewers and admins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import InputError, NotFoundError, PermissionDenied
from ospo_tui.services.access.members import add_member
from ospo_tui.services.export.run import run_export
from ospo_tui.services.review.catalog import scan_files
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.false_positives import mark_false_positive, restore_copyright
from ospo_tui.services.review.inspector import load_file_review
from ospo_tui.services.trail.chain import Actor
from tests.conftest import admin_reading
from tests.decision_helpers import events
from tests.tui_support import REVIEWER, import_sample

RITA = Actor("rita", "reviewer")
SIX = "six/six.py"
NAME = "Benjamin Peterson"


@pytest.fixture
def sample(sqlite_db: Database) -> tuple[Database, list[int]]:
    """The sample with six.py decided MIT; the ids of its copyright and holder detections."""
    import_sample(sqlite_db)
    for actor in (RITA, Actor("ed", "engineer"), Actor("alice", "auditor")):
        add_member(sqlite_db, REVIEWER, actor.name, actor.role)
    with admin_reading(sqlite_db) as snapshot:
        item = scan_files(snapshot, [SIX]).review_item_ids[0]
        review = load_file_review(snapshot, item, read_source=False)
    decide(sqlite_db, RITA, item, None, "MIT", "identified")
    ids = [c.id for c in review.copyrights if c.kind in ("copyright", "holder")]
    assert len(ids) == 2
    return sqlite_db, ids


def _exports(db: Database, tmp_path: Path) -> tuple[str, str, str]:
    """(attribution holders of six.py, its SPDX copyrightText, its CycloneDX copyrights)."""
    run_export(db, RITA, "attribution", tmp_path / "notice.txt", project="sample")
    run_export(db, RITA, "spdx", tmp_path / "doc.spdx.json", project="sample")
    run_export(db, RITA, "cyclonedx", tmp_path / "bom.json", project="sample")
    notice = (tmp_path / "notice.txt").read_text(encoding="utf-8")
    section = notice.split("License: MIT\n", 1)[1].split("License text", 1)[0]
    assert SIX in section
    document = parse_file(str(tmp_path / "doc.spdx.json"))
    assert validate_full_spdx_document(document) == []
    six = next(f for f in document.files if f.name.endswith(SIX))
    bom = json.loads((tmp_path / "bom.json").read_text(encoding="utf-8"))
    component = next(c for c in bom["components"] if c["name"] == SIX)
    evidence = json.dumps(component.get("evidence", {}).get("copyright", []))
    return section, str(six.copyright_text), evidence


def test_a_false_positive_leaves_the_exports_and_comes_back_on_restore(
    sample: tuple[Database, list[int]], tmp_path: Path
) -> None:
    db, ids = sample
    assert all(NAME in part for part in _exports(db, tmp_path))
    for copyright_id in ids:
        mark_false_positive(db, RITA, copyright_id)
    holders, spdx_text, evidence = _exports(db, tmp_path)
    assert NAME not in holders
    assert spdx_text == "NOASSERTION"
    assert NAME not in evidence
    with admin_reading(db) as snapshot:
        item = scan_files(snapshot, [SIX]).review_item_ids[0]
        shown = load_file_review(snapshot, item, read_source=False).copyrights
    assert [c.false_positive for c in shown if c.id in ids] == [True, True]

    restore_copyright(db, RITA, ids[0])
    holders, spdx_text, evidence = _exports(db, tmp_path)
    assert spdx_text == "Copyright (c) 2010-2024 Benjamin Peterson"
    assert NAME in holders and NAME in evidence
    actions = [e.action for e in events(db) if e.action.startswith("copyright.")]
    assert actions == ["copyright.false_positive"] * 2 + ["copyright.restore"]


def test_refusals_and_bad_ids(sample: tuple[Database, list[int]]) -> None:
    db, ids = sample
    for actor in (Actor("ed", "engineer"), Actor("alice", "auditor")):
        with pytest.raises(PermissionDenied, match="may not mark copyright detection"):
            mark_false_positive(db, actor, ids[0])
    with pytest.raises(NotFoundError):
        mark_false_positive(db, RITA, 999_999)
    with pytest.raises(InputError, match="not marked"):
        restore_copyright(db, RITA, ids[0])
    mark_false_positive(db, RITA, ids[0])
    with pytest.raises(InputError, match="already marked"):
        mark_false_positive(db, RITA, ids[0])


def test_cli_lists_marks_and_restores(
    sample: tuple[Database, list[int]], sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = sample
    base = ["--db", sqlite_url, "--user", "rita", "copyright"]
    capsys.readouterr()
    assert main([*base, "false-positive", str(ids[1])]) == 0
    assert main([*base, "list", SIX]) == 0
    out = capsys.readouterr().out
    assert f"holder {ids[1]} of six/six.py is a false positive: {NAME}" in out
    assert f"{ids[1]}\tholder\t1-1\tyes\t{NAME}" in out
    assert main(["--db", sqlite_url, "--user", "alice", "copyright", "restore", str(ids[1])]) == 3
    assert main([*base, "restore", str(ids[1])]) == 0
    assert f"counts again: {NAME}" in capsys.readouterr().out
