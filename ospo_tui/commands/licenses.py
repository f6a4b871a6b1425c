"""``ospo-tui license add|list``: the organisation's own licenses, for concluded expressions.

``license add LicenseRef-acme-eula --name "ACME EULA" --text eula.txt`` registers one (reviewers
and admins; audited); decisions then accept the id and exports carry its text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.review.custom_licenses import register_custom_license, registered_licenses

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("license", help="register and list custom licenses")
    verbs = parser.add_subparsers(dest="license_command", required=True, metavar="COMMAND")
    add = verbs.add_parser("add", help="register a LicenseRef-<org>-<name> license with its text")
    add.add_argument("license_id", metavar="LicenseRef-ORG-NAME")
    add.add_argument("--name", required=True, help="the license's full name")
    add.add_argument("--text", required=True, metavar="FILE", help="its text ('-': stdin)")
    add.set_defaults(handler=run_add)
    listing = verbs.add_parser("list", help="the custom licenses registered")
    listing.set_defaults(handler=run_list)


def _read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read the license text {name!r}: {reason}") from None


def run_add(ctx: CliContext) -> int:
    args = ctx.args
    actor = ctx.actor()
    text = _read_text(args.text)
    added = register_custom_license(ctx.db, actor, args.license_id, args.name, text)
    ctx.out(f"registered {added.license_id} ({clean(added.name, single_line=True)})")
    return 0


def run_list(ctx: CliContext) -> int:
    with reading(ctx.db, ctx.user_name, "custom licenses") as snapshot:
        found = registered_licenses(snapshot)
    ctx.out("license_id\tname\tcharacters")
    for lic in found:
        ctx.out(f"{lic.license_id}\t{clean(lic.name, single_line=True)}\t{len(lic.text)}")
    return 0
