"""The license policy: ScanCode.io ``policies.yml`` rules, the default policy, and alerts.

A policy maps licenses to a compliance alert (``''`` = ok, ``warning``, ``error``). A file's alert
is the worst alert over every key of its license expression, exceptions included, whatever the
operators (AND, OR, WITH): error > warning > missing > ok, where "missing" means a key the policy
does not name. This is ScanCode.io's rule; an OR choice is the reviewer's to make, not the
policy's, so the policy flags the worst option.

Keys in a policy may be ScanCode keys, SPDX ids or ``LicenseRef-scancode-*``; all resolve through
the license catalog to one ScanCode key, so a policy written in SPDX ids matches ScanCode output.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ospo_tui.errors import InputError
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.licenses.license_db import LicenseCatalog, license_catalog

ALERT_ERROR = "error"
ALERT_WARNING = "warning"
ALERT_MISSING = "missing"
ALERT_OK = "ok"
# Most urgent first; the position + 1 is the alert's level in the queue priority.
ALERTS = (ALERT_ERROR, ALERT_WARNING, ALERT_MISSING, ALERT_OK)
ALERT_LEVEL = {alert: level for level, alert in enumerate(ALERTS, start=1)}
# What a policy file may say (ScanCode.io's values); "missing" is computed, never written.
_FILE_ALERTS = {"": ALERT_OK, None: ALERT_OK, "warning": ALERT_WARNING, "error": ALERT_ERROR}

MAX_POLICY_BYTES = 10 * 1024 * 1024
# A custom license reference the organisation defines (SPDX 2.3 idstring), kept as written.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")

# The default policy, by ScanCode license DB category. Why each alert:
# - ok: Permissive and Public Domain licenses ask for notices at most.
# - warning: obligations a reviewer must check, but usually acceptable — Copyleft Limited (file-
#   or library-level copyleft: LGPL, MPL, EPL), Patent License, CLA, and Unstated License (the
#   "unknown"/"see LICENSE" references: someone must look, but they are not forbidden).
# - error: needs a legal decision before use — Copyleft (GPL, AGPL), Commercial, Proprietary
#   Free (custom terms, often no modification or redistribution), Free Restricted (field-of-use
#   limits such as non-commercial) and Source-available (not open source).
# A category ScanCode adds later is in no list, so its licenses show as "missing".
DEFAULT_CATEGORY_ALERTS: dict[str, str] = {
    "Permissive": "",
    "Public Domain": "",
    "Copyleft Limited": "warning",
    "Patent License": "warning",
    "CLA": "warning",
    "Unstated License": "warning",
    "Copyleft": "error",
    "Commercial": "error",
    "Proprietary Free": "error",
    "Free Restricted": "error",
    "Source-available": "error",
}
DEFAULT_POLICY_NAME = "default (ScanCode license categories)"


@dataclass(frozen=True)
class PolicyRule:
    """One ``license_policies`` entry, its key resolved to the catalog's ScanCode key."""

    license_key: str
    label: str | None
    alert: str  # ok / warning / error
    written_as: str  # the key as the policy file spells it


@dataclass(frozen=True)
class Verdict:
    """A file's alert and the key that decided it (the first worst key, for the reviewer)."""

    alert: str | None  # None: no license detected, nothing to check
    license_key: str | None = None
    label: str | None = None


@dataclass
class LicensePolicy:
    """A compiled policy: rules by resolved key, with alerts cached per expression."""

    rules: dict[str, PolicyRule]
    name: str
    version: int | None = None
    _by_expression: dict[str | None, Verdict] = field(default_factory=dict, repr=False)

    def rule_for(self, key: str, catalog: LicenseCatalog | None = None) -> PolicyRule | None:
        return self.rules.get(resolve_key(key, catalog or license_catalog()))

    def verdict_for_keys(self, keys: frozenset[str] | set[str]) -> Verdict:
        """The worst alert over ``keys``; no keys means no alert."""
        if not keys:
            return Verdict(None)
        catalog = license_catalog()
        worst: Verdict | None = None
        for key in sorted(keys):  # sorted: the same deciding key on every run
            rule = self.rule_for(key, catalog)
            verdict = (
                Verdict(rule.alert, rule.license_key, rule.label)
                if rule
                else Verdict(ALERT_MISSING, resolve_key(key, catalog))
            )
            if (
                worst is None
                or ALERT_LEVEL[verdict.alert or ALERT_OK] < ALERT_LEVEL[worst.alert or ALERT_OK]
            ):
                worst = verdict
        assert worst is not None
        return worst

    def verdict(self, expression: str | None) -> Verdict:
        """The alert for a license expression (ScanCode keys or SPDX ids, any operators)."""
        cached = self._by_expression.get(expression)
        if cached is None:
            cached = self.verdict_for_keys(license_keys(expression))
            if len(self._by_expression) < 200_000:
                self._by_expression[expression] = cached
        return cached

    def alert(self, expression: str | None) -> str | None:
        return self.verdict(expression).alert


