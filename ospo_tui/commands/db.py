"""``ospo-tui db ...``: schema upgrades and where the database lives."""

from __future__ import annotations

import argparse

from ospo_tui.db import Database
from ospo_tui.migrate import current_revision, downgrade_to, head_revision, upgrade_to_head


def register(subparsers: argparse._SubParsersAction) -> None:
    db_parser = subparsers.add_parser("db", help="database maintenance")
    db_sub = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations up to the newest schema")
    upgrade.set_defaults(handler=_upgrade)
    downgrade = db_sub.add_parser(
        "downgrade", help="revert migrations (destroys data above REVISION)"
    )
    downgrade.add_argument("revision", help="target revision, or 'base'")
    downgrade.set_defaults(handler=_downgrade)
    info = db_sub.add_parser("info", help="show the database URL and schema revision")
    info.set_defaults(handler=_info)


def _upgrade(ctx) -> int:  # type: ignore[no-untyped-def]
    db = Database(ctx.args.db)
    upgrade_to_head(db.engine)
    ctx.out(f"database at revision {current_revision(db.engine)}")
    return 0


def _downgrade(ctx) -> int:  # type: ignore[no-untyped-def]
    db = Database(ctx.args.db)
    downgrade_to(db.engine, ctx.args.revision)
    ctx.out(f"database at revision {current_revision(db.engine) or 'base'}")
    return 0


def _info(ctx) -> int:  # type: ignore[no-untyped-def]
    db = Database(ctx.args.db)
    ctx.out(f"url: {db.engine.url.render_as_string(hide_password=True)}")
    ctx.out(f"revision: {current_revision(db.engine) or 'none'} (head {head_revision(db.engine)})")
    return 0
