"""``ospo-tui scan PATH``: run ScanCode on a source tree, in parallel and incrementally."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import ProgressLine
from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.scanning.engine import DEFAULT_TIMEOUT
from ospo_tui.services.scanning.pool import stop_fork_server
from ospo_tui.services.scanning.progress import ScanProgress
from ospo_tui.services.scanning.runner import DEFAULT_MAX_SIZE, ScanRequest, run_scan
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext

_SKIPPED_SHOWN = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan", help="scan a source tree with ScanCode (parallel, incremental, resumable)"
    )
    parser.add_argument("path", metavar="PATH", help="source tree (or single file) to scan")
    parser.add_argument("--project", help="project name (default: the directory name)")
    parser.add_argument("--label", help="a label for this scan")
    parser.add_argument(
        "--processes",
        "-n",
        type=int,
        default=ScanRequest.processes,
        help="worker processes (default: CPU count minus one, at least 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per file before it is recorded as a scan error (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="gitignore-style pattern of paths to leave out (repeatable); .git, .svn, .hg "
        "and other VCS directories are always left out",
    )
    parser.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_SIZE,
        metavar="BYTES",
        help="record larger files as not scanned (default: 50 MB)",
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="scan on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786), or on "
        "local:N, N Dask workers started on this machine; --processes is then unused",
    )
    parser.add_argument(
        "--ship-content",
        action="store_true",
        help="with --cluster: send the files' bytes to the workers instead of their paths "
        "(for workers that do not see the tree at the same path)",
    )
    parser.add_argument(
        "--no-packages",
        dest="packages",
        action="store_false",
        help="do not detect package manifests nor assemble packages and dependencies "
        "(detected by default, as scancode -p does)",
    )
    parser.set_defaults(handler=run)


class TerminalScanProgress(ProgressLine):
    """The scan's progress line: files done/total, files per second, ETA."""

    def __call__(self, progress: ScanProgress) -> None:
        self.show(progress.line())


def run(ctx: CliContext) -> int:
    try:
        return _scan(ctx)
    finally:
        stop_fork_server()  # started early by ``cli.start_early``; no use for it past this point


def _scan(ctx: CliContext) -> int:
    args = ctx.args
    if args.cluster:
        stop_fork_server()  # the workers load the index; here it would only take CPU and memory
    root = Path(args.path)
    if not root.exists() and not root.is_symlink():
        raise InputError(f"{args.path}: no such file or directory")
    project = args.project or root.resolve().name or "default"
    if args.processes < 1:
        raise InputError("--processes must be at least 1")
    if not args.timeout > 0:
        raise InputError("--timeout must be a positive number of seconds")
    actor = ctx.actor()
    request = ScanRequest(
        root=args.path,
        project=project,
        processes=args.processes,
        timeout=args.timeout,
        excludes=list(args.exclude),
        max_size=args.max_size,
        label=args.label,
        cluster=args.cluster,
        ship_content=args.ship_content,
        packages=args.packages,
    )
    progress = TerminalScanProgress()
    try:
        summary = run_scan(ctx.db, request, actor, on_progress=progress)
    finally:
        progress.close()
    for entry in summary.skipped[:_SKIPPED_SHOWN]:
        print(f"ospo-tui: skipped {clean(entry.path)}: {entry.skipped}", file=sys.stderr)
    if len(summary.skipped) > _SKIPPED_SHOWN:
        print(f"ospo-tui: ... and {len(summary.skipped) - _SKIPPED_SHOWN} more", file=sys.stderr)
    rate = summary.scanned / summary.seconds if summary.seconds else 0.0
    ctx.out(
        f"scanned {clean(str(root))} into scan {summary.scan_id} of project "
        f"{clean(summary.project)!r}: {plural(summary.files, 'file')}, {summary.scanned} scanned, "
        f"{summary.reused} reused from earlier scans, {summary.errors} with scan errors, "
        f"{len(summary.skipped)} skipped, in {summary.seconds:.1f}s ({rate:.1f} files/s)"
    )
    return 0
