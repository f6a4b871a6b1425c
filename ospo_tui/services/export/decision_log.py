"""The decision log's format, and checking an exported JSON log, offline or against the chain.

Each JSON row carries its audit event whole (body, ``prev_hash``, ``hash``), and the document
carries the chain head at export time, so ``verify_exported_log`` can check a log offline: each
event's hash is recomputed from its content, consecutive events must link, and every decision
field of a row must equal what its hashed event recorded. Private comments are exported only on
request; events record them only as a SHA-256, so every event is exported whole and re-hashes
either way, and an exported private comment is checked against its event's digest.
``check_against_chain`` adds what only the database can tell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
from sqlalchemy import select

from ospo_tui.errors import InputError
from ospo_tui.models import AuditEvent, ScannedFile
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.review.decision_fields import private_comment_digest
from ospo_tui.services.trail.chain import (
    EVENT_BODY_COLUMNS,
    ORIGIN_FIELDS,
    chain_hash,
    event_body,
)

LOG_FORMAT = "ospo-tui-decision-log"
LOG_VERSION = 1
# The columns of one row, in CSV order; ``private_comment`` only with --include-private.
COLUMNS = (
    "event_seq",
    "decided_at",
    "actor",
    "role",
    "origin",
    "bulk_id",
    "decision_id",
    "supersedes_id",
    "reused_from_id",
    "path",
    "file_sha256",
    "detected_expression",
    "evidence",
    "concluded_expression",
    "decision_type",
    "reason",
    "public_note",
    "private_comment",
    "prev_hash",
    "event_hash",
)
# Row field -> where its hashed event holds the same value (payload key path).
_ROW_IN_PAYLOAD = {
    "path": ("path",),
    "file_sha256": ("sha256",),
    "decision_id": ("decision_id",),
    "origin": ("origin",),
    "bulk_id": ("bulk_id",),
    "supersedes_id": ("old", "decision_id"),
    "concluded_expression": ("new", "concluded_expression"),
    "decision_type": ("new", "decision_type"),
    "reason": ("new", "reason"),
    "public_note": ("new", "public_note"),
}
_ROW_IN_EVENT = {
    "event_seq": "seq",
    "decided_at": "occurred_at",
    "actor": "actor",
    "role": "role",
    "event_hash": "hash",
    "prev_hash": "prev_hash",
}


@dataclass(frozen=True)
class LogVerification:
    rows: int
    verified: int
    head_seq: int
    head_hash: str
    file_sha256: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _payload_value(payload: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = payload
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _check_row(number: int, row: dict[str, Any], head_seq: int) -> list[str]:
    """Problems with one row."""
    where = f"row {number} (event {row.get('event_seq')}, {row.get('path')!r})"
    event = row.get("event")
    if not isinstance(event, dict):
        return [f"{where}: carries no audit event"]
    problems: list[str] = []
    for field, key in _ROW_IN_EVENT.items():
        if row.get(field) != event.get(key):
            problems.append(f"{where}: {field} differs from its audit event")
    try:
        payload = json.loads(event["payload"])
        # Logs written before migration 0002 have no origin fields: absent is "not recorded".
        fields: dict[str, Any] = {
            k: event.get(k) if k in ORIGIN_FIELDS else event[k] for k in EVENT_BODY_COLUMNS
        }
        body = event_body(**fields)
    except (KeyError, TypeError, ValueError):
        return [*problems, f"{where}: the audit event is malformed"]
    if chain_hash(event["prev_hash"], body) != event["hash"]:
        problems.append(f"{where}: the audit event does not match its hash (edited)")
    if isinstance(event.get("seq"), int) and event["seq"] > head_seq:
        problems.append(f"{where}: event is after the exported chain head")
    for field, path in _ROW_IN_PAYLOAD.items():
        if field not in row:
            continue
        present, value = _payload_value(payload, path)
        if present and row[field] != value:
            problems.append(f"{where}: {field} differs from what its audit event recorded")
    if "private_comment" in row:
        comment = row["private_comment"]
        _, recorded = _payload_value(payload, ("new", "private_comment_sha256"))
        if not (comment is None or isinstance(comment, str)) or (
            private_comment_digest(comment) != recorded
        ):
            problems.append(f"{where}: private_comment differs from what its audit event recorded")
    return problems


def _header(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        fields: dict[str, Any] = {}
        for key, value in ijson.kvitems(handle, "", use_float=True):
            if key == "decisions":
                break
            fields[key] = value
        return fields


def is_decision_log(path: Path) -> bool:
    """Whether ``path`` is a JSON decision log (other exports state their head as a line)."""
    try:
        return _header(path).get("format") == LOG_FORMAT
    except (ijson.JSONError, ValueError, OSError):
        return False


def verify_exported_log(path: str | Path) -> LogVerification:
    """Check a JSON decision log with no database; see the module docstring for what it proves."""
    source = Path(path)
    if not source.is_file():
        raise InputError(f"{source}: no such file")
    try:
        header = _header(source)
        if header.get("format") != LOG_FORMAT:
            raise InputError(f"{source}: not an ospo-tui JSON decision log")
        head = header.get("chain_head") or {}
        head_seq, head_hash = int(head.get("seq", 0)), str(head.get("hash", ""))
        problems: list[str] = []
        rows = verified = 0
        previous: dict[str, Any] | None = None
        seen_ids: set[Any] = set()
        with source.open("rb") as handle:
            for row in ijson.items(handle, "decisions.item", use_float=True):
                rows += 1
                if not isinstance(row, dict):
                    problems.append(f"row {rows}: not an object")
                    continue
                found = _check_row(rows, row, head_seq)
                event = row.get("event") if isinstance(row.get("event"), dict) else None
                if event and previous:
                    if event.get("seq", 0) <= previous.get("seq", 0):
                        found.append(f"row {rows}: events out of order")
                    elif event.get("seq") == previous.get("seq", 0) + 1 and (
                        event.get("prev_hash") != previous.get("hash")
                    ):
                        found.append(f"row {rows}: does not link to the event before it")
                    if event.get("seq") == head_seq and event.get("hash") != head_hash:
                        found.append(f"row {rows}: the chain head does not match the last event")
                superseded = row.get("supersedes_id")
                if superseded is not None and superseded not in seen_ids:
                    found.append(
                        f"row {rows}: the decision it supersedes ({superseded}) is missing"
                    )
                seen_ids.add(row.get("decision_id"))
                problems.extend(found)
                verified += not found
                previous = event
        count = _trailer_count(source)
    except (ijson.JSONError, ValueError) as exc:
        raise InputError(f"{source}: not valid JSON: {exc}") from None
    if count is not None and count != rows:
        problems.append(f"the log says it holds {count} rows but {rows} were read")
    return LogVerification(
        rows, verified, head_seq, head_hash, file_sha256(source), tuple(problems)
    )


def _trailer_count(path: Path) -> int | None:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 200))
        tail = handle.read().decode("utf-8", "replace")
    marker = tail.rfind('"count":')
    if marker < 0:
        return None
    digits = tail[marker + 8 :].strip().rstrip("}").strip()
    return int(digits) if digits.isdigit() else None


def check_against_chain(snapshot: Reading, path: str | Path) -> list[str]:
    """With the database at hand: are the log's rows the live chain's events, all of them?

    Closes what the offline check cannot: a row rebuilt and re-hashed, or a row left out. The
    chain must verify, hold the exported head, hold each row's event under the same hash, and
    the scan must have had exactly as many decisions up to that head as the log has rows.
    """
    from sqlalchemy import func

    from ospo_tui.models import Decision
    from ospo_tui.services.audit.verify import verify_trail

    session = snapshot.session
    source = Path(path)
    header = _header(source)
    head = header.get("chain_head") or {}
    head_seq, head_hash = int(head.get("seq", 0)), str(head.get("hash", ""))
    problems: list[str] = []
    trail = verify_trail(snapshot)
    if not trail.ok:
        problems.append(f"the database's own trail: {trail.problem}")
    live_head = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == head_seq))
    if head_seq and live_head != head_hash:
        problems.append(f"the chain head {head_seq} of the log is not the database's event")
    exported: dict[int, str] = {}
    with source.open("rb") as handle:
        for row in ijson.items(handle, "decisions.item", use_float=True):
            if isinstance(row, dict) and isinstance(row.get("event_seq"), int):
                exported[row["event_seq"]] = str(row.get("event_hash"))
    seqs = sorted(exported)
    for start in range(0, len(seqs), 5000):
        chunk = seqs[start : start + 5000]
        query = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(chunk))
        live = {seq: digest for seq, digest in session.execute(query)}
        for seq in chunk:
            if live.get(seq) != exported[seq]:
                problems.append(f"event {seq} of the log is not the database's event {seq}")
    scan_id = header.get("scan_id")
    expected = session.scalar(
        select(func.count())
        .select_from(Decision)
        .join(ScannedFile, ScannedFile.id == Decision.file_id)
        .where(ScannedFile.scan_id == scan_id, Decision.event_seq <= head_seq)
    )
    if expected != len(exported):
        problems.append(
            f"the scan had {expected} decisions up to event {head_seq}, the log holds "
            f"{len(exported)}"
        )
    return problems
