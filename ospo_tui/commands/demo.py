"""``ospo-tui demo``: the bundled sample project, imported into a local database and opened."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.resources import resource_folder
from ospo_tui.services.access.reading import reading
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.catalog import find_project_id
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext

SAMPLE_PROJECT = "sample"


def sample_paths() -> tuple[Path, Path]:
    """(ScanCode output, scanned tree) of the bundled sample."""
    data = resource_folder("ospo_tui", "data")
    return data / "sample-scan.json", data / "sample"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="import the bundled sample project and open the TUI"
    )
    parser.add_argument("--no-tui", action="store_true", help="import only, do not open the TUI")
    parser.set_defaults(handler=run)


def run(ctx: CliContext) -> int:
    scan_file, tree = sample_paths()
    actor = ctx.actor()
    with reading(ctx.db, actor, "projects") as snapshot:
        present = find_project_id(snapshot, SAMPLE_PROJECT)
    if present is None:
        result = import_scan_file(
            ctx.db,
            scan_file,
            project=SAMPLE_PROJECT,
            actor=actor,
            root=str(tree),
            label="bundled sample",
        )
        ctx.out(f"imported the sample project: {plural(result.files, 'file')} into {ctx.db.url}")
    if ctx.args.no_tui:
        return 0
    from ospo_tui.app import run_app

    return run_app(ctx.db, ctx.user_name)
