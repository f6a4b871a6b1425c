"""Who belongs to a review database and in which role; only admins change it, every change audited.

A database always keeps at least one admin, so nobody can lock the team out of managing members.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import Member
from ospo_tui.services.access.identity import checked_user_name
from ospo_tui.services.access.reading import reading
from ospo_tui.services.access.roles import MEMBER_ROLES, require
from ospo_tui.services.trail.chain import Actor, append_event


@dataclass(frozen=True)
class MemberView:
    name: str
    role: str
    added_by: str | None
    added_at: str


def checked_role(role: str) -> str:
    """``role`` as stored (lower case), or InputError naming the roles there are."""
    value = role.strip().lower()
    if value not in MEMBER_ROLES:
        raise InputError(f"unknown role {role!r}: use one of {', '.join(MEMBER_ROLES)}")
    return value


def _view(member: Member) -> MemberView:
    return MemberView(member.name, member.role, member.added_by, member.added_at)


def _find(session: Session, name: str) -> Member | None:
    return session.scalar(select(Member).where(Member.name == name).with_for_update())


def _admins(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(Member).where(Member.role == "admin")) or 0
    )


def add_member(db: Database, actor: Actor, name: str, role: str) -> MemberView:
    """Give ``name`` a role (admins only); someone who already has one is a conflict."""
    name, role = checked_user_name(name), checked_role(role)
    require(db, actor, "manage_members", name)
    with db.session() as session:
        if _find(session, name) is not None:
            raise ConflictError(
                f"{name} is already a member; change the role with: members set-role {name} ROLE"
            )
        member = Member(name=name, role=role, added_by=actor.name, added_at=utc_now())
        session.add(member)
        session.flush()
        append_event(session, actor, "member.add", "member", name, {"name": name, "role": role})
        return _view(member)


def set_role(db: Database, actor: Actor, name: str, role: str) -> MemberView:
    """Change a member's role (admins only); the last admin cannot stop being one."""
    name, role = checked_user_name(name), checked_role(role)
    require(db, actor, "manage_members", name)
    with db.session() as session:
        member = _find(session, name)
        if member is None:
            raise NotFoundError(f"{name} is not a member; add them with: members add {name}")
        old = member.role
        if old == role:
            return _view(member)
        if old == "admin" and _admins(session) == 1:
            raise ConflictError(f"{name} is the last admin; make someone else admin first")
        member.role = role
        append_event(
            session, actor, "member.role", "member", name, {"name": name, "old": old, "new": role}
        )
        return _view(member)


def remove_member(db: Database, actor: Actor, name: str) -> None:
    """The person loses access; their past decisions and messages keep their name."""
    name = checked_user_name(name)
    require(db, actor, "manage_members", name)
    with db.session() as session:
        member = _find(session, name)
        if member is None:
            raise NotFoundError(f"{name} is not a member")
        if member.role == "admin" and _admins(session) == 1:
            raise ConflictError(f"{name} is the last admin; make someone else admin first")
        append_event(
            session, actor, "member.remove", "member", name, {"name": name, "role": member.role}
        )
        session.delete(member)


def list_members(db: Database, actor: Actor | str, role: str | None = None) -> list[MemberView]:
    """Everyone with a role here (or with ``role``), by name; any member may read it."""
    with reading(db, actor, "members") as read:
        query = select(Member).order_by(Member.name)
        if role is not None:
            query = query.where(Member.role == checked_role(role))
        return [_view(m) for m in read.session.scalars(query)]