def resolve_key(key: str, catalog: LicenseCatalog) -> str:
    """The catalog's ScanCode key for a ScanCode key, SPDX id or LicenseRef; else the key as is."""
    info = catalog.get(key)
    return info.key if info is not None else key


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_policy(text: str, source: str = "policy") -> list[PolicyRule]:
    """Validate a ScanCode.io ``policies.yml`` text; any problem is one InputError line.

    Other top-level keys (ScanCode.io's clarity and scorecard thresholds) are accepted and
    ignored. A key the catalog does not know is refused unless it is an SPDX ``LicenseRef-``:
    a typo such as ``gpl3`` would otherwise silently never match, and every GPL file would show
    "missing" where the organisation meant "error".
    """
    try:
        root_node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{source}: invalid YAML{where}: {problem}") from None
    if not isinstance(data, dict) or "license_policies" not in data:
        raise InputError(f"{source}: expected a mapping with a 'license_policies' list")
    entries = data["license_policies"]
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{source}: 'license_policies' must be a non-empty list")
    lines = _entry_lines(root_node)
    catalog = license_catalog()
    rules: dict[str, tuple[int, PolicyRule]] = {}
    for index, entry in enumerate(entries):
        where = f"{source}: line {lines[index]}" if index < len(lines) else f"{source}: entry"
        where += f" (license_policies[{index}])"
        rule = _parse_entry(entry, where, catalog)
        if rule.license_key in rules:
            first_index, first = rules[rule.license_key]
            raise InputError(
                f"{where}: {rule.written_as!r} is the same license as"
                f" license_policies[{first_index}] ({first.written_as!r})"
            )
        rules[rule.license_key] = (index, rule)
    return [rule for _, rule in rules.values()]


def _parse_entry(entry: Any, where: str, catalog: LicenseCatalog) -> PolicyRule:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected a mapping with license_key and compliance_alert")
    key = entry.get("license_key")
    if not isinstance(key, str) or not key.strip():
        raise InputError(f"{where}: license_key is missing or not text")
    key = key.strip()
    label = entry.get("label")
    if label is not None and not isinstance(label, str):
        raise InputError(f"{where} {key!r}: label must be text")
    raw_alert = entry.get("compliance_alert", "")
    if not (raw_alert is None or isinstance(raw_alert, str)) or raw_alert not in _FILE_ALERTS:
        raise InputError(
            f"{where} {key!r}: compliance_alert must be '', 'warning' or 'error', not {raw_alert!r}"
        )
    info = catalog.get(key)
    if info is None and not _LICENSE_REF.match(key):
        raise InputError(
            f"{where}: unknown license key {key!r}"
            " (not a ScanCode key, an SPDX id or a LicenseRef- id)"
        )
    return PolicyRule(
        license_key=info.key if info else key,
        label=label,
        alert=_FILE_ALERTS[raw_alert],
        written_as=key,
    )


def _entry_lines(root: Any) -> list[int]:
    """1-based line of each ``license_policies`` entry, so errors point into the file."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == "license_policies" and isinstance(
            value_node, yaml.SequenceNode
        ):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


def default_policy_rules(catalog: LicenseCatalog | None = None) -> list[PolicyRule]:
    """One rule per catalog license whose category the default policy names."""
    catalog = catalog or license_catalog()
    rules = []
    for info in sorted(catalog.by_key.values(), key=lambda i: i.key):
        alert = DEFAULT_CATEGORY_ALERTS.get(info.category)
        if alert is not None:
            rules.append(PolicyRule(info.key, info.category, _FILE_ALERTS[alert], info.key))
    return rules


def default_policy_text(catalog: LicenseCatalog | None = None) -> str:
    """The default policy as a ``policies.yml`` file, one entry per catalog license.

    Stored as text like any loaded policy, so an auditor sees exactly what was in force and an
    organisation can start its own policy from it (``ospo-tui policy export``).
    """
    entries = [
        {
            "license_key": rule.license_key,
            "label": rule.label,
            "compliance_alert": "" if rule.alert == ALERT_OK else rule.alert,
        }
        for rule in default_policy_rules(catalog)
    ]
    header = (
        "# ospo-tui default license policy, built from ScanCode's license categories:\n"
        + "".join(
            f"#   {category}: {alert or 'ok'}\n"
            for category, alert in DEFAULT_CATEGORY_ALERTS.items()
        )
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return header + yaml.dump(
        {"license_policies": entries}, Dumper=dumper, sort_keys=False, default_flow_style=False
    )


def compile_policy(rules: list[PolicyRule], name: str, version: int | None) -> LicensePolicy:
    return LicensePolicy({rule.license_key: rule for rule in rules}, name, version)
