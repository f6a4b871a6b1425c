"""``ospo-tui bulk`` and ``ospo-tui undo``: one decision over many files, and taking it back.

Without ``--yes`` a bulk only prints how many files it would touch and writes nothing, so a
script (or a person) sees the count before committing to it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk, preview_bulk, undo_bulk
from ospo_tui.services.review.catalog import scan_files
from ospo_tui.services.review.custom_licenses import registered_ids
from ospo_tui.wording import plural

from .decide import add_decision_arguments

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext
    from ospo_tui.services.trail.chain import Actor


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bulk", help="apply one decision to many files (preview unless --yes)"
    )
    parser.add_argument(
        "--same-expression", metavar="EXPR", help="every file detected with exactly EXPR"
    )
    parser.add_argument("--glob", metavar="GLOB", help="every file whose path matches GLOB")
    parser.add_argument("--paths", nargs="+", metavar="PATH", help="these files")
    parser.add_argument(
        "--phrase",
        metavar="TEXT",
        help="every file whose matched license text contains TEXT (A-Z case ignored)",
    )
    parser.add_argument(
        "--skip-decided", action="store_true", help="leave files that already have a decision"
    )
    add_decision_arguments(parser)
    parser.add_argument("--yes", action="store_true", help="apply (default: preview only)")
    parser.set_defaults(handler=run_bulk)

    undo = subparsers.add_parser("undo", help="undo a bulk decision as one operation")
    undo.add_argument("bulk_id", metavar="BULK_ID")
    undo.add_argument(
        "--skip-changed",
        action="store_true",
        help="undo the files not decided again since, and list the others",
    )
    undo.set_defaults(handler=run_undo)


def run_bulk(ctx: CliContext) -> int:
    args = ctx.args
    if not (args.same_expression or args.glob or args.paths or args.phrase):
        raise InputError("name the files: --same-expression, --glob, --paths or --phrase")
    # Applying checks "decide" before the input, so a refusal is audited and says nothing
    # about it; a preview only reads.
    who: Actor | str = ctx.actor() if args.yes else ctx.user_name
    with reading(ctx.db, who, "files in bulk", action="decide" if args.yes else "read") as snapshot:
        normalise_spdx(args.license, registered_ids(snapshot))
        found = scan_files(snapshot, args.paths or (), project=args.project, scan_id=args.scan)
        selection = BulkSelection(
            found.scan_id,
            review_item_ids=found.review_item_ids,
            same_expression=args.same_expression,
            path_glob=args.glob,
            skip_decided=args.skip_decided,
            matched_phrase=args.phrase,
        )
        preview = preview_bulk(snapshot, selection)
        actor = snapshot.actor
    ctx.out(
        f"{plural(preview.files, 'file')} selected in scan {found.scan_id} "
        f"({preview.already_decided} already have a decision)"
    )
    for path in preview.sample_paths:
        ctx.out(f"  {clean(path, single_line=True)}")
    if preview.files > len(preview.sample_paths):
        ctx.out(f"  ... and {preview.files - len(preview.sample_paths)} more")
    if not args.yes:
        ctx.out("preview only: nothing was written (add --yes to apply)")
        return 0
    if preview.files == 0:
        raise InputError("the selection matches no file")
    result = apply_bulk(
        ctx.db,
        actor,
        selection,
        args.license,
        args.type,
        args.reason,
        args.note,
        args.comment,
        expected_count=preview.files,
    )
    ctx.out(f"bulk {result.bulk_id}: decided {plural(result.files, 'file')}")
    ctx.out(f"undo with: ospo-tui undo {result.bulk_id}")
    return 0


def run_undo(ctx: CliContext) -> int:
    result = undo_bulk(ctx.db, ctx.actor(), ctx.args.bulk_id, skip_changed=ctx.args.skip_changed)
    ctx.out(
        f"undo {result.bulk_id}: restored {plural(result.files, 'file')} of bulk {ctx.args.bulk_id}"
    )
    for path in result.skipped_paths:
        ctx.out(f"  skipped (decided again since): {clean(path, single_line=True)}")
    return 0
