"""``ospo-tui import SCAN.json``: load a ScanCode output into the review queue."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import ProgressLine
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="import a ScanCode JSON or JSON-lines output")
    parser.add_argument(
        "scan_file", metavar="SCAN.json", help="ScanCode output (formats 1.0 to 4.1)"
    )
    parser.add_argument("--project", help="project name (default: the file name without .json)")
    parser.add_argument("--root", help="where the scanned tree is on disk, to show sources")
    parser.add_argument("--label", help="a label for this scan (default: the file name)")
    parser.add_argument(
        "--force", action="store_true", help="import even if this exact scan was imported"
    )
    parser.add_argument(
        "--json-lines", action="store_true", default=None, help="the file is --json-lines output"
    )
    parser.set_defaults(handler=run)


class TerminalProgress(ProgressLine):
    """A progress bar of bytes read, redrawn at most ten times a second."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        fraction = done / total if total else 1.0
        bar = "█" * int(fraction * 30)
        self.show(
            f"{self.label} [{bar:<30}] {fraction:6.1%} {done / 1e6:8.1f}/{total / 1e6:.1f} MB"
        )


def run(ctx: CliContext) -> int:
    args = ctx.args
    path = Path(args.scan_file)
    project = args.project or path.name.removesuffix(".json").removesuffix(".jsonl") or "default"
    actor = ctx.actor()
    progress = TerminalProgress(f"importing {path.name}")
    root = str(Path(args.root).resolve()) if args.root else None
    try:
        result = import_scan_file(
            ctx.db,
            path,
            project=project,
            actor=actor,
            root=root,
            force=args.force,
            label=args.label,
            json_lines=args.json_lines,
            progress=progress,
        )
    finally:
        progress.close()
    ctx.out(
        f"imported scan {result.scan_id} into project {result.project!r}: {plural(result.files, 'file')}, "
        f"{plural(result.dirs, 'directory', 'directories')} ({result.synthetic_dirs} filled in), {plural(result.detections, 'detection')}, "
        f"{plural(result.matches, 'match', 'matches')}, {plural(result.copyrights, 'copyright')}, "
        f"{plural(result.packages, 'package')}, {plural(result.dependencies, 'dependency', 'dependencies')}"
    )
    return 0
