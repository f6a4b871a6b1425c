"""Who is acting: the user name from --user / OSPO_TUI_USER / the OS (on PostgreSQL, the
database login), and their role from members.

The first person to use a new database becomes its admin, so a fresh workbench is usable at once.
"""

from __future__ import annotations

import getpass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.models import Member
from ospo_tui.safe_text import clean
from ospo_tui.services.access.roles import GUEST_ROLE
from ospo_tui.services.trail.chain import SYSTEM_ACTOR, Actor, append_event
from ospo_tui.services.trail.origin import database_login
from ospo_tui.settings import current_settings


def resolve_user_name(explicit: str | None = None) -> str:
    """``--user`` wins, then ``OSPO_TUI_USER``, then the OS account; checked like any name."""
    name = explicit or current_settings().user
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no passwd entry in some containers
            name = "unknown"
    return checked_user_name(name)


def team_user_name(db: Database, explicit: str | None = None) -> str:
    """The acting name for ``db``: on PostgreSQL the login the server authenticated
    (``session_user``), which ``--user`` or ``OSPO_TUI_USER`` may repeat but never replace;
    on SQLite the self-declared name of ``resolve_user_name``."""
    with db.reader() as session:
        login = database_login(session)
    if login is None:
        return resolve_user_name(explicit)
    claimed = explicit or current_settings().user
    if claimed is not None and claimed.strip() != login:
        raise PermissionDenied(
            f"on PostgreSQL you act as your database login {login!r}: --user/OSPO_TUI_USER "
            f"cannot claim {clean(claimed, single_line=True)!r} (connect as that login instead)"
        )
    return checked_user_name(login)


def checked_user_name(name: str) -> str:
    """A user name stripped of surrounding blanks; control or bidi characters are refused."""
    name = name.strip()
    if not name or len(name) > 200 or clean(name, single_line=True) != name:
        raise InputError(f"invalid user name {name!r}: use 1-200 printable characters")
    return name


def known_actor(session: Session, name: str) -> Actor:
    """The member's role, or guest: never writes, so it works in a read-only snapshot.

    In a database with no member yet, the reader is the admin-to-be, as ``resolve_actor``
    would make them on their first write.
    """
    member = session.scalar(select(Member).where(Member.name == name))
    if member is not None:
        return Actor(member.name, member.role)
    if (session.scalar(select(func.count()).select_from(Member)) or 0) == 0:
        return Actor(name, "admin")
    return Actor(name, GUEST_ROLE)


def resolve_actor(session: Session, name: str) -> Actor:
    """The member's role; the first user of an empty database is made admin (and audited)."""
    member = session.scalar(select(Member).where(Member.name == name))
    if member is not None:
        return Actor(member.name, member.role)
    if (session.scalar(select(func.count()).select_from(Member)) or 0) == 0:
        session.add(Member(name=name, role="admin", added_by=SYSTEM_ACTOR.name, added_at=utc_now()))
        session.flush()
        append_event(
            session,
            SYSTEM_ACTOR,
            "member.add",
            "member",
            name,
            {"name": name, "role": "admin", "first_user": True},
        )
        return Actor(name, "admin")
    return Actor(name, GUEST_ROLE)


def actor_for_reading(db: Database, name: str) -> Actor:
    """``name``'s role for a read, looked up in a read-only snapshot: no write lock, no write."""
    with db.reader() as session:
        return known_actor(session, name)


def actor_for_writing(db: Database, name: str) -> Actor:
    """``name``'s role for a write, in a transaction of its own: the first user of an empty
    database is made its admin here, so their first write is allowed and audited."""
    with db.session() as session:
        return resolve_actor(session, name)
