"""``ospo-tui members add|list|set-role|remove|login`` and ``whoami``: who may do what in this database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.safe_text import clean
from ospo_tui.services.access.members import add_member, list_members, remove_member, set_role
from ospo_tui.services.access.roles import GUEST_ROLE, MEMBER_ROLES, PERMISSIONS, allowed

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    members = subparsers.add_parser("members", help="list and manage members and their roles")
    actions = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a member (admin only)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=MEMBER_ROLES)
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="list members")
    listing.add_argument("--role", choices=MEMBER_ROLES, help="only this role")
    listing.set_defaults(handler=run_list)

    change = actions.add_parser("set-role", help="change a member's role (admin only)")
    change.add_argument("name")
    change.add_argument("role", choices=MEMBER_ROLES)
    change.set_defaults(handler=run_set_role)

    remove = actions.add_parser("remove", help="remove a member (admin only)")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)

    login = actions.add_parser(
        "login",
        help="PostgreSQL: print (or --execute) the SQL giving NAME a login with ROLE's privileges",
    )
    login.add_argument("name")
    login.add_argument("--role", required=True, choices=MEMBER_ROLES)
    login.add_argument(
        "--execute",
        action="store_true",
        help="run it as the owner login and make NAME a member with ROLE (admin only)",
    )
    login.set_defaults(handler=run_login)

    whoami = subparsers.add_parser("whoami", help="show your user name, role and what it allows")
    whoami.set_defaults(handler=run_whoami)


def run_add(ctx: CliContext) -> int:
    member = add_member(ctx.db, ctx.actor(), ctx.args.name, ctx.args.role)
    ctx.out(f"added {clean(member.name, single_line=True)} as {member.role}")
    return 0


def run_login(ctx: CliContext) -> int:
    from ospo_tui.db import resolve_db_url
    from ospo_tui.services.database.logins import create_member_login, member_login_sql

    name, role = ctx.args.name, ctx.args.role
    if not ctx.args.execute:
        # Printed for an admin to review or run in psql; nothing is opened or changed.
        url = resolve_db_url(ctx.args.db)
        database = url.rsplit("/", 1)[-1].split("?", 1)[0] if url.startswith("postgres") else ""
        for statement in member_login_sql(database or "DATABASE", name, role):
            ctx.out(statement + ";")
        return 0
    actor = ctx.actor()
    create_member_login(ctx.db, actor, name, role)
    known = {member.name: member.role for member in list_members(ctx.db, actor)}
    if name not in known:
        add_member(ctx.db, actor, name, role)
    elif known[name] != role:
        set_role(ctx.db, actor, name, role)
    ctx.out(
        f"login {clean(name, single_line=True)} can connect as {role}; set its password "
        "in psql with: \\password " + clean(name, single_line=True)
    )
    return 0


def run_set_role(ctx: CliContext) -> int:
    member = set_role(ctx.db, ctx.actor(), ctx.args.name, ctx.args.role)
    ctx.out(f"{clean(member.name, single_line=True)} is now {member.role}")
    return 0


def run_remove(ctx: CliContext) -> int:
    remove_member(ctx.db, ctx.actor(), ctx.args.name)
    ctx.out(f"removed {clean(ctx.args.name, single_line=True)}")
    return 0


def run_list(ctx: CliContext) -> int:
    members = list_members(ctx.db, ctx.user_name, ctx.args.role)
    ctx.out("name\trole\tadded_by\tadded_at")
    for m in members:
        ctx.out(
            "\t".join(
                clean(v or "", single_line=True) for v in (m.name, m.role, m.added_by, m.added_at)
            )
        )
    return 0


def run_whoami(ctx: CliContext) -> int:
    actor = ctx.reading_actor()
    ctx.out(f"{clean(actor.name, single_line=True)}\t{actor.role}")
    if actor.role == GUEST_ROLE:
        ctx.out(
            "not a member of this database: ask an admin to run "
            f"'ospo-tui members add {clean(actor.name, single_line=True)} --role ROLE'"
        )
        return 0
    may = [action for action in PERMISSIONS if allowed(actor, action)]
    ctx.out("may: " + ", ".join(a.replace("_", " ") for a in may))
    return 0
