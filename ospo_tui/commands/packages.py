"""``ospo-tui packages``: the packages of a scan, tab-separated, mismatches and worst alerts first;
and ``decide --package PURL``: a concluded license on a package.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.package_decisions import decide_package
from ospo_tui.services.review.packages import packages_named, scan_packages

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext

COLUMNS = (
    "purl",
    "declared",
    "detected",
    "concluded",
    "state",
    "policy_alert",
    "mismatch",
    "files",
    "open_files",
    "version",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("packages", help="list the packages of a scan")
    parser.add_argument("--project", help="project (needed when there are several)")
    parser.add_argument("--scan", type=int, help="scan id (default: the project's latest)")
    parser.set_defaults(handler=list_packages)


def _row(*values: object) -> str:
    return "\t".join("" if v is None else clean(v, single_line=True) for v in values)


def list_packages(ctx: CliContext) -> int:
    with reading(ctx.db, ctx.user_name, "packages") as snapshot:
        rows = scan_packages(snapshot, ctx.args.project, ctx.args.scan)
    ctx.out(_row(*COLUMNS))
    for r in rows:
        ctx.out(
            _row(
                r.label,
                r.declared,
                " | ".join(r.detected),
                r.concluded,
                r.state,
                r.policy_alert,
                "yes" if r.mismatch else "no",
                r.files,
                r.open_files,
                r.version_counter,
            )
        )
    return 0


def decide_on_package(ctx: CliContext) -> int:
    """``decide --package PURL``: every package of the scan with that purl gets the decision."""
    args = ctx.args
    actor = ctx.actor()
    if args.paths:
        raise InputError("give either file PATHs or --package, not both")
    with reading(ctx.db, actor, f"package {args.package!r}", action="decide") as snapshot:
        normalise_spdx(args.license)
        found = packages_named(snapshot, args.package, args.project, args.scan)
    if args.expect_version is not None and len(found) != 1:
        raise InputError("--expect-version applies to a single package")
    for package in found:
        fields = (args.license, args.type, args.reason, args.note, args.comment)
        result = decide_package(ctx.db, actor, package.id, args.expect_version, *fields)
        ctx.out(
            f"decided {clean(package.label, single_line=True)}: "
            f"{result.fields.concluded_expression} ({result.fields.decision_type}), "
            f"state {result.state}, version {result.version}"
        )
    return 0
