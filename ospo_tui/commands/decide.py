"""``ospo-tui decide PATH...``: record a reviewer's decision on files, for scripts and pipelines.

Each file is decided in its own transaction with its own audit event. ``--expect-version`` gives
scripts the same optimistic locking as the TUI: a file changed since is refused (exit 4).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.commands.packages import decide_on_package
from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.catalog import scan_files
from ospo_tui.services.review.custom_licenses import registered_ids
from ospo_tui.services.review.decision_fields import DECISION_TYPES, REASONS
from ospo_tui.services.review.decisions import decide

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def add_decision_arguments(parser: argparse.ArgumentParser) -> None:
    """The decision fields, shared by ``decide`` and ``bulk``."""
    parser.add_argument(
        "--license",
        required=True,
        metavar="EXPR",
        help="concluded license: an SPDX expression (ScanCode keys accepted), NONE or NOASSERTION",
    )
    parser.add_argument(
        "--type",
        default="identified",
        choices=DECISION_TYPES,
        help="decision type (default: identified)",
    )
    parser.add_argument("--reason", choices=REASONS, help="why, as in ORT curations")
    parser.add_argument("--note", help="public note (goes into reports)")
    parser.add_argument("--comment", help="private comment (never in reports)")
    parser.add_argument("--project", help="project (needed when there are several)")
    parser.add_argument("--scan", type=int, help="scan id (default: the project's latest)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "decide", help="record a decision on one or more files, or on a package"
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file paths as in the scan")
    parser.add_argument("--package", metavar="PURL", help="decide on this package instead")
    add_decision_arguments(parser)
    parser.add_argument(
        "--expect-version",
        type=int,
        metavar="N",
        help="refuse (exit 4) unless the file or package is still at this version (one only)",
    )
    parser.set_defaults(handler=run)


def run(ctx: CliContext) -> int:
    args = ctx.args
    if args.package is not None:
        return decide_on_package(ctx)
    if not args.paths:
        raise InputError("name at least one file PATH, or --package PURL")
    actor = ctx.actor()
    # The role first (a refusal is audited and says nothing about the input), then the input,
    # which fails before any file is looked up or written.
    subject = "file " + ", ".join(repr(p) for p in args.paths)
    with reading(ctx.db, actor, subject, action="decide") as snapshot:
        if args.expect_version is not None and len(args.paths) != 1:
            raise InputError("--expect-version applies to a single PATH")
        normalise_spdx(args.license, registered_ids(snapshot))
        found = scan_files(snapshot, args.paths, project=args.project, scan_id=args.scan)
    item_ids = found.review_item_ids
    for path, item_id in zip(args.paths, item_ids, strict=True):
        result = decide(
            ctx.db,
            actor,
            item_id,
            args.expect_version,
            args.license,
            args.type,
            args.reason,
            args.note,
            args.comment,
        )
        fields = result.decision.fields
        ctx.out(
            f"decided {clean(path, single_line=True)}: {fields.concluded_expression} "
            f"({fields.decision_type}), state {result.state}, version {result.version}"
        )
    return 0
