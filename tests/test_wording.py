"""What people read: counts in the singular, refusals that name things, suggestions that fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.services.export.run import run_export
from ospo_tui.services.licenses.spdx_validation import closest_names, normalise_spdx
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.history import describe
from ospo_tui.services.review.review_scope import files_in_scope
from ospo_tui.services.trail.chain import Actor
from ospo_tui.wording import plural, share
from tests.team_support import AUDITOR, ENGINEER, REVIEWER, Team, make_team


def test_plural_and_share() -> None:
    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "directory", "directories") == "1 directory"
    assert plural(3, "directory", "directories") == "3 directories"
    assert files_in_scope(1, "findings") == "1 file with findings"
    assert files_in_scope(43, "all") == "43 files (all files)"
    # Never 100% while a file is open, never 0% once one is decided.
    assert (share(999, 1000), share(1000, 1000), share(0, 10), share(0, 0)) == (
        "99%",
        "100%",
        "0%",
        "100%",
    )


def test_scan_events_are_worded_for_people() -> None:
    line = describe("scan.import", {"counts": {"files": 1}})
    assert line == "imported a ScanCode scan (1 file)"
    assert "scan of scan" not in describe("scan.scan", {"counts": {"files": 30}})


def test_suggestions_rank_by_prefix_then_similarity() -> None:
    assert all(name.lower().startswith("apache-") for name in closest_names("apach"))
    assert closest_names("MTI")[0] == "MIT"
    with pytest.raises(InputError, match=r"did you mean 'Apache-"):
        normalise_spdx("apach")


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def test_refusals_name_the_question_file_and_project(
    db: Database, team: Team, tmp_path: Path
) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", "Shipped?")
    q.answer(db, ENGINEER, asked.id, "yes")
    with pytest.raises(PermissionDenied) as refused:
        q.resolve(db, ENGINEER, asked.id)
    assert f"may not resolve question {asked.id};" in str(refused.value)
    with pytest.raises(PermissionDenied) as refused:
        q.ask(db, ENGINEER, team.item_id, "ed", "Shipped?")
    assert "may not ask about file 'zlib-1.2.11/deflate.c'" in str(refused.value)
    with pytest.raises(PermissionDenied) as refused:
        run_export(db, Actor("ed", "engineer"), "decision-log", tmp_path / "log.json")
    assert "may not export decision-log of 'zlib'" in str(refused.value)
    assert AUDITOR.role == "auditor"


def test_policy_show_prints_the_rules(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policies.yml"
    policy.write_text(
        "license_policies:\n"
        "  - license_key: mit\n    label: Approved\n    compliance_alert: ''\n"
        "  - license_key: gpl-3.0\n    label: Copyleft\n    compliance_alert: error\n"
    )
    assert main(["--db", sqlite_url, "--user", "root", "policy", "load", str(policy)]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "--user", "root", "policy", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "2 rules" in lines[0]
    assert lines[-3:] == [
        "license_key\talert\tlabel",
        "gpl-3.0\terror\tCopyleft",
        "mit\tok\tApproved",
    ]
