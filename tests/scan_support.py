"""Helpers shared by the scan engine tests: read a scan back per file, in comparable form."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ospo_tui.db import Database, open_database
from ospo_tui.models import (
    CopyrightStatement,
    LicenseDetection,
    LicenseMatch,
    ScannedFile,
    ScanResultCache,
)

FILE_FIELDS = (
    "sha1",
    "md5",
    "sha256",
    "size",
    "mime_type",
    "file_type",
    "programming_language",
    "is_binary",
    "is_text",
    "is_source",
    "is_script",
    "detected_license_expression",
    "detected_license_expression_spdx",
    "percentage_of_license_text",
)
MATCH_FIELDS = (
    "license_expression",
    "license_expression_spdx",
    "from_file",
    "start_line",
    "end_line",
    "matcher",
    "score",
    "matched_length",
    "match_coverage",
    "rule_relevance",
    "rule_identifier",
    "rule_url",
    "matched_text",
)


def findings_by_path(db: Database, scan_id: int) -> dict[str, dict[str, Any]]:
    """Everything a reviewer reads about each file of a scan, keyed by path."""
    result: dict[str, dict[str, Any]] = {}
    with db.session() as session:
        files = session.scalars(
            select(ScannedFile).where(ScannedFile.scan_id == scan_id, ScannedFile.type == "file")
        ).all()
        for file in files:
            detections = session.scalars(
                select(LicenseDetection)
                .where(LicenseDetection.file_id == file.id)
                .order_by(LicenseDetection.is_clue, LicenseDetection.position)
            ).all()
            rendered = []
            for detection in detections:
                matches = session.scalars(
                    select(LicenseMatch)
                    .where(LicenseMatch.detection_id == detection.id)
                    .order_by(LicenseMatch.position)
                ).all()
                rendered.append(
                    {
                        "identifier": detection.identifier,
                        "license_expression": detection.license_expression,
                        "license_expression_spdx": detection.license_expression_spdx,
                        "is_clue": detection.is_clue,
                        "matches": [{f: getattr(m, f) for f in MATCH_FIELDS} for m in matches],
                    }
                )
            copyrights = session.execute(
                select(
                    CopyrightStatement.kind,
                    CopyrightStatement.value,
                    CopyrightStatement.start_line,
                    CopyrightStatement.end_line,
                )
                .where(CopyrightStatement.file_id == file.id)
                .order_by(CopyrightStatement.id)
            ).all()
            result[file.path] = {
                **{f: getattr(file, f) for f in FILE_FIELDS},
                "detections": rendered,
                "copyrights": [tuple(row) for row in copyrights],
                "scan_errors": file.scan_errors_json,
            }
    return result


def cached_results(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(ScanResultCache)) or 0
    except OperationalError:  # the scan process is still creating the schema
        return 0
    finally:
        db.dispose()


def scan_killed_after(tree: Path, db_path: Path, results: int, *options: str) -> None:
    """Run ``ospo-tui scan`` and SIGKILL it (its whole session) once ``results`` are cached."""
    command = [sys.executable, "-m", "ospo_tui", "--db", str(db_path), "scan", str(tree)]
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "OSPO_TUI_USER": "tester"},
        start_new_session=True,  # so that what it started can be cleaned up after the kill
    )
    try:
        deadline = time.monotonic() + 180
        while cached_results(db_path) < results:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the scan stored no results in three minutes"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)  # the scan alone, as a crash would
        process.wait(30)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
