"""Custom licenses: registered by reviewers and admins only, then accepted in decisions, shown in
the inspector and carried by SPDX (hasExtractedLicensingInfos) and CycloneDX (license text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.schema.schema import SchemaVersion1Dot6
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, PermissionDenied
from ospo_tui.services.access.members import add_member
from ospo_tui.services.export.cyclonedx import file_component
from ospo_tui.services.export.records import iter_files
from ospo_tui.services.export.run import run_export
from ospo_tui.services.licenses.custom import custom_licenses
from ospo_tui.services.review.custom_licenses import register_custom_license
from ospo_tui.services.review.decision_context import decision_context
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.inspector import load_file_review
from ospo_tui.services.trail.chain import Actor
from tests.conftest import admin_reading
from tests.tui_support import REVIEWER, import_sample

EULA = "ACME End User License Agreement\n\nYou may use this software only inside ACME.\n"
RITA = Actor("rita", "reviewer")
ED = Actor("ed", "engineer")
ALICE = Actor("alice", "auditor")
SIX = "six/six.py"


def _item_id(db: Database, path: str) -> int:
    from ospo_tui.services.review.catalog import scan_files

    with admin_reading(db) as snapshot:
        return scan_files(snapshot, [path]).review_item_ids[0]


@pytest.fixture
def team(sqlite_db: Database) -> Database:
    import_sample(sqlite_db)
    for actor in (RITA, ED, ALICE):
        add_member(sqlite_db, REVIEWER, actor.name, actor.role)
    return sqlite_db


def test_only_reviewers_and_admins_register(team: Database) -> None:
    for actor in (ED, ALICE):
        with pytest.raises(PermissionDenied, match="may not register license"):
            register_custom_license(team, actor, "LicenseRef-acme-eula", "ACME EULA", EULA)
    register_custom_license(team, RITA, "LicenseRef-acme-eula", "ACME EULA", EULA)
    with pytest.raises(ConflictError, match="already registered"):
        register_custom_license(team, REVIEWER, "LicenseRef-ACME-eula", "again", EULA)
    for bad in ("acme-eula", "LicenseRef-eula", "LicenseRef-scancode-acme-x", "LicenseRef-a-b c"):
        with pytest.raises(InputError):
            register_custom_license(team, RITA, bad, "x", EULA)
    with pytest.raises(InputError, match="empty"):
        register_custom_license(team, RITA, "LicenseRef-acme-other", "x", "  \n")
    with team.reader() as session:
        assert list(custom_licenses(session)) == ["licenseref-acme-eula"]


def test_a_registered_id_is_accepted_in_decisions_and_the_inspector(team: Database) -> None:
    item = _item_id(team, SIX)
    with pytest.raises(InputError, match="unknown license key 'LicenseRef-acme-eula'"):
        decide(team, RITA, item, None, "LicenseRef-acme-eula", "identified")
    register_custom_license(team, RITA, "LicenseRef-acme-eula", "ACME EULA", EULA)
    result = decide(team, RITA, item, None, "licenseref-acme-eula OR mit", "identified")
    assert result.decision.fields.concluded_expression == "LicenseRef-acme-eula OR MIT"
    with admin_reading(team) as snapshot:
        review = load_file_review(snapshot, item, read_source=False)
        # The decision form checks what is typed against the same registered ids.
        assert decision_context(snapshot, item).custom_licenses == ("LicenseRef-acme-eula",)
    (own,) = [lic for lic in review.licenses if lic.origin == "custom"]
    assert (own.key, own.name, own.text) == ("LicenseRef-acme-eula", "ACME EULA", EULA)


def test_cli_registers_and_decides(
    team: Database, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "eula.txt"
    text.write_text(EULA, encoding="utf-8")
    argv = ["--db", sqlite_url, "license", "add", "LicenseRef-acme-eula", "--name", "ACME EULA"]
    assert main(["--user", "ed", *argv, "--text", str(text)]) == 3
    assert main(["--user", "rita", *argv, "--text", str(tmp_path / "missing.txt")]) == 2
    assert main(["--user", "rita", *argv, "--text", str(text)]) == 0
    decided = [
        "--user",
        "rita",
        "--db",
        sqlite_url,
        "decide",
        SIX,
        "--license",
        "LicenseRef-acme-eula",
    ]
    assert main(decided) == 0
    out = capsys.readouterr().out
    assert "registered LicenseRef-acme-eula (ACME EULA)" in out
    assert "decided six/six.py: LicenseRef-acme-eula (identified)" in out
    assert main(["--user", "rita", "--db", sqlite_url, "audit", "verify"]) == 0


def test_exports_carry_the_custom_license(team: Database, tmp_path: Path) -> None:
    register_custom_license(team, RITA, "LicenseRef-acme-eula", "ACME EULA", EULA)
    decide(team, RITA, _item_id(team, SIX), None, "LicenseRef-acme-eula", "identified")
    decide(
        team,
        RITA,
        _item_id(team, "attrs/LICENSE"),
        None,
        "MIT AND LicenseRef-acme-eula",
        "identified",
    )
    for fmt, name in (("json", "doc.spdx.json"), ("tag-value", "doc.spdx")):
        run_export(team, RITA, "spdx", tmp_path / name, project="sample", fmt=fmt)
        document = parse_file(str(tmp_path / name))
        assert validate_full_spdx_document(document) == []
        (info,) = [
            i
            for i in document.extracted_licensing_info
            if i.license_id.startswith("LicenseRef-acme")
        ]
        assert (info.license_id, info.license_name, info.extracted_text.strip()) == (
            "LicenseRef-acme-eula",
            "ACME EULA",
            EULA.strip(),
        )
        six = next(f for f in document.files if f.name.endswith(SIX))
        assert str(six.license_concluded) == "LicenseRef-acme-eula"

    target = tmp_path / "bom.cdx.json"
    run_export(team, RITA, "cyclonedx", target, project="sample")
    text = target.read_text(encoding="utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    files = {c["name"]: c for c in json.loads(text)["components"]}
    assert files[SIX]["licenses"] == [
        {
            "license": {
                "acknowledgement": "concluded",
                "name": "LicenseRef-acme-eula",
                "text": {"content": EULA, "contentType": "text/plain"},
            }
        }
    ]
    assert files["attrs/LICENSE"]["licenses"][0]["expression"] == "MIT AND LicenseRef-acme-eula"
    with team.reader() as session:
        custom = custom_licenses(session)
        for record in iter_files(session, 1):
            component = file_component(record, custom)
            theirs = json.loads(component.as_library().as_json(view_=SchemaVersion1Dot6))  # type: ignore[attr-defined]
            assert component.as_json() == theirs, record.path
