"""What each role may do, enforced in the services (the UI only hides what would be refused).

A refused action raises ``PermissionDenied`` and leaves an ``access.denied`` audit event, written
in its own transaction so the refusal is recorded even though the action rolls back.
"""

from __future__ import annotations

from ospo_tui.errors import PermissionDenied
from ospo_tui.services.audit import Actor

# action -> roles allowed. "admin" may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "import": frozenset({"reviewer", "admin"}),
    "scan": frozenset({"reviewer", "admin"}),
    "decide": frozenset({"reviewer", "admin"}),
    "undo": frozenset({"reviewer", "admin"}),
    "ask": frozenset({"reviewer", "admin"}),
    "resolve_question": frozenset({"reviewer", "admin"}),
    "answer": frozenset({"engineer", "reviewer", "admin"}),
    "comment": frozenset({"engineer", "reviewer", "admin"}),
    "load_policy": frozenset({"reviewer", "admin"}),
    "manage_members": frozenset({"admin"}),
    "export": frozenset({"reviewer", "auditor", "admin"}),
    "verify": frozenset({"reviewer", "engineer", "auditor", "admin"}),
    "read": frozenset({"reviewer", "engineer", "auditor", "admin"}),
}


def allowed(actor: Actor, action: str) -> bool:
    if actor.role in ("admin", "system"):
        return True
    return actor.role in PERMISSIONS.get(action, frozenset())


def require(db, actor: Actor, action: str, subject: str = "") -> None:  # type: ignore[no-untyped-def]
    """Raise PermissionDenied (after auditing the refusal) unless ``actor`` may do ``action``."""
    if allowed(actor, action):
        return
    from ospo_tui.services.audit import append_event

    with db.session() as session:
        append_event(
            session,
            actor,
            "access.denied",
            "action",
            action,
            {"action": action, "subject": subject},
        )
    roles = ", ".join(sorted(PERMISSIONS.get(action, ())))
    raise PermissionDenied(
        f"{actor.name} ({actor.role}) may not {action.replace('_', ' ')}"
        + (f" {subject}" if subject else "")
        + (f"; it needs the role {roles}" if roles else "")
    )
