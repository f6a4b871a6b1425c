"""The ``ospo-tui`` command line: global options, sub-command dispatch, one-line errors.

Each sub-command lives in its own module under ``ospo_tui.commands`` and exposes
``register(subparsers)``. With no sub-command the TUI opens.

Importing this module stays cheap (no SQLAlchemy): scan workers start by importing the
``ospo-tui`` script as their main module, and every millisecond there delays a rescan.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, NoReturn

from ospo_tui import __version__
from ospo_tui.errors import OspoError
from ospo_tui.safe_text import clean

if TYPE_CHECKING:
    from ospo_tui.db import Database
    from ospo_tui.services.trail.chain import Actor

COMMAND_MODULES = (
    "ospo_tui.commands.db",
    "ospo_tui.commands.import_scan",
    "ospo_tui.commands.listing",
    "ospo_tui.commands.demo",
    "ospo_tui.commands.policy",
    "ospo_tui.commands.members",
    "ospo_tui.commands.questions",
    "ospo_tui.commands.scan",
    "ospo_tui.commands.export",
    "ospo_tui.commands.decide",
    "ospo_tui.commands.packages",
    "ospo_tui.commands.bulk",
    "ospo_tui.commands.audit",
    "ospo_tui.commands.search",
    "ospo_tui.commands.licenses",
    "ospo_tui.commands.copyrights",
)


# Commands that only read: on a SQLite path naming no file they say so and create nothing.
# (command, action) pairs; None for a command without actions.
READ_ONLY_COMMANDS = frozenset(
    {
        ("audit", "verify"),
        ("audit", "log"),
        ("history", None),
        ("projects", None),
        ("scans", None),
        ("queue", None),
        ("export", None),
        ("questions", None),
        ("thread", None),
        ("whoami", None),
        ("members", "list"),
        ("policy", "show"),
        ("policy", "list"),
        ("policy", "export"),
        ("db", "info"),
        ("db", "backup"),
        ("db", "copy"),
        ("db", "downgrade"),
    }
)


def reads_only(args: argparse.Namespace) -> bool:
    command = args.command
    action = getattr(args, f"{command}_command", None) if command else None
    return (command, action) in READ_ONLY_COMMANDS


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line on stderr and exit 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class CliContext:
    """What a sub-command needs: the database (opened on first use) and the acting person."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @cached_property
    def db(self) -> Database:
        from ospo_tui.db import open_database, require_existing

        if reads_only(self.args):
            require_existing(self.args.db)
        return open_database(self.args.db)

    @cached_property
    def user_name(self) -> str:
        from ospo_tui.services.access.identity import team_user_name

        return team_user_name(self.db, self.args.user)

    def actor(self) -> Actor:
        """The acting person for a write (the first user of an empty database becomes admin)."""
        from ospo_tui.services.access.identity import actor_for_writing

        return actor_for_writing(self.db, self.user_name)

    def reading_actor(self) -> Actor:
        """The acting person for a read: resolved without writing or taking the write lock."""
        from ospo_tui.services.access.identity import actor_for_reading

        return actor_for_reading(self.db, self.user_name)

    def out(self, line: str = "") -> None:
        # Output names files and quotes findings from scans: never let them drive the terminal.
        print(clean(line))


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", help="database URL or SQLite path (default: $OSPO_TUI_DB or the user data dir)"
    )
    parser.add_argument("--user", help="acting user name (default: $OSPO_TUI_USER or the OS user)")


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise argparse.ArgumentError(None, message)


def requested_command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, found without importing any command (None if unclear)."""
    parser = _RaisingParser(add_help=False)
    add_global_options(parser)
    parser.add_argument("command", nargs="?")
    try:
        known, _ = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return str(known.command) if known.command else None


def start_early(argv: Sequence[str]) -> None:
    """Start slow work a sub-command is sure to need before importing every command (~0.4 s).

    ``scan`` needs ScanCode's license index in its workers' fork server: loading it (~2 s) then
    runs on another core while this process imports the rest and walks the tree. A scan on a
    Dask cluster loads the index in the cluster's workers instead: here it would only take a
    core from them.
    """
    on_cluster = any(arg == "--cluster" or arg.startswith("--cluster=") for arg in argv)
    if requested_command(argv) == "scan" and not on_cluster and not {"-h", "--help"} & set(argv):
        from ospo_tui.services.scanning.pool import start_fork_server

        start_fork_server()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ospo-tui",
        description="Keyboard-first workbench for open-source license compliance review.",
    )
    parser.add_argument("--version", action="version", version=f"ospo-tui {__version__}")
    add_global_options(parser)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    start_early(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext(args)
    try:
        if args.command is None:
            from ospo_tui.app import run_app

            return run_app(ctx.db, ctx.user_name)
        return int(args.handler(ctx) or 0)
    except OspoError as err:
        # Errors quote the offending input (a path, a field): shown inert, on one line.
        print(f"ospo-tui: error: {clean(str(err), single_line=True)}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("ospo-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from ospo_tui.db import database_failure

        line = database_failure(exc)
        if line is None:
            raise
        print(f"ospo-tui: error: {clean(line, single_line=True)}", file=sys.stderr)
        return 2
