"""``audit verify``: the hash chain walk, then the tables replayed from the chain.

The walk proves the events are the ones written, in order. The replay (``replay`` and
``state_check``) proves the tables the queue and the exports read say what the events say.

Deleting events from the end leaves a shorter chain that is still internally valid, and new
events appended afterwards hide the cut. Each decision records the sequence number of its event,
so every decision is checked against the event at that number: a decision whose event is gone or
is about something else shows the chain was cut and regrown. A cut that left no such trace, or a
chain rewritten whole with recomputed hashes, is caught only against a head kept elsewhere: a
checkpoint (``checkpoint``) or an export (each one embeds the head it was made at).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.models import AuditEvent, Decision
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.audit.heads import ChainHead, head_problem
from ospo_tui.services.audit.replay import ReplayedState
from ospo_tui.services.audit.state_check import first_difference
from ospo_tui.services.trail.chain import Actor, ChainBreak, VerifyResult, verify_chain


@contextmanager
def verifying(db: Database, who: Actor | str, subject: str) -> Iterator[Reading]:
    """A snapshot for checking the trail (against itself or an exported log): it needs the
    "verify" permission, not "read", and a refusal is audited as such."""
    with reading(db, who, subject, action="verify") as snapshot:
        yield snapshot


def verify_trail(snapshot: Reading | Session) -> VerifyResult:
    """The chain walk, every decision against its event, then the tables against the replay.

    Takes a checked ``Reading``, or a plain session for a database being restored or copied
    (no person reads it yet); both run the same checks.
    """
    session = snapshot.session if isinstance(snapshot, Reading) else snapshot
    state = ReplayedState()
    result = verify_chain(session, visit=state.visit)
    if not result.ok:
        return result
    cut = _cut_from_the_end(session, result)
    if cut is not None:
        return cut
    difference = first_difference(session, state)
    return VerifyResult(result.events, result.head_hash, None, difference)


def _cut_from_the_end(session: Session, result: VerifyResult) -> VerifyResult | None:
    mismatch = session.execute(
        select(func.min(Decision.event_seq))
        .select_from(Decision)
        .outerjoin(AuditEvent, AuditEvent.seq == Decision.event_seq)
        .where(Decision.event_seq.is_not(None))
        .where(
            or_(
                AuditEvent.seq.is_(None),
                AuditEvent.subject_type != "review_item",
                AuditEvent.subject_id != cast(Decision.review_item_id, String),
                AuditEvent.action.not_like("decision.%"),
            )
        )
    ).scalar()
    if mismatch is None:
        return None
    decision_id = session.scalar(
        select(func.min(Decision.id)).where(Decision.event_seq == mismatch)
    )
    where = "is missing" if mismatch > result.events else "is not the event of its decision"
    return VerifyResult(
        result.events,
        result.head_hash,
        ChainBreak(
            mismatch,
            f"event {mismatch} {where} (decision {decision_id} refers to it): events were "
            "deleted from the end of the chain and the chain continued from there",
        ),
    )


def verify_audit_trail(
    db: Database, who: Actor | str, *, head: ChainHead | None = None
) -> VerifyResult:
    """``verify_trail`` for a person: the role check (and its audited refusal) comes first.

    With ``head`` (a checkpoint's), the chain must also still hold that event under that hash.
    """
    with verifying(db, who, "the audit chain") as snapshot:
        result = verify_trail(snapshot)
        if head is None or result.first_break is not None:
            return result
        problem = head_problem(snapshot.session, head, result)
    if problem is None:
        return result
    return VerifyResult(
        result.events, result.head_hash, ChainBreak(head.seq, problem), result.difference
    )
