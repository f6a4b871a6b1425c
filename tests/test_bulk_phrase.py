"""Bulk by phrase (FOSSology's MonkBulk): every file whose matched text holds a phrase, decided
with the bulk machinery (preview, per-file events tagged with the bulk id, undo)."""

from __future__ import annotations

import pytest

from ospo_tui.cli import main
from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, preview_bulk, undo_bulk
from tests.conftest import admin_reading
from tests.decision_helpers import RITA, events, payload
from tests.tui_support import import_sample

MIT_GRANT = "PERMISSION is hereby granted, free of charge"


def test_phrase_selects_matched_text_and_undo_restores(db: Database) -> None:
    scan = import_sample(db)
    selection = BulkSelection(scan, matched_phrase=MIT_GRANT)
    with admin_reading(db) as snapshot:
        preview = preview_bulk(snapshot, selection)
        assert (
            preview_bulk(snapshot, BulkSelection(scan, matched_phrase="no such words")).files == 0
        )
    assert (preview.files, preview.sample_paths) == (2, ("attrs/LICENSE", "six/six.py"))
    result = apply_bulk(db, RITA, selection, "MIT", "identified", expected_count=2)
    bulk_events = events(db, "decision.bulk")
    assert len(bulk_events) == 2
    assert {payload(e)["bulk_id"] for e in bulk_events} == {result.bulk_id}
    assert {payload(e)["selection"]["matched_phrase"] for e in bulk_events} == {MIT_GRANT}
    undone = undo_bulk(db, RITA, result.bulk_id)
    assert undone.files == 2
    with pytest.raises(InputError):
        BulkSelection(scan, matched_phrase="  ").condition()


def test_cli_previews_then_applies(
    sqlite_db: Database, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import_sample(sqlite_db)
    argv = ["--db", sqlite_url, "bulk", "--phrase", MIT_GRANT, "--license", "MIT"]
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 files selected in scan 1" in out and "preview only" in out
    assert events(sqlite_db, "decision.bulk") == []
    assert main([*argv, "--yes"]) == 0
    assert "decided 2 files" in capsys.readouterr().out
    assert len(events(sqlite_db, "decision.bulk")) == 2
