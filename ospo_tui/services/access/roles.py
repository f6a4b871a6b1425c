"""What each role may do, enforced in the services (the UI only hides what would be refused).

A refused action raises ``PermissionDenied`` and leaves an ``access.denied`` audit event, written
in its own transaction so the refusal is recorded even though the action rolls back.

Roles: reviewers decide and ask; engineers answer and comment but never decide; auditors read,
verify the audit chain and export; admins do everything, including managing members. A user who
is not a member of a database that already has members is a "guest" and may do nothing until an
admin gives them a role (the refusal says how).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ospo_tui.errors import PermissionDenied
from ospo_tui.services.trail.chain import Actor

if TYPE_CHECKING:
    from ospo_tui.db import Database

GUEST_ROLE = "guest"
MEMBER_ROLES = ("reviewer", "engineer", "auditor", "admin")

# action -> roles allowed. "admin" may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "import": frozenset({"reviewer", "admin"}),
    "scan": frozenset({"reviewer", "admin"}),
    "decide": frozenset({"reviewer", "admin"}),
    "undo": frozenset({"reviewer", "admin"}),
    "ask": frozenset({"reviewer", "admin"}),
    "resolve_question": frozenset({"reviewer", "admin"}),
    "reopen_question": frozenset({"reviewer", "admin"}),
    # Only the engineer a question is assigned to (or an admin) answers it; the questions
    # service checks the assignee on top of this.
    "answer": frozenset({"engineer", "admin"}),
    "comment": frozenset({"engineer", "reviewer", "admin"}),
    "load_policy": frozenset({"reviewer", "admin"}),
    "register_license": frozenset({"reviewer", "admin"}),
    "mark_copyright": frozenset({"reviewer", "admin"}),
    "manage_members": frozenset({"admin"}),
    "export": frozenset({"reviewer", "auditor", "admin"}),
    # Private comments are the reviewers' own notes: engineers and auditors never see them.
    "read_private": frozenset({"reviewer", "admin"}),
    "verify": frozenset({"reviewer", "engineer", "auditor", "admin"}),
    "read": frozenset({"reviewer", "engineer", "auditor", "admin"}),
}


def allowed(actor: Actor, action: str) -> bool:
    """Whether the role allows ``action``: for showing or hiding a key, never as the check."""
    if actor.role in ("admin", "system"):
        return True
    return actor.role in PERMISSIONS.get(action, frozenset())


def deny(db: Database, actor: Actor, action: str, subject: str, reason: str) -> PermissionDenied:
    """Audit a refusal in its own transaction and return the error to raise."""
    from ospo_tui.services.trail.chain import append_event

    with db.session() as session:
        append_event(
            session,
            actor,
            "access.denied",
            "action",
            action,
            {"action": action, "subject": subject, "reason": reason},
        )
    return PermissionDenied(reason)


def _what(action: str, subject: str) -> str:
    """``resolve_question`` on ``question 1`` → "resolve question 1", not "question question"."""
    verb = action.replace("_", " ")
    if not subject:
        return verb
    if subject.split(" ", 1)[0] == verb.rsplit(" ", 1)[-1]:
        verb = verb.rsplit(" ", 1)[0]
    return f"{verb} {subject}"


def require(db: Database, actor: Actor, action: str, subject: str = "") -> None:
    """Raise PermissionDenied (after auditing the refusal) unless ``actor`` may do ``action``."""
    if allowed(actor, action):
        return
    what = _what(action, subject)
    if actor.role == GUEST_ROLE:
        reason = (
            f"{actor.name} is not a member of this database and may not {what}; "
            f"ask an admin to run: ospo-tui members add {actor.name} "
            f"--role {'|'.join(r for r in MEMBER_ROLES if r != 'admin')}"
        )
    else:
        roles = " or ".join(sorted(PERMISSIONS.get(action, ())))
        reason = f"{actor.name} ({actor.role}) may not {what}" + (
            f"; it needs the role {roles}" if roles else ""
        )
    raise deny(db, actor, action, subject, reason)


def check(db: Database, who: Actor | str, action: str, subject: str = "") -> Actor:
    """The check a screen or a command asks for before the person starts (typing a decision,
    writing a question): the same audited refusal the service would give afterwards.

    ``who`` is an actor or a user name (resolved without writing). Returns the actor.
    """
    from ospo_tui.services.access.identity import actor_for_reading

    actor = who if isinstance(who, Actor) else actor_for_reading(db, who)
    require(db, actor, action, subject)
    return actor
