"""A chain cut at its end or rewritten whole (hashes recomputed) verifies on its own; a checkpoint,
signed or not, and every export made earlier still catch it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.services.trail.chain import (
    EVENT_BODY_COLUMNS,
    GENESIS_HASH,
    canonical_json,
    chain_hash,
    event_body,
)
from tests.conftest import TEST_ADMIN
from tests.decision_helpers import events
from tests.team_support import acting_as
from tests.test_audit_replay import FAQ, record_history, without_triggers

EXPORTS = ("bom.spdx.json", "bom.spdx", "bom.cdx.json", "NOTICE.txt", "notice.html", "r.xlsx")
KINDS = {".json": "spdx", ".spdx": "spdx", ".txt": "attribution", ".html": "attribution"}


def _kind(name: str) -> str:
    if name.endswith(".cdx.json"):
        return "cyclonedx"
    return "report" if name.endswith(".xlsx") else KINDS[Path(name).suffix]


def cli(db_url: str, *args: str) -> int:
    return main([*acting_as(db_url, TEST_ADMIN.name), *args])


def export_everything(db_url: str, where: Path) -> list[Path]:
    paths = []
    for name in EXPORTS:
        assert cli(db_url, "export", _kind(name), "-o", str(where / name)) == 0
        paths.append(where / name)
    assert cli(db_url, "export", "decision-log", "-o", str(where / "log.json")) == 0
    return [*paths, where / "log.json"]


def rewrite_history(conn: Connection, seq: int, expression: str | None) -> None:
    """What a database owner can do: change a decision's event and rows alike, then recompute
    every hash from the first event, so the chain and the tables agree again. With no
    ``expression`` the event loses its new values instead."""
    for table in ("audit_events", "decisions"):
        without_triggers(conn, table)
    rows = conn.execute(text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()
    prev = GENESIS_HASH
    for row in rows:
        payload = row["payload"]
        if row["seq"] == seq:
            edited = json.loads(payload)
            if expression is None:
                del edited["new"]
            else:
                edited["new"]["concluded_expression"] = expression
            payload = canonical_json(edited)
            decision = edited["decision_id"]
        body = event_body(**{**{k: row[k] for k in EVENT_BODY_COLUMNS}, "payload": payload})
        digest = chain_hash(prev, body)
        conn.execute(
            text("UPDATE audit_events SET payload = :p, prev_hash = :ph, hash = :h WHERE seq = :s"),
            {"p": payload, "ph": prev, "h": digest, "s": row["seq"]},
        )
        prev = digest
    conn.execute(
        text("UPDATE decisions SET concluded_expression = :e WHERE id = :d"),
        {"e": expression, "d": decision},
    )
    conn.execute(
        text("UPDATE review_items SET concluded_expression = :e WHERE current_decision_id = :d"),
        {"e": expression, "d": decision},
    )


def _fails(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert cli(db_url, "audit", "verify", *args) == 1
    return capsys.readouterr().err


def test_a_rewritten_chain_is_caught_by_a_checkpoint_and_by_every_earlier_export(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(db)
    checkpoint = tmp_path / "head.json"
    assert cli(db_url, "audit", "checkpoint", "-o", str(checkpoint)) == 0
    exports = export_everything(db_url, tmp_path)
    for path in exports:
        assert cli(db_url, "audit", "verify", "--export", str(path)) == 0, path
    decision = events(db, "decision.record")[0]
    with db.engine.begin() as conn:
        rewrite_history(conn, decision.seq, "GPL-3.0-only")
    capsys.readouterr()
    # The chain and the tables agree again: on its own, verify cannot tell.
    assert cli(db_url, "audit", "verify") == 0
    head = json.loads(checkpoint.read_text())
    err = _fails(db_url, capsys, "--checkpoint", str(checkpoint))
    assert f"audit chain broken at event {head['seq']}: event {head['seq']} is " in err
    assert "the chain was rewritten" in err
    for path in exports[:-1]:
        err = _fails(db_url, capsys, "--export", str(path))
        assert "the chain was rewritten" in err, path
    err = _fails(db_url, capsys, "--export", str(exports[-1]))
    assert "of the log is not the database's event" in err


def test_a_rehashed_event_replay_cannot_read_is_one_line_not_a_traceback(
    sqlite_db: Database, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(sqlite_db)
    decision = events(sqlite_db, "decision.record")[0]
    with sqlite_db.engine.begin() as conn:
        rewrite_history(conn, decision.seq, None)
    err = _fails(sqlite_url, capsys)
    assert err.strip() == (
        "ospo-tui: the audit trail cannot be replayed: "
        f"event {decision.seq} (decision.record) does not hold what its action records"
    )


def test_events_cut_from_the_end_are_caught_by_a_checkpoint_and_an_export(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export events change no table: cut them and the chain verifies, but not against heads
    recorded after them."""
    record_history(db)
    spdx = tmp_path / "bom.spdx.json"
    assert cli(db_url, "export", "spdx", "-o", str(spdx)) == 0
    checkpoint = tmp_path / "head.json"
    assert cli(db_url, "audit", "checkpoint", "-o", str(checkpoint)) == 0
    last = events(db)[-1]
    assert last.action == "export.spdx"
    with db.engine.begin() as conn:
        without_triggers(conn, "audit_events")
        conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last.seq})
    capsys.readouterr()
    assert cli(db_url, "audit", "verify") == 0
    err = _fails(db_url, capsys, "--checkpoint", str(checkpoint))
    assert f"the chain ends at event {last.seq - 1}, before the recorded head" in err
    assert "events were cut from the end" in err
    err = _fails(db_url, capsys, "--export", str(spdx))
    assert "no export event of the chain recorded this file's SHA-256" in err


