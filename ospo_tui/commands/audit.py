"""``ospo-tui audit verify|checkpoint|log`` and ``ospo-tui history FILE``: the audit trail.

``audit verify`` exits 0 when the chain is intact and the tables agree with it, and 1 with one
line naming the first broken link or differing row, so it can gate a release pipeline.
``audit checkpoint`` writes the verified head down (signed with an Ed25519 key if given), for
``audit verify --checkpoint`` to check later that the chain still extends it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.commands.terminal import positive_int
from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.audit.heads import ChainHead
from ospo_tui.services.audit.verify import verify_audit_trail
from ospo_tui.services.review.history import HistoryEntry, audit_log, file_history
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="verify or list the audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="walk the hash chain; exit 1 at the first break")
    verify.add_argument("--json", action="store_true", help="machine-readable result")
    verify.add_argument(
        "--export",
        metavar="FILE",
        help="check an export: a JSON decision log offline (unless --db); any other export's "
        "chain head against the database",
    )
    verify.add_argument(
        "--checkpoint", metavar="FILE", help="also check that the chain extends this checkpoint"
    )
    verify.add_argument(
        "--public-key",
        metavar="PEM",
        help="the Ed25519 public key the checkpoint must be signed with",
    )
    verify.set_defaults(handler=run_verify)
    checkpoint = actions.add_parser(
        "checkpoint", help="write the verified chain head as JSON, to check the chain against later"
    )
    checkpoint.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    checkpoint.add_argument(
        "--sign", metavar="KEY", help="sign with this Ed25519 private key (PEM, mode 600)"
    )
    checkpoint.set_defaults(handler=run_checkpoint)
    log = actions.add_parser("log", help="the newest events, oldest first")
    log.add_argument("--file", metavar="PATH", help="only events about this file")
    log.add_argument("--project", help="only this project")
    log.add_argument("--limit", type=positive_int, default=50, help="at most N events (default 50)")
    log.set_defaults(handler=run_log)

    history = subparsers.add_parser("history", help="a file's history: who, when, what changed")
    history.add_argument("path", metavar="FILE_PATH")
    history.add_argument("--project", help="project (default: every project with this path)")
    history.set_defaults(handler=run_history)


def run_verify(ctx: CliContext) -> int:
    args = ctx.args
    if args.export:
        from ospo_tui.commands.export import verify_export

        return verify_export(ctx)
    if args.public_key and not args.checkpoint:
        raise InputError("--public-key checks a checkpoint's signature: give --checkpoint FILE")
    head, signature = _checkpoint_head(args.checkpoint, args.public_key)
    result = verify_audit_trail(ctx.db, ctx.user_name, head=head)
    problem = signature or result.problem
    if args.json:
        ctx.out(
            json.dumps(
                {
                    "ok": problem is None,
                    "events": result.events,
                    "head_hash": result.head_hash,
                    "first_break": None
                    if result.first_break is None
                    else {"seq": result.first_break.seq, "problem": result.first_break.problem},
                    "difference": result.difference,
                    "checkpoint": None if head is None else {"seq": head.seq, "hash": head.hash},
                    "problem": problem,
                },
                sort_keys=True,
            )
        )
    elif problem is None:
        extends = "" if head is None else f"; extends the checkpoint at {head}"
        ctx.out(
            f"audit chain ok: {plural(result.events, 'event')}, head {result.head_hash}; "
            f"the tables agree with it{extends}"
        )
    if problem is not None:
        print(f"ospo-tui: {clean(problem, single_line=True)}", file=sys.stderr)
        return 1
    return 0


def _checkpoint_head(
    path: str | None, public_key: str | None
) -> tuple[ChainHead | None, str | None]:
    """The checkpoint's head, and why its signature does not hold (None when it does)."""
    if path is None:
        return None, None
    from ospo_tui.services.audit.checkpoint import (
        load_public_key,
        read_checkpoint,
        signature_problem,
    )

    document = read_checkpoint(Path(path))
    public = load_public_key(_read_key(public_key)) if public_key else None
    return ChainHead(document["seq"], document["hash"]), signature_problem(document, public)


def _read_key(path: str, *, private: bool = False) -> bytes:
    key = Path(path)
    try:
        if private and key.stat().st_mode & 0o077:
            raise InputError(f"{key}: a private key must be readable by you alone (chmod 600)")
        return key.read_bytes()
    except OSError as exc:
        raise InputError(f"{key}: cannot read the key: {exc.strerror or exc}") from None


def _signing_key(path: str) -> Ed25519PrivateKey:
    from ospo_tui.services.audit.checkpoint import load_private_key

    pem = _read_key(path, private=True)
    try:
        return load_private_key(pem)
    except TypeError:  # encrypted: ask for its passphrase on the terminal
        if not sys.stdin.isatty():
            raise InputError(f"{path}: the key is encrypted; run on a terminal") from None
        return load_private_key(pem, getpass.getpass(f"passphrase for {path}: ").encode())


def run_checkpoint(ctx: CliContext) -> int:
    """Verify first: a checkpoint of a broken or differing trail would vouch for it."""
    from ospo_tui.services.audit.checkpoint import checkpoint_document, sign_checkpoint

    args = ctx.args
    key = _signing_key(args.sign) if args.sign else None  # a bad key fails before the work
    result = verify_audit_trail(ctx.db, ctx.user_name)
    if result.problem is not None:
        print(f"ospo-tui: {clean(result.problem, single_line=True)}", file=sys.stderr)
        return 1
    document = checkpoint_document(result)
    if key is not None:
        document = sign_checkpoint(document, key)
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    ctx.out(f"checkpoint of event {result.events} {result.head_hash} written to {target}")
    return 0


def _print(ctx: CliContext, entries: list[HistoryEntry]) -> None:
    for e in entries:
        ctx.out(
            "\t".join(
                clean(v, single_line=True)
                for v in (
                    e.seq,
                    e.occurred_at,
                    f"{e.actor} ({e.role})",
                    e.action,
                    e.summary,
                )
            )
        )


def run_log(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, "the audit log") as snapshot:
        entries = audit_log(snapshot, limit=args.limit, project=args.project, path=args.file)
    _print(ctx, entries)
    return 0


def run_history(ctx: CliContext) -> int:
    args = ctx.args
    with reading(ctx.db, ctx.user_name, f"history of {args.path}") as snapshot:
        entries = file_history(snapshot, args.path, args.project)
    if not entries:
        raise NotFoundError(f"no file {args.path!r} in any scan")
    _print(ctx, entries)
    return 0
