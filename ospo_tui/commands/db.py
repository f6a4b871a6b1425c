"""``ospo-tui db ...``: schema upgrades, where the database lives, and copying, backing up and
restoring it (admins only: the services refuse anyone else)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.db import Database, require_existing
from ospo_tui.migrate import current_revision, head_revision, upgrade_to_head
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parser = subparsers.add_parser("db", help="database maintenance")
    db_sub = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations up to the newest schema")
    upgrade.set_defaults(handler=_upgrade)
    downgrade = db_sub.add_parser(
        "downgrade", help="revert migrations (destroys data above REVISION)"
    )
    downgrade.add_argument("revision", help="target revision, or 'base'")
    downgrade.add_argument(
        "--force", action="store_true", help="downgrade even though it drops data (admins only)"
    )
    downgrade.set_defaults(handler=_downgrade)
    info = db_sub.add_parser("info", help="show the database URL and schema revision")
    info.set_defaults(handler=_info)
    copy = db_sub.add_parser(
        "copy", help="copy this whole database into an empty one (SQLite <-> PostgreSQL)"
    )
    copy.add_argument("--to", required=True, metavar="URL", help="target database URL or path")
    copy.set_defaults(handler=_copy)
    backup = db_sub.add_parser("backup", help="write a consistent online backup to a file")
    backup.add_argument("file", metavar="FILE", help="backup file to write (a SQLite file)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=_backup)
    restore = db_sub.add_parser("restore", help="restore a backup file into this database")
    restore.add_argument("file", metavar="FILE", help="a file written by 'db backup'")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.set_defaults(handler=_restore)


def _upgrade(ctx: CliContext) -> int:
    db = Database(ctx.args.db)
    upgrade_to_head(db.engine)
    ctx.out(f"database at revision {current_revision(db.engine)}")
    return 0


def _downgrade(ctx: CliContext) -> int:
    from ospo_tui.services.access.identity import actor_for_reading, team_user_name
    from ospo_tui.services.database.schema import downgrade_database

    require_existing(ctx.args.db)
    db = Database(ctx.args.db)  # as it is: no upgrade before a downgrade
    try:
        actor = actor_for_reading(db, team_user_name(db, ctx.args.user))
        downgrade_database(db, actor, ctx.args.revision, force=ctx.args.force)
        ctx.out(f"database at revision {current_revision(db.engine) or 'base'}")
    finally:
        db.dispose()
    return 0


def _info(ctx: CliContext) -> int:
    require_existing(ctx.args.db)
    db = Database(ctx.args.db)
    ctx.out(f"url: {db.engine.url.render_as_string(hide_password=True)}")
    ctx.out(f"revision: {current_revision(db.engine) or 'none'} (head {head_revision(db.engine)})")
    return 0


def _copy(ctx: CliContext) -> int:
    from ospo_tui.services.database.copy import copy_database

    actor = ctx.reading_actor()  # copying only reads this database
    target = Database(ctx.args.to)
    try:
        result = copy_database(ctx.db, target, actor)
    finally:
        target.dispose()
    ctx.out(
        f"copied {plural(result.total_rows, 'row')} ({plural(result.events, 'audit event')}, chain head "
        f"{result.head_hash[:16]}) to {target.engine.url.render_as_string(hide_password=True)}"
    )
    return 0


def _backup(ctx: CliContext) -> int:
    from ospo_tui.services.database.backup import backup_database

    result = backup_database(ctx.db, ctx.args.file, ctx.reading_actor(), force=ctx.args.force)
    ctx.out(
        f"backup written to {result.path}: {plural(result.rows, 'row')}, {plural(result.events, 'audit event')}, "
        f"chain head {result.head_hash[:16]}, verified"
    )
    return 0


def _restore(ctx: CliContext) -> int:
    from ospo_tui.services.access.identity import actor_for_reading
    from ospo_tui.services.database.restore import restore_database

    target = ctx.db  # every connection to it is closed before a SQLite file is swapped
    try:
        # Resolved without writing: a first user must not make an empty target "not empty".
        actor = actor_for_reading(target, ctx.user_name)
        result = restore_database(ctx.args.file, target, actor, force=ctx.args.force, audited=True)
    finally:
        target.dispose()
    ctx.out(
        f"restored {result.path}: {plural(result.rows, 'row')}, {plural(result.events, 'audit event')}, "
        f"chain head {result.head_hash[:16]}, verified"
    )
    return 0
