"""A chain head kept outside the database, and whether the live chain still extends it.

Checkpoints and exports both record one; hash chaining makes the event at that sequence number
vouch for every event before it, so one comparison tells a cut or a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import AuditEvent
from ospo_tui.services.trail.chain import VerifyResult


@dataclass(frozen=True)
class ChainHead:
    """An event of the chain by sequence number and hash: a checkpoint's or an export's."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"event {self.seq} {self.hash}"


def head_problem(session: Session, head: ChainHead, result: VerifyResult) -> str | None:
    """Why the live chain (which ``result`` verified) does not extend ``head``, or None."""
    if head.seq > result.events:
        return (
            f"the chain ends at event {result.events}, before the recorded head ({head}): "
            "events were cut from the end"
        )
    if head.seq == 0:
        return None
    live = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == head.seq))
    if live != head.hash:
        return (
            f"event {head.seq} is {live} in the chain, not the recorded {head.hash}: "
            "the chain was rewritten"
        )
    return None
