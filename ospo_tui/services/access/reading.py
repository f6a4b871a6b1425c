"""Reading the review data: a read-only snapshot, opened only for someone allowed to read.

Every service function that the CLI or the TUI calls to read takes a ``Reading`` instead of
a session, so a read cannot skip the role check: the only way to get one is ``reading()``.
The role is resolved inside the snapshot itself (one indexed query), so a role an admin just
changed applies to the next read, and a read never takes SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ospo_tui.db import Database
from ospo_tui.services.access.identity import known_actor
from ospo_tui.services.access.roles import allowed, require
from ospo_tui.services.trail.chain import Actor


@dataclass(frozen=True)
class Reading:
    """An open read-only session and the actor it was opened for."""

    session: Session
    actor: Actor

    @property
    def sees_private_comments(self) -> bool:
        """Private comments are the reviewers' own notes: engineers and auditors never see them."""
        return allowed(self.actor, "read_private")


@contextmanager
def reading(
    db: Database, who: Actor | str, subject: str, *, action: str = "read"
) -> Iterator[Reading]:
    """A snapshot for ``who`` (an actor, or a user name to resolve) once ``action`` is allowed.

    ``subject`` names what is read, for the refusal and its ``access.denied`` event. ``action``
    is "read" unless the snapshot serves something stricter: "verify" for checking the audit
    trail, or the write it prepares (the files a ``decide`` names), so that a refusal names
    what the person set out to do, before their input is looked at.
    """
    with db.reader() as session:
        actor = who if isinstance(who, Actor) else known_actor(session, who)
        require(db, actor, action, subject)
        yield Reading(session, actor)
