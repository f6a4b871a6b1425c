"""Shared set-up for the decision and audit tests: a real zlib scan, and a rescan of it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.models import AuditEvent, ReviewItem
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES

ZLIB = SCANCODE_FIXTURES / "zlib-v32rc3.json"
RITA = Actor("rita", "reviewer")
BOB = Actor("bob", "reviewer")


def import_zlib(db: Database, path: Path = ZLIB, project: str = "zlib") -> int:
    return import_scan_file(db, path, project=project, actor=RITA).scan_id


def item(db: Database, scan_id: int, path: str) -> ReviewItem:
    with db.session() as session:
        found = session.scalar(
            select(ReviewItem).where(ReviewItem.scan_id == scan_id, ReviewItem.path == path)
        )
        assert found is not None, path
        session.expunge(found)
        return found


def events(db: Database, action: str | None = None) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def event_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def payload(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.payload)


def rescan(tmp_path: Path, *, changed_findings: str, changed_content: str) -> Path:
    """The zlib scan again: one file with other findings, one with other content (sha256)."""
    doc = json.loads(ZLIB.read_text())
    doc = copy.deepcopy(doc)
    for entry in doc["files"]:
        if entry["path"] == changed_findings:
            entry["detected_license_expression"] = "zlib AND mit"
            entry["detected_license_expression_spdx"] = "Zlib AND MIT"
            detection = entry["license_detections"][0]
            match = copy.deepcopy(detection["matches"][0])
            match.update(
                license_expression="mit",
                rule_identifier="mit_14.RULE",
                start_line=40,
                end_line=41,
            )
            detection["matches"].append(match)
        if entry["path"] == changed_content:
            entry["sha256"] = "f" * 64
    out = tmp_path / "zlib-rescan.json"
    out.write_text(json.dumps(doc))
    return out


def decide_many(
    url: str, actor_name: str, item_ids: list[int], count: int, start_at: float
) -> tuple[int, int]:
    """Run in a separate process: ``count`` decisions round-robin over ``item_ids``.

    Each decision reads the item's version and decides on it, as a reviewer would; a conflict
    (the other process got there first) is re-read and decided again, so none is lost.
    Returns (decisions recorded, conflicts met).
    """
    import time

    from ospo_tui.db import Database
    from ospo_tui.services.review.decisions import DecisionConflict, decide

    db = Database(url)
    actor = Actor(actor_name, "reviewer")
    expressions = ("Zlib", "MIT", "NOASSERTION", "Zlib AND MIT")
    while time.time() < start_at:
        time.sleep(0.005)
    recorded = conflicts = 0
    for number in range(count):
        item_id = item_ids[number % len(item_ids)]
        while True:
            with db.session() as session:
                version = session.scalar(select(ReviewItem.version).where(ReviewItem.id == item_id))
            try:
                decide(db, actor, item_id, version, expressions[number % 4], "identified")
            except DecisionConflict:
                conflicts += 1
                continue
            recorded += 1
            break
    db.dispose()
    return recorded, conflicts
