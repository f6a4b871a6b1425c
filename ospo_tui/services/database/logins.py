"""A member's own PostgreSQL login, with only the privileges their role needs.

In team mode on PostgreSQL the acting name is the login the server authenticated, so each
member connects as themselves. The tables belong to an owner login, which runs ``db upgrade``,
``db downgrade`` and ``db restore`` and nothing else; members are never owners, so they cannot
ALTER a table or disable its triggers. Append-only tables get INSERT and SELECT only, and no
login gets TRUNCATE (migrations 0002 and 0005 add triggers that refuse it even to the owner).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text

from ospo_tui.db import Database
from ospo_tui.errors import InputError
from ospo_tui.models import APPEND_ONLY_TABLES
from ospo_tui.services.access.identity import checked_user_name
from ospo_tui.services.access.members import checked_role
from ospo_tui.services.access.roles import require
from ospo_tui.services.database.copy import MANAGE_DATABASE, review_tables
from ospo_tui.services.trail.chain import Actor, append_event

# Role -> privileges on the tables that keep current state (append-only ones are separate).
_STATE_PRIVILEGES = {
    "admin": "INSERT, UPDATE, DELETE",
    "reviewer": "INSERT, UPDATE, DELETE",
    "engineer": "UPDATE",
    "auditor": "",
}
# Role -> append-only tables it adds rows to (every role writes audit events: refusals, exports).
_APPENDS = {
    "admin": APPEND_ONLY_TABLES,
    "reviewer": APPEND_ONLY_TABLES,
    "engineer": ("audit_events", "question_messages"),
    "auditor": ("audit_events",),
}
# Only admins manage members; engineers only update questions and review items' states.
_ENGINEER_TABLES = ("questions", "review_items")


def quoted(name: str) -> str:
    """``name`` as a PostgreSQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _state_tables(role: str) -> Iterable[str]:
    for table in review_tables():
        name = table.name
        if name in APPEND_ONLY_TABLES or (name == "members" and role != "admin"):
            continue
        if role == "engineer" and name not in _ENGINEER_TABLES:
            continue
        yield name


def member_login_sql(database: str, name: str, role: str) -> list[str]:
    """The statements that create ``name``'s login (if needed) and grant ``role``'s privileges."""
    name, role = checked_user_name(name), checked_role(role)
    login = quoted(name)
    statements = [
        f"DO $$ BEGIN CREATE ROLE {login} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {quoted(database)} TO {login}",
        f"GRANT USAGE ON SCHEMA public TO {login}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {login}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {login}",
    ]
    statements += [f"GRANT INSERT ON {table} TO {login}" for table in _APPENDS[role]]
    if _STATE_PRIVILEGES[role]:
        statements += [
            f"GRANT {_STATE_PRIVILEGES[role]} ON {table} TO {login}"
            for table in _state_tables(role)
        ]
    return statements


def revoke_sql(database: str, name: str) -> list[str]:
    """Take every privilege back first, so that a changed role grants only the new set."""
    login = quoted(checked_user_name(name))
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {login}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {login}",
    ]


def create_member_login(db: Database, actor: Actor, name: str, role: str) -> list[str]:
    """Run ``member_login_sql`` (admins only, PostgreSQL only) and audit it; returns the SQL.

    The connecting login needs CREATEROLE (or the login must exist) and must own the tables.
    """
    require(db, actor, MANAGE_DATABASE, f"login for {name}")
    if db.engine.dialect.name != "postgresql":
        raise InputError("logins exist on PostgreSQL only: on SQLite names are self-declared")
    database = str(db.engine.url.database)
    statements = member_login_sql(database, name, role)
    with db.session() as session:
        for statement in [statements[0], *revoke_sql(database, name), *statements[1:]]:
            session.execute(text(statement))
        append_event(session, actor, "member.login", "member", name, {"name": name, "role": role})
    return statements
