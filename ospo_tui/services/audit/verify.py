"""``audit verify``: the hash chain walk, plus the one break a chain cannot see on its own.

Deleting events from the end leaves a shorter chain that is still internally valid, and new
events appended afterwards hide the cut. Each decision records the sequence number of its event,
so every decision is checked against the event at that number: a decision whose event is gone or
is about something else shows the chain was cut and regrown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import String, cast, func, or_, select

from ospo_tui.db import Database
from ospo_tui.models import AuditEvent, Decision
from ospo_tui.services.access.reading import Reading, reading
from ospo_tui.services.trail.chain import Actor, ChainBreak, VerifyResult, verify_chain


@contextmanager
def verifying(db: Database, who: Actor | str, subject: str) -> Iterator[Reading]:
    """A snapshot for checking the trail (against itself or an exported log): it needs the
    "verify" permission, not "read", and a refusal is audited as such."""
    with reading(db, who, subject, action="verify") as snapshot:
        yield snapshot


def verify_trail(snapshot: Reading) -> VerifyResult:
    """The chain walk, then every decision against the event it records (see above)."""
    session = snapshot.session
    result = verify_chain(session)
    if not result.ok:
        return result
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
        return result
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


def verify_audit_trail(db: Database, who: Actor | str) -> VerifyResult:
    """``verify_trail`` for a person: the role check (and its audited refusal) comes first."""
    with verifying(db, who, "the audit chain") as snapshot:
        return verify_trail(snapshot)
