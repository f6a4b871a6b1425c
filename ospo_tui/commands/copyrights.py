"""``ospo-tui copyright list|false-positive|restore``: copyright detections that are not ones.

``list PATH`` shows a file's copyright, holder and author detections with their ids;
``false-positive ID`` takes one out of the attribution notice and the SPDX and CycloneDX
exports (reviewers and admins, audited); ``restore ID`` undoes that.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.catalog import scan_files
from ospo_tui.services.review.false_positives import mark_false_positive, restore_copyright
from ospo_tui.services.review.inspector import load_file_review

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "copyright", help="list a file's copyright detections; mark false positives"
    )
    verbs = parser.add_subparsers(dest="copyright_command", required=True, metavar="COMMAND")
    listing = verbs.add_parser("list", help="a file's copyright, holder and author detections")
    listing.add_argument("path", metavar="PATH")
    listing.add_argument("--project", help="project (needed when there are several)")
    listing.add_argument("--scan", type=int, help="scan id (default: the project's latest)")
    listing.set_defaults(handler=run_list)
    for verb, help_text, handler in (
        ("false-positive", "mark detection ID as not a copyright", run_mark),
        ("restore", "undo false-positive: detection ID counts again", run_restore),
    ):
        change = verbs.add_parser(verb, help=help_text)
        change.add_argument("copyright_id", type=int, metavar="ID")
        change.set_defaults(handler=handler)


def run_list(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, f"file {args.path!r}") as snapshot:
        found = scan_files(snapshot, [args.path], project=args.project, scan_id=args.scan)
        review = load_file_review(snapshot, found.review_item_ids[0], read_source=False)
    ctx.out("id\tkind\tlines\tfalse_positive\tvalue")
    for c in review.copyrights:
        lines = "" if c.start_line is None else f"{c.start_line}-{c.end_line or c.start_line}"
        flag = "yes" if c.false_positive else ""
        ctx.out(f"{c.id}\t{c.kind}\t{lines}\t{flag}\t{clean(c.value, single_line=True)}")
    return 0


def run_mark(ctx: CliContext) -> int:
    return _change(ctx, mark=True)


def run_restore(ctx: CliContext) -> int:
    return _change(ctx, mark=False)


def _change(ctx: CliContext, *, mark: bool) -> int:
    change = mark_false_positive if mark else restore_copyright
    done = change(ctx.db, ctx.actor(), ctx.args.copyright_id)
    where = f"{done.kind} {done.copyright_id} of {clean(done.path, single_line=True)}"
    value = clean(done.value, single_line=True)
    if mark:
        ctx.out(
            f"{where} is a false positive: {value} "
            f"(undo: ospo-tui copyright restore {done.copyright_id})"
        )
    else:
        ctx.out(f"{where} counts again: {value}")
    return 0
