"""``ospo-tui export`` and ``ospo-tui audit verify --export`` as a user runs them."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database
from tests.export_helpers import ZLIB_H, reviewed_zlib


@pytest.fixture
def reviewed(sqlite_db: Database, sqlite_url: str) -> str:
    reviewed_zlib(sqlite_db)
    return sqlite_url


def test_export_then_verify_offline(
    reviewed: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "log.json"
    code = main(
        [
            "--db",
            reviewed,
            "--user",
            "rita",
            "export",
            "decision-log",
            "--project",
            "zlib",
            "-o",
            str(log),
            "--include-private",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "wrote decision-log (json)" in out and "sha256" in out

    # No database at all: the default one must not even be created.
    nowhere = tmp_path / "no-such-dir" / "db.sqlite"
    monkeypatch.setenv("OSPO_TUI_DB", str(nowhere))
    assert main(["audit", "verify", "--export", str(log)]) == 0
    assert "decision log ok" in capsys.readouterr().out
    assert not nowhere.parent.exists()

    doc = json.loads(log.read_text(encoding="utf-8"))
    row = [r for r in doc["decisions"] if r["path"] == ZLIB_H][-1]
    row["concluded_expression"] = "MIT"
    log.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["audit", "verify", "--export", str(log)]) == 1
    err = capsys.readouterr().err
    assert "concluded_expression differs" in err and ZLIB_H in err

    assert main(["audit", "verify", "--json", "--export", str(log)]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["problems"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "spdx", "--project", "nope", "-o", "{tmp}/x.json"], "no project named 'nope'"),
        (
            ["export", "spdx", "--project", "zlib", "--format", "csv", "-o", "{tmp}/x"],
            "spdx is written as json or tag-value, not 'csv'",
        ),
        (
            ["export", "attribution", "--project", "zlib", "-o", "{tmp}/none/x.txt"],
            "no such directory",
        ),
        (
            ["export", "cyclonedx", "--project", "zlib", "-o", "{tmp}/x" + "y" * 300],
            "cannot write: File name too long",
        ),
        (
            ["export", "spdx", "--project", "zlib", "--include-private", "-o", "{tmp}/x.json"],
            "--include-private applies to the decision log only",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    reviewed: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["--db", reviewed, "--user", "rita", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ospo-tui: error:") and message in err and "\n" not in err
    assert not list(tmp_path.glob("x*"))


def test_format_follows_the_file_name(reviewed: str, tmp_path: Path) -> None:
    for name, start in (
        ("bom.spdx", "## Document Information"),
        ("bom.spdx.json", "{"),
        ("log.json", "{"),
        ("log.csv", "event_seq,"),
        ("notice.html", "<!DOCTYPE html>"),
        ("NOTICE", "ATTRIBUTION NOTICE"),
    ):
        kind = {"bom": "spdx", "log": "decision-log"}.get(name.split(".")[0], "attribution")
        assert (
            main(
                [
                    "--db",
                    reviewed,
                    "--user",
                    "rita",
                    "export",
                    kind,
                    "--project",
                    "zlib",
                    "-o",
                    str(tmp_path / name),
                ]
            )
            == 0
        )
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start), name


def _rehashed(event: dict[str, Any]) -> str:
    """The hash of an edited event, computed again as a forger would: offline it links."""
    from ospo_tui.services.trail.chain import chain_hash, event_body

    fields = inspect.signature(event_body).parameters
    body = event_body(**{k: event[k] for k in fields})
    return chain_hash(event["prev_hash"], body)


def test_verify_against_the_database_catches_what_offline_cannot(
    reviewed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row left out, or rebuilt with a freshly computed hash, passes offline but not here."""
    log = tmp_path / "log.json"
    base = ["--db", reviewed, "--user", "rita"]
    assert (
        main(
            [
                *base,
                "export",
                "decision-log",
                "--project",
                "zlib",
                "-o",
                str(log),
                "--include-private",
            ]
        )
        == 0
    )
    assert main([*base, "audit", "verify", "--export", str(log)]) == 0
    assert "are the database's own" in capsys.readouterr().out
    doc = json.loads(log.read_text(encoding="utf-8"))

    # Leave out the last row: offline the rest still checks out.
    short = tmp_path / "short.json"
    short.write_text(
        json.dumps({**doc, "decisions": doc["decisions"][:-1], "count": doc["count"] - 1})
    )
    assert main(["audit", "verify", "--export", str(short)]) == 0
    capsys.readouterr()
    assert main([*base, "audit", "verify", "--export", str(short)]) == 1
    assert "the log holds" in capsys.readouterr().err

    # Rebuild a row and its event, re-hashed: consistent offline, foreign to the chain.
    row = doc["decisions"][-1]
    event = row["event"]
    event["payload"] = event["payload"].replace(
        '"decision_type":"non_functional"', '"decision_type":"identified"'
    )
    assert '"decision_type":"identified"' in event["payload"]
    event["hash"] = row["event_hash"] = _rehashed(event)
    row["decision_type"] = "identified"
    forged = tmp_path / "forged.json"
    forged.write_text(
        json.dumps({**doc, "chain_head": {"seq": event["seq"], "hash": event["hash"]}})
    )
    assert main(["audit", "verify", "--export", str(forged)]) == 0
    capsys.readouterr()
    assert main([*base, "audit", "verify", "--export", str(forged)]) == 1
    err = capsys.readouterr().err
    assert f"event {event['seq']} of the log is not the database's event" in err