def test_an_export_edited_after_it_was_made_is_not_the_one_recorded(
    sqlite_db: Database, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(sqlite_db)
    notice = tmp_path / "NOTICE.txt"
    assert cli(sqlite_url, "export", "attribution", "-o", str(notice)) == 0
    notice.write_text(notice.read_text().replace("Zlib", "MIT"))
    err = _fails(sqlite_url, capsys, "--export", str(notice))
    assert "no export event of the chain recorded this file's SHA-256" in err
    notice.write_text("no head here\n")
    capsys.readouterr()
    assert cli(sqlite_url, "audit", "verify", "--export", str(notice)) == 2
    assert "names no audit chain head" in capsys.readouterr().err


def _key_pair(where: Path, name: str) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private = where / f"{name}.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public = where / f"{name}.pub"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def test_a_signed_checkpoint_refuses_forgery(
    sqlite_db: Database, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(sqlite_db)
    private, public = _key_pair(tmp_path, "auditor")
    _, other_public = _key_pair(tmp_path, "other")
    signed = tmp_path / "head.json"
    assert cli(sqlite_url, "audit", "checkpoint", "-o", str(signed), "--sign", str(private)) == 0
    verify = ("--checkpoint", str(signed), "--public-key", str(public))
    assert cli(sqlite_url, "audit", "verify", *verify) == 0
    document = json.loads(signed.read_text())
    assert document["signature"]["algorithm"] == "ed25519"

    # Moved back to an earlier head (as one would after cutting the chain): the signature breaks.
    first = events(sqlite_db)[0]
    forged = {**document, "seq": first.seq, "hash": first.hash, "events": first.seq}
    signed.write_text(json.dumps(forged))
    assert "the checkpoint's signature is bad" in _fails(sqlite_url, capsys, *verify)

    signed.write_text(json.dumps(document))
    other = ("--checkpoint", str(signed), "--public-key", str(other_public))
    assert "signed with another key" in _fails(sqlite_url, capsys, *other)

    signed.write_text(json.dumps({k: v for k, v in document.items() if k != "signature"}))
    assert "the checkpoint is not signed" in _fails(sqlite_url, capsys, *verify)


def test_a_signing_key_others_can_read_is_refused(
    sqlite_db: Database, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(sqlite_db)
    private, _ = _key_pair(tmp_path, "loose")
    private.chmod(0o644)
    target = tmp_path / "head.json"
    assert cli(sqlite_url, "audit", "checkpoint", "-o", str(target), "--sign", str(private)) == 2
    assert "readable by you alone (chmod 600)" in capsys.readouterr().err
    assert not target.exists()


def test_a_checkpoint_of_a_trail_that_does_not_verify_is_refused(
    sqlite_db: Database, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_history(sqlite_db)
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE review_items SET concluded_expression = 'MIT' WHERE path = '{FAQ}'")
        )
    target = tmp_path / "head.json"
    capsys.readouterr()
    assert cli(sqlite_url, "audit", "checkpoint", "-o", str(target)) == 1
    assert "the tables differ from the audit trail" in capsys.readouterr().err
    assert not target.exists()
