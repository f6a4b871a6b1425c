"""``ospo-tui audit verify|log`` and ``ospo-tui history FILE``: reading the audit trail.

``audit verify`` exits 0 when the chain is intact and 1 with "audit chain broken at event N: ..."
on the first broken link, so it can gate a release pipeline.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import positive_int
from ospo_tui.errors import NotFoundError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.audit.verify import verify_audit_trail
from ospo_tui.services.review.history import HistoryEntry, audit_log, file_history
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="verify or list the audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="walk the hash chain; exit 1 at the first break")
    verify.add_argument("--json", action="store_true", help="machine-readable result")
    verify.add_argument(
        "--export", metavar="FILE", help="check an exported JSON decision log offline (no database)"
    )
    verify.set_defaults(handler=run_verify)
    log = actions.add_parser("log", help="the newest events, oldest first")
    log.add_argument("--file", metavar="PATH", help="only events about this file")
    log.add_argument("--project", help="only this project")
    log.add_argument("--limit", type=positive_int, default=50, help="at most N events (default 50)")
    log.set_defaults(handler=run_log)

    history = subparsers.add_parser("history", help="a file's history: who, when, what changed")
    history.add_argument("path", metavar="FILE_PATH")
    history.add_argument("--project", help="project (default: every project with this path)")
    history.set_defaults(handler=run_history)


def run_verify(ctx: CliContext) -> int:
    if ctx.args.export:
        from ospo_tui.commands.export import verify_export

        return verify_export(ctx)
    result = verify_audit_trail(ctx.db, ctx.user_name)
    if ctx.args.json:
        broken = result.first_break
        ctx.out(
            json.dumps(
                {
                    "ok": result.ok,
                    "events": result.events,
                    "head_hash": result.head_hash,
                    "first_break": None
                    if broken is None
                    else {"seq": broken.seq, "problem": broken.problem},
                },
                sort_keys=True,
            )
        )
    elif result.ok:
        ctx.out(f"audit chain ok: {plural(result.events, 'event')}, head {result.head_hash}")
    if result.first_break is not None:
        print(f"ospo-tui: {result.first_break}", file=sys.stderr)
        return 1
    return 0


def _print(ctx: CliContext, entries: list[HistoryEntry]) -> None:
    for e in entries:
        ctx.out(
            "\t".join(
                clean(v, single_line=True)
                for v in (
                    e.seq,
                    e.occurred_at,
                    f"{e.actor} ({e.role})",
                    e.action,
                    e.summary,
                )
            )
        )


def run_log(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, "the audit log") as snapshot:
        entries = audit_log(snapshot, limit=args.limit, project=args.project, path=args.file)
    _print(ctx, entries)
    return 0


def run_history(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, f"history of {args.path}") as snapshot:
        entries = file_history(snapshot, args.path, args.project)
    if not entries:
        raise NotFoundError(f"no file {args.path!r} in any scan")
    _print(ctx, entries)
    return 0
