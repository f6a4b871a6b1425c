"""The append-only, hash-chained audit trail: appending events and verifying the chain.

Each event's hash is SHA-256 over ``prev_hash`` followed by the canonical JSON of the event's
other fields, so changing, removing or reordering any event breaks every later link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.models import AuditEvent
from ospo_tui.services.trail.origin import event_origin

GENESIS_HASH = "0" * 64
# Event columns that say where it came from (trail/origin.py); hashed when recorded.
ORIGIN_FIELDS = ("os_user", "host", "db_login")
# Any constant will do: it names the one PostgreSQL advisory lock that serialises appends.
_PG_CHAIN_LOCK = 0x05_90_70_01


@dataclass(frozen=True)
class Actor:
    """Who does something, and in which role; every event and decision names one."""

    name: str
    role: str


SYSTEM_ACTOR = Actor("ospo-tui", "system")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same bytes on every machine and backend."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def event_body(
    *,
    seq: int,
    occurred_at: str,
    actor: str,
    role: str,
    action: str,
    subject_type: str,
    subject_id: str | None,
    project_id: int | None,
    payload: str,
    os_user: str | None = None,
    host: str | None = None,
    db_login: str | None = None,
) -> dict[str, Any]:
    """The hashed fields. The origin fields (migration 0002) enter only when recorded, so events
    written before them keep their hashes; blanking one afterwards changes the hash."""
    origin = {"os_user": os_user, "host": host, "db_login": db_login}
    return {
        **{key: value for key, value in origin.items() if value is not None},
        "seq": seq,
        "occurred_at": occurred_at,
        "actor": actor,
        "role": role,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "project_id": project_id,
        "payload": payload,
    }


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _body_json(body)).encode("utf-8")).hexdigest()


def _body_json(body: dict[str, Any]) -> str:
    """``canonical_json(body)`` for a flat event body, written out directly (sorted keys, no
    spaces): the same text, faster, and hashing it is most of what verifying 100k events costs.
    Any value but text, a whole number or None takes the general way; ``tests/test_audit_replay.py``
    holds the two equal."""
    enc = _encode_string
    parts = []
    for key in sorted(body):
        value = body[key]
        kind = type(value)
        if kind is str:
            parts.append(f"{enc(key)}:{enc(value)}")
        elif kind is int:
            parts.append(f"{enc(key)}:{int.__repr__(value)}")
        elif value is None:
            parts.append(f"{enc(key)}:null")
        else:
            return canonical_json(body)
    return "{" + ",".join(parts) + "}"


_encode_string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _lock_chain(session: Session) -> None:
    # SQLite transactions here start with BEGIN IMMEDIATE, which already serialises writers.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})


def chain_head(session: Session) -> tuple[int, str]:
    """(last sequence number, last hash); (0, genesis) for an empty chain."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def locked_chain_head(session: Session) -> tuple[int, str]:
    """Take the append lock, then the head: the caller's next append gets seq + 1.

    Lets a writer stamp rows (decisions.event_seq) with the sequence number of the event it is
    about to append, in the same transaction.
    """
    _lock_chain(session)
    return chain_head(session)


# (action, subject_type, subject_id, payload, project_id): one event to append.
EventEntry = tuple[str, str, str | int | None, dict[str, Any], int | None]


def append_event(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    payload: dict[str, Any] | None = None,
    project_id: int | None = None,
    *,
    at: str | None = None,
) -> int:
    """Append one event in the caller's transaction, so the event and the change commit together.

    Returns the event's sequence number.
    """
    (row,) = append_events(
        session, actor, [(action, subject_type, subject_id, payload or {}, project_id)], at=at
    )
    return int(row["seq"])


