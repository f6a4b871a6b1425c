"""The replay covers packages too: what the SBOMs' components and the notice say per package.

A raw change to a package's concluded license, its declared license, its files or its
dependencies changes what SPDX and CycloneDX say; each is named by ``audit verify``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.models import ScanPackage
from ospo_tui.services.access.members import add_member
from ospo_tui.services.review.package_decisions import decide_package
from tests.conftest import SCANCODE_FIXTURES, TEST_ADMIN
from tests.decision_helpers import RITA, import_zlib
from tests.team_support import acting_as
from tests.test_audit_replay import problem_after


def _decided_zlib(db: Database) -> tuple[int, int]:
    """zlib imported with its two packages; the first decided as Zlib. (decided, undecided)"""
    add_member(db, TEST_ADMIN, TEST_ADMIN.name, "admin")
    scan_id = import_zlib(db)
    with db.session() as session:
        ids = session.scalars(
            select(ScanPackage.id).where(ScanPackage.scan_id == scan_id).order_by(ScanPackage.id)
        ).all()
    assert len(ids) == 2  # else this test no longer tests what it says
    decide_package(db, RITA, ids[0], None, "Zlib", "identified")
    return ids[0], ids[1]


ATTACKS = {
    "concluded license, no trigger needed": (
        "UPDATE packages SET concluded_expression = 'GPL-3.0-only' WHERE id = {decided}",
        "packages row {decided} ",
        "concluded_expression is 'GPL-3.0-only' but the audit trail says 'Zlib'",
    ),
    "an undecided package marked decided": (
        "UPDATE packages SET state = 'decided' WHERE id = {undecided}",
        "packages row {undecided} ",
        "state is 'decided' but no event changed it",
    ),
    "declared license": (
        "UPDATE packages SET declared_license_expression_spdx = 'MIT' WHERE id = {undecided}",
        "scans row ",
        "its packages rows no longer match the digest",
    ),
    "a file taken out of a package": (
        "DELETE FROM package_files WHERE package_id = {undecided}",
        "scans row ",
        "its package_files rows no longer match the digest",
    ),
    "a manifest's license": (
        "UPDATE package_data SET declared_license_expression_spdx = 'MIT'",
        "scans row ",
        "its package_data rows no longer match the digest",
    ),
    "package decision row, trigger dropped": (
        "!package_decisions; UPDATE package_decisions SET concluded_expression = 'MIT'",
        "package_decisions row ",
        "concluded_expression is 'MIT' but the audit trail says 'Zlib'",
    ),
}


def test_a_dependency_changed_is_named(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_member(db, TEST_ADMIN, TEST_ADMIN.name, "admin")
    import_zlib(db, SCANCODE_FIXTURES / "asgiref-3.3.0_toolkit_scan.json", project="asgiref")
    line = problem_after(
        db, db_url, "UPDATE dependencies SET is_optional = NOT is_optional", capsys
    )
    assert "its dependencies rows no longer match the digest" in line


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_verify_names_the_package_row_that_differs(
    db: Database, db_url: str, attack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    decided, undecided = _decided_zlib(db)
    assert main([*acting_as(db_url, TEST_ADMIN.name), "audit", "verify"]) == 0
    statements, row, said = ATTACKS[attack]
    names = {"decided": decided, "undecided": undecided}
    line = problem_after(db, db_url, statements.format(**names), capsys)
    assert line.startswith("ospo-tui: the tables differ from the audit trail: ")
    assert row.format(**names) in line and said in line, line
