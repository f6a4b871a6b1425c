"""``ospo-tui policy ...``: load a license policy, and show what is in force and what was."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ospo_tui.errors import NotFoundError
from ospo_tui.safe_text import clean
from ospo_tui.services.access.reading import reading
from ospo_tui.services.policy.rules import ALERTS
from ospo_tui.services.policy.versions import (
    PolicySummary,
    load_policy,
    policy_content,
    policy_history,
    policy_rule_rows,
    policy_summary,
    store_default_policy,
    stored_policy,
)
from ospo_tui.wording import plural

if TYPE_CHECKING:
    from ospo_tui.cli import CliContext


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("policy", help="license policy (ScanCode.io policies.yml)")
    sub = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    load = sub.add_parser("load", help="load a policies.yml file as the new policy version")
    load.add_argument("file", type=Path, help="ScanCode.io policies.yml (license_policies)")
    load.add_argument("--name", help="name of this version (default: the file name)")
    load.set_defaults(handler=_load)
    show = sub.add_parser("show", help="the policy in force (or --version N)")
    show.add_argument("--version", type=int, dest="policy_version")
    show.set_defaults(handler=_show)
    history = sub.add_parser("list", help="every policy version, newest first")
    history.set_defaults(handler=_list)
    export = sub.add_parser("export", help="print a policy version as policies.yml")
    export.add_argument("--version", type=int, dest="policy_version")
    export.set_defaults(handler=_export)
    explain = sub.add_parser("explain", help="the alert the policy in force gives an expression")
    explain.add_argument("expression", help="license expression, ScanCode keys or SPDX ids")
    explain.set_defaults(handler=_explain)


def _describe(summary: PolicySummary) -> str:
    kind = " (default)" if summary.is_default else ""
    return (
        f"policy v{summary.version}{kind}: {clean(summary.name, single_line=True)},"
        f" {plural(summary.rules, 'rule')}, in force since {summary.loaded_at}"
        f" (loaded by {clean(summary.loaded_by, single_line=True)})"
    )


def _load(ctx: CliContext) -> int:
    result = load_policy(ctx.db, ctx.actor(), ctx.args.file, ctx.args.name)
    ctx.out(f"loaded {_describe(result.policy)}")
    if result.previous_version is not None:
        ctx.out(f"replaces policy v{result.previous_version}")
    counts = result.items_by_alert
    ctx.out(
        "review items: "
        + ", ".join(f"{alert} {counts.get(alert, 0)}" for alert in (*ALERTS, "none"))
    )
    return 0


def _show(ctx: CliContext) -> int:
    store_default_policy(ctx.db)  # so the policy shown is a stored version
    with reading(ctx.db, ctx.user_name, "the policy") as snapshot:
        summary = policy_summary(snapshot, ctx.args.policy_version)
        rules = policy_rule_rows(snapshot, ctx.args.policy_version)
    ctx.out(_describe(summary))
    if summary.source_sha256:
        ctx.out(f"sha256: {summary.source_sha256}")
    # The rules themselves, worst alert first: what the policy says, not only how much of it.
    ctx.out("license_key\talert\tlabel")
    for key, alert, label in rules:
        ctx.out("\t".join(clean(value, single_line=True) for value in (key, alert, label)))
    return 0


def _list(ctx: CliContext) -> int:
    store_default_policy(ctx.db)  # on first use, so v1 is listed
    with reading(ctx.db, ctx.user_name, "the policy versions") as snapshot:
        history = policy_history(snapshot)
    for index, summary in enumerate(history):
        ctx.out(("* " if index == 0 else "  ") + _describe(summary))
    return 0


def _export(ctx: CliContext) -> int:
    with reading(ctx.db, ctx.user_name, "the policy") as snapshot:
        content = policy_content(snapshot, ctx.args.policy_version)
    # Validated YAML, which cannot hold control characters; printed as stored.
    print(content, end="" if content.endswith("\n") else "\n")
    return 0


def _explain(ctx: CliContext) -> int:
    store_default_policy(ctx.db)
    with reading(ctx.db, ctx.user_name, "the policy") as snapshot:
        policy = stored_policy(snapshot)
    if policy is None:  # only if someone emptied the policies table meanwhile
        raise NotFoundError("no policy is stored")
    verdict = policy.verdict(ctx.args.expression)
    if verdict.alert is None:
        ctx.out(f"no license keys in the expression (policy v{policy.version})")
        return 0
    label = f" ({clean(verdict.label, single_line=True)})" if verdict.label else ""
    ctx.out(
        f"{verdict.alert}: {clean(verdict.license_key, single_line=True)}{label}"
        f" under policy v{policy.version}"
    )
    return 0