def append_events(
    session: Session, actor: Actor, entries: Iterable[EventEntry], *, at: str | None = None
) -> list[dict[str, Any]]:
    """Append events with one lock and one Core insert; returns the rows written.

    The only writer of the chain: one event, a bulk decision or a reuse all link the same way.
    ``at`` is the time of the rows the events are about, so replay can compare it exactly.
    """
    _lock_chain(session)
    last_seq, prev_hash = chain_head(session)
    now = at or utc_now()
    origin = event_origin(session)
    rows: list[dict[str, Any]] = []
    for action, subject_type, subject_id, payload, project_id in entries:
        last_seq += 1
        body = event_body(
            seq=last_seq,
            occurred_at=now,
            actor=actor.name,
            role=actor.role,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            project_id=project_id,
            payload=canonical_json(payload),
            os_user=origin.os_user,
            host=origin.host,
            db_login=origin.db_login,
        )
        digest = chain_hash(prev_hash, body)
        rows.append({**body, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    for start in range(0, len(rows), 5000):
        session.execute(AuditEvent.__table__.insert(), rows[start : start + 5000])
    return rows


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit chain broken at event {self.seq}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    events: int
    head_hash: str
    first_break: ChainBreak | None
    # The first table row that differs from what the events say (``audit verify``'s replay).
    difference: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None and self.difference is None

    @property
    def problem(self) -> str | None:
        """The one line that says what is wrong, or None."""
        return str(self.first_break) if self.first_break else self.difference


# Column order of the rows ``verify_rows`` walks: the hashed fields (``event_body``'s
# arguments), then the two hashes, last.
EVENT_BODY_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "role",
    "action",
    "subject_type",
    "subject_id",
    "project_id",
    "payload",
    *ORIGIN_FIELDS,  # None (not hashed) on events recorded before migration 0002
)
EVENT_COLUMNS = (*EVENT_BODY_COLUMNS, "prev_hash", "hash")
EventRow = tuple[Any, ...]  # the values of EVENT_COLUMNS, in that order


def verify_rows(
    rows: Iterable[EventRow],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
    visit: Callable[[EventRow], None] | None = None,
) -> VerifyResult:
    """Walk events in sequence order; report the first gap, reorder, bad link or bad hash.

    ``visit`` sees each event once it is verified (``audit verify`` replays state from them).
    """
    expected_seq, prev_hash, count = start_seq, start_hash, 0
    for row in rows:
        count += 1
        seq = row[0]
        if seq != expected_seq:
            problem = "missing" if seq > expected_seq else "out of order"
            return VerifyResult(
                count,
                prev_hash,
                ChainBreak(expected_seq, f"event {expected_seq} is {problem} (found {seq} next)"),
            )
        if row[-2] != prev_hash:
            return VerifyResult(
                count,
                prev_hash,
                ChainBreak(seq, "prev_hash does not match the previous event's hash"),
            )
        body = event_body(**dict(zip(EVENT_BODY_COLUMNS, row, strict=False)))
        if chain_hash(prev_hash, body) != row[-1]:
            return VerifyResult(
                count, prev_hash, ChainBreak(seq, "content does not match its hash (edited)")
            )
        if visit is not None:
            visit(row)
        prev_hash = row[-1]
        expected_seq += 1
    return VerifyResult(count, prev_hash, None)


def iter_event_rows(session: Session, batch: int = 20000) -> Iterator[EventRow]:
    """Every event in sequence order, as plain tuples (Core, no ORM: 100k events a second).

    seq is inside each hash, so renumbering shows as an edit."""
    table = AuditEvent.__table__
    result = session.connection().execute(
        select(*(table.c[name] for name in EVENT_COLUMNS)).order_by(table.c.seq),
        execution_options={"yield_per": batch},
    )
    for rows in result.partitions(batch):
        yield from rows


def verify_chain(session: Session, visit: Callable[[EventRow], None] | None = None) -> VerifyResult:
    """The chain walk alone (``audit.verify.verify_trail`` adds the replay of the tables)."""
    return verify_rows(iter_event_rows(session), visit=visit)


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
