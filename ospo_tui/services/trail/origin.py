"""Where an event comes from: the OS account, the host and, on PostgreSQL, the database login.

The chain hashes these with the rest of the event. On SQLite the acting name is self-declared
(like git's ``user.name``); the OS user and host say which account on which machine wrote the
event, as that machine reported them. On PostgreSQL ``session_user`` is the login the server
authenticated, which no client setting can change.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from functools import cache

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class EventOrigin:
    os_user: str
    host: str
    db_login: str | None


@cache
def _machine() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        user = "unknown"
    return user[:200], socket.gethostname()[:255] or "unknown"


def database_login(session: Session) -> str | None:
    """PostgreSQL's ``session_user`` (the authenticated login); None on SQLite, which has none."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return str(session.execute(text("SELECT session_user")).scalar_one())


def event_origin(session: Session) -> EventOrigin:
    user, host = _machine()
    return EventOrigin(user, host, database_login(session))
