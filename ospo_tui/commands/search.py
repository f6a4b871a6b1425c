"""``ospo-tui search TEXT``: where a phrase occurs, as tab-separated rows for people and scripts.

One row per hit: field (path, matched, copyright, license), project, scan, path (or license
key) and the matching line. Untrusted text has control characters replaced.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import positive_int
from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.search import SEARCH_KINDS, search

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="find a phrase in paths, matched text, copyrights and license texts"
    )
    parser.add_argument("text", metavar="TEXT", help="the phrase (A-Z case ignored)")
    parser.add_argument("--project", help="only this project (default: every project)")
    parser.add_argument("--scan", type=int, help="scan id (default: each project's latest)")
    parser.add_argument(
        "--in",
        dest="fields",
        default=",".join(SEARCH_KINDS),
        metavar="FIELDS",
        help=f"comma-separated fields to search: {','.join(SEARCH_KINDS)} (default: all)",
    )
    parser.add_argument(
        "--limit", type=positive_int, default=200, help="at most N hits per field (default 200)"
    )
    parser.set_defaults(handler=run)


def run(ctx: CliContext) -> int:
    args = ctx.args
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    if not fields:
        raise InputError(f"--in needs one or more of {','.join(SEARCH_KINDS)}")
    with reading(ctx.db, ctx.user_name, "the search index") as snapshot:
        hits = search(
            snapshot,
            args.text,
            project=args.project,
            scan_id=args.scan,
            kinds=fields,
            limit=args.limit,
        )
    ctx.out("field\tproject\tscan\tpath\ttext")
    for hit in hits:
        values = (hit.kind, hit.project, hit.scan_id, hit.path, hit.snippet)
        ctx.out("\t".join(clean(v, single_line=True) for v in values))
    return 0
