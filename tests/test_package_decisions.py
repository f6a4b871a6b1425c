"""Package decisions: validated, version-checked, audited, reused by purl and marked stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.models import PackageDecision, ScanPackage
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.package_decisions import (
    PackageDecisionConflict,
    decide_package,
)
from ospo_tui.services.review.packages import package_detail, scan_packages
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.decision_helpers import RITA, ZLIB, events, import_zlib, payload

ZLIB_PURL = "pkg:autotools/zlib-1.2.11"


def zlib_package(db: Database, scan_id: int) -> ScanPackage:
    with db.session() as session:
        found = session.scalars(
            select(ScanPackage).where(ScanPackage.scan_id == scan_id, ScanPackage.purl == ZLIB_PURL)
        ).one()
        session.expunge(found)
        return found


def test_decide_package_is_audited_and_version_checked(db: Database) -> None:
    scan_id = import_zlib(db)
    package = zlib_package(db, scan_id)
    result = decide_package(db, RITA, package.id, 1, "zlib", "identified", "reference")
    assert (result.fields.concluded_expression, result.state, result.version) == (
        "Zlib",
        "decided",
        2,
    )
    (event,) = events(db, "package_decision.record")
    body = payload(event)
    assert body["old"]["version"] == 1 and body["new"]["concluded_expression"] == "Zlib"
    assert body["purl"] == ZLIB_PURL
    with pytest.raises(PackageDecisionConflict, match="version 1, now 2"):
        decide_package(db, Actor("bob", "reviewer"), package.id, 1, "MIT", "identified")
    assert zlib_package(db, scan_id).concluded_expression == "Zlib"
    with db.reader() as session:
        assert verify_chain(session).ok


def test_bad_input_and_wrong_role_write_nothing(sqlite_db: Database) -> None:
    scan_id = import_zlib(sqlite_db)
    package = zlib_package(sqlite_db, scan_id)
    with pytest.raises(InputError):
        decide_package(sqlite_db, RITA, package.id, None, "MIT AND (", "identified")
    with pytest.raises(InputError, match="decision type"):
        decide_package(sqlite_db, RITA, package.id, None, "MIT", "maybe")
    with pytest.raises(PermissionDenied):
        decide_package(sqlite_db, Actor("eve", "engineer"), package.id, None, "MIT", "identified")
    with sqlite_db.session() as session:
        assert session.scalars(select(PackageDecision)).all() == []


def _with_declared(tmp_path: Path, declared: str) -> Path:
    doc = json.loads(ZLIB.read_text())
    for package in doc["packages"]:
        if package["purl"] == ZLIB_PURL:
            package["declared_license_expression"] = declared
            package["declared_license_expression_spdx"] = None
    path = tmp_path / "zlib-changed.json"
    path.write_text(json.dumps(doc))
    return path


def test_reused_by_purl_and_stale_when_declared_changes(
    sqlite_db: Database, tmp_path: Path
) -> None:
    first = import_zlib(sqlite_db)
    decide_package(sqlite_db, RITA, zlib_package(sqlite_db, first).id, None, "Zlib", "identified")
    same = import_scan_file_again(sqlite_db)
    reused = zlib_package(sqlite_db, same)
    assert (reused.state, reused.concluded_expression) == ("decided", "Zlib")
    changed = import_zlib(sqlite_db, _with_declared(tmp_path, "mit"))
    stale = zlib_package(sqlite_db, changed)
    assert (stale.state, stale.concluded_expression) == ("stale", "Zlib")
    assert len(events(sqlite_db, "package_decision.reuse")) == 2


def import_scan_file_again(db: Database) -> int:
    from ospo_tui.services.ingest.importer import import_scan_file

    return import_scan_file(db, ZLIB, project="zlib", actor=RITA, force=True).scan_id


def test_listing_ranks_mismatches_first_and_applies_policy(sqlite_db: Database) -> None:
    scan_id = import_zlib(sqlite_db)
    with reading(sqlite_db, RITA, "packages") as snapshot:
        rows = scan_packages(snapshot, "zlib")
        detail = package_detail(snapshot, rows[0].id)
    assert [r.mismatch for r in rows] == sorted((r.mismatch for r in rows), reverse=True)
    zlib = next(r for r in rows if r.purl == ZLIB_PURL)
    assert zlib.declared == "Zlib" and zlib.mismatch  # its files hold GPL, BSL, ...
    assert zlib.policy_alert == "error"  # the worst of declared, detected and concluded
    assert zlib.files == 253 and 0 < zlib.open_files <= zlib.files
    assert detail.package.id == rows[0].id and detail.files
    assert all(r.scan_id == scan_id for r in rows)


def test_cli_packages_and_decide_package(
    sqlite_db: Database, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sqlite_url, "--user", "rita", "import", str(ZLIB), "--project", "z"]) == 0
    assert "2 packages, 0 dependencies" in capsys.readouterr().out
    argv = ["--db", sqlite_url, "--user", "rita"]
    assert main([*argv, "decide", "--package", ZLIB_PURL, "--license", "zlib"]) == 0
    assert f"decided {ZLIB_PURL}: Zlib (identified), state decided" in capsys.readouterr().out
    assert main([*argv, "packages", "--project", "z"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:4] == ["purl", "declared", "detected", "concluded"]
    row = next(line.split("\t") for line in lines if line.startswith(ZLIB_PURL))
    assert row[3] == "Zlib" and row[4] == "decided"
    stale = ["decide", "--package", ZLIB_PURL, "--license", "MIT", "--expect-version", "1"]
    assert main([*argv, *stale]) == 4  # a conflict, as for files
    assert "changed since you read it" in capsys.readouterr().err
    assert main([*argv, "decide", "--package", "pkg:none/x", "--license", "MIT"]) != 0
    assert "no package 'pkg:none/x'" in capsys.readouterr().err
    assert main([*argv, "decide", "a.c", "--package", ZLIB_PURL, "--license", "MIT"]) != 0
