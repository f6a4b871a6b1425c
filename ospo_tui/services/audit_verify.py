"""``audit verify``: the hash chain walk, plus the one break a chain cannot see on its own.

Deleting events from the end leaves a shorter chain that is still internally valid. Decisions
record the sequence number of their event, so a decision pointing past the chain's head shows
the tail was cut.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ospo_tui.models import Decision
from ospo_tui.services.audit import ChainBreak, VerifyResult, verify_chain


def verify_trail(session: Session) -> VerifyResult:
    result = verify_chain(session)
    if not result.ok:
        return result
    newest = session.scalar(select(func.max(Decision.event_seq)))
    if newest is not None and newest > result.events:
        missing = result.events + 1
        return VerifyResult(
            result.events,
            result.head_hash,
            ChainBreak(
                missing,
                f"event {missing} is missing: decisions refer to events up to {newest}, "
                f"the chain ends at {result.events} (events were deleted from the end)",
            ),
        )
    return result
