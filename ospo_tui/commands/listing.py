"""``ospo-tui projects``, ``scans`` and ``queue``: plain-text listings for people and scripts.

Output is tab-separated with a header line, one record per line; untrusted text has control
characters replaced so a hostile path cannot drive the terminal.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import positive_int
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.catalog import project_summaries, scan_files, scan_summaries
from ospo_tui.services.review.queue import REVIEW_STATES, QueueFilter, queue_page
from ospo_tui.services.review.review_scope import SCOPE_ALL, SCOPE_FINDINGS, SCOPES

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    projects = subparsers.add_parser("projects", help="list projects with review counts")
    projects.set_defaults(handler=list_projects)

    scans = subparsers.add_parser("scans", help="list scans with review counts")
    scans.add_argument("--project", help="only this project")
    scans.set_defaults(handler=list_scans)

    queue = subparsers.add_parser("queue", help="list the review queue, most urgent first")
    queue.add_argument("--project", help="project (needed when there are several)")
    queue.add_argument("--scan", type=int, help="scan id (default: the project's latest)")
    queue.add_argument("--state", action="append", choices=REVIEW_STATES, help="only these states")
    queue.add_argument("--license", help="only files whose expression mentions this key or SPDX id")
    queue.add_argument("--path", help="only paths matching this glob")
    queue.add_argument(
        "--scope",
        choices=SCOPES,
        default=SCOPE_FINDINGS,
        help="files with findings (default), without findings (none) or all files",
    )
    queue.add_argument("--all", action="store_true", help="the same as --scope all")
    queue.add_argument("--limit", type=positive_int, default=50, help="at most N rows (default 50)")
    queue.set_defaults(handler=list_queue)


def _row(*values: object) -> str:
    return "\t".join("" if v is None else clean(v, single_line=True) for v in values)


def list_projects(ctx: CliContext) -> int:
    with reading(ctx.db, ctx.user_name, "projects") as snapshot:
        summaries = project_summaries(snapshot)
    ctx.out(
        _row(
            "project",
            "scans",
            "latest_scan",
            "files",
            "with_findings",
            "decided_with_findings",
            "decided_all_files",
            "open_questions",
        )
    )
    for p in summaries:
        s = p.latest_scan
        ctx.out(
            _row(
                p.name,
                p.scans,
                s and s.id,
                s and s.files,
                s and s.with_findings,
                s and s.decided,
                s and s.decided_all,
                s and s.open_questions,
            )
        )
    return 0


def list_scans(ctx: CliContext) -> int:
    with reading(ctx.db, ctx.user_name, "scans") as snapshot:
        summaries = scan_summaries(snapshot, ctx.args.project)
    ctx.out(
        _row(
            "scan",
            "project",
            "source",
            "label",
            "format",
            "created",
            "files",
            "with_findings",
            "decided_with_findings",
            "decided_all_files",
            "reused",
        )
    )
    for s in summaries:
        ctx.out(
            _row(
                s.id,
                s.project,
                s.source,
                s.label,
                s.output_format_version,
                s.created_at,
                s.files,
                s.with_findings,
                s.decided,
                s.decided_all,
                s.reused,
            )
        )
    return 0


def list_queue(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, "the review queue") as snapshot:
        scan_id = scan_files(snapshot, project=args.project, scan_id=args.scan).scan_id
        flt = QueueFilter(
            scan_id=scan_id,
            states=tuple(args.state or ()),
            license=args.license,
            path_glob=args.path,
            scope=SCOPE_ALL if args.all else args.scope,
        )
        rows = queue_page(snapshot, flt, limit=args.limit)
    ctx.out(_row("priority", "state", "path", "detected_spdx", "best_score", "concluded", "reason"))
    for r in rows:
        score = f"{r.best_score:.1f}" if r.best_score is not None else ""
        ctx.out(
            _row(
                r.priority,
                r.state,
                r.path,
                r.detected_spdx,
                score,
                r.concluded_expression,
                r.priority_reason,
            )
        )
    return 0
