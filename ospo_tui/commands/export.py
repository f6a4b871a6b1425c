"""``ospo-tui export KIND``: decision log, SPDX, CycloneDX, attribution notice or report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import ProgressLine
from ospo_tui.safe_text import clean
from ospo_tui.services.export.run import EXPORT_KINDS, run_export
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext

FORMATS = sorted({f for kind in EXPORT_KINDS.values() for f in kind.formats})


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export the review: decision-log, spdx, cyclonedx, attribution or report",
        description="; ".join(
            f"{k.name} ({'/'.join(k.formats)}): {k.description}" for k in EXPORT_KINDS.values()
        ),
    )
    parser.add_argument("kind", choices=list(EXPORT_KINDS), help="what to export")
    parser.add_argument("--project", help="project (needed when there are several)")
    parser.add_argument("--scan", type=int, help="scan id (default: the project's latest)")
    parser.add_argument("-o", "--output", required=True, help="file to write (replaced atomically)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the file name, else the first)",
    )
    parser.add_argument(
        "--include-private",
        action="store_true",
        help="decision log: include reviewers' private comments",
    )
    parser.set_defaults(handler=export)


class ExportProgress(ProgressLine):
    def __call__(self, done: int, total: int) -> None:
        share = f" ({100 * done // total}%)" if total else ""
        self.show(f"exporting {done}/{total}{share}")


def export(ctx: CliContext) -> int:
    args = ctx.args
    progress = ExportProgress()
    result = run_export(
        ctx.db,
        ctx.actor(),
        args.kind,
        args.output,
        project=args.project,
        scan_id=args.scan,
        fmt=args.format,
        include_private=args.include_private,
        progress=progress if progress.enabled else None,
    )
    progress.close()
    ctx.out(
        f"wrote {result.kind} ({result.format}) to {clean(str(result.path), single_line=True)}: "
        f"{plural(result.rows, 'row')}, {plural(result.size, 'byte')}, sha256 {result.sha256} "
        f"(audit event {result.event_seq})"
    )
    return 0


def verify_export(ctx: CliContext) -> int:
    """``audit verify --export FILE``: a JSON decision log is checked offline unless --db is
    given; any other export (SPDX, CycloneDX, notice, report) against the database's chain."""
    from ospo_tui.services.export.decision_log import is_decision_log, verify_exported_log

    if not is_decision_log(Path(ctx.args.export)):
        return _verify_export_head(ctx)

    result = verify_exported_log(ctx.args.export)
    problems = list(result.problems)
    # Offline unless a database is named explicitly: then the rows must be its chain's events.
    if ctx.args.db:
        from ospo_tui.services.audit.verify import verifying
        from ospo_tui.services.export.decision_log import check_against_chain

        subject = "a decision log against the audit chain"
        with verifying(ctx.db, ctx.user_name, subject) as snapshot:
            problems += check_against_chain(snapshot, ctx.args.export)
    ok = result.ok and not problems
    if ctx.args.json:
        ctx.out(
            json.dumps(
                {
                    "ok": ok,
                    "checked_against_database": bool(ctx.args.db),
                    "rows": result.rows,
                    "verified": result.verified,
                    "chain_head": {"seq": result.head_seq, "hash": result.head_hash},
                    "file_sha256": result.file_sha256,
                    "problems": problems,
                },
                sort_keys=True,
            )
        )
    elif ok:
        where = (
            "and are the database's own, all of them"
            if ctx.args.db
            else "(offline: compare the head or the file's sha256 with the database)"
        )
        ctx.out(
            f"decision log ok: {plural(result.verified, 'row')} match their audit events {where}; "
            f"chain head at export: event {result.head_seq} {result.head_hash}; "
            f"file sha256 {result.file_sha256}"
        )
    for problem in problems[:20]:
        print(f"ospo-tui: {clean(problem, single_line=True)}", file=sys.stderr)
    if len(problems) > 20:
        print(f"ospo-tui: ... and {len(problems) - 20} more problems", file=sys.stderr)
    return 0 if ok else 1


def _verify_export_head(ctx: CliContext) -> int:
    """The chain must still hold the head the export states, and have recorded the file."""
    from ospo_tui.services.audit.verify import verifying
    from ospo_tui.services.export.embedded_head import check_export

    subject = "an export against the audit chain"
    with verifying(ctx.db, ctx.user_name, subject) as snapshot:
        check = check_export(snapshot, Path(ctx.args.export))
    if ctx.args.json:
        ctx.out(
            json.dumps(
                {
                    "ok": not check.problems,
                    "chain_head": {"seq": check.head.seq, "hash": check.head.hash},
                    "export_event": check.export_event,
                    "problems": list(check.problems),
                },
                sort_keys=True,
            )
        )
    elif not check.problems:
        ctx.out(
            f"export ok: made at chain head {check.head}, which the chain still holds; "
            f"the file is the one export event {check.export_event} recorded"
        )
    for problem in check.problems:
        print(f"ospo-tui: {clean(problem, single_line=True)}", file=sys.stderr)
    return 1 if check.problems else 0
