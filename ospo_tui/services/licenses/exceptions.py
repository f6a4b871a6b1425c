"""Bare license exceptions made valid SPDX: attached with WITH, or named by a ``LicenseRef-``.

ScanCode sometimes ANDs an exception instead of writing it after WITH
(``gpl-2.0-plus AND classpath-exception-2.0``), or finds one alone. SPDX allows an exception only
after WITH, so every detected expression leaving the tool goes through ``attach_exceptions``:

- a bare exception whose AND group holds a license that ScanCode's own rules use it with
  (``... WITH classpath-exception-2.0`` in a rule's expression) is attached to that license, the
  nearest one before it, else the nearest after it;
- otherwise it becomes ``LicenseRef-scancode-<key>``, a license of its own that keeps its name;
- a bare exception already attached to a license of the same group is dropped as a duplicate.

The license-to-exception pairs come from ScanCode's rule files, read once per ScanCode version
into a JSON file beside the license catalog.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from boolean.boolean import AND, OR, Expression
from license_expression import ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol, Licensing

from ospo_tui.services.licenses.license_db import (
    _catalog_path,
    cached_json,
    license_catalog,
    scancode_version,
)

_licensing = Licensing()
_WITH = re.compile(r"([^\s()]+)\s+with\s+([^\s()]+)", re.IGNORECASE)
_EXPRESSION_LINE = re.compile(r"^license_expression:\s*(.+)$", re.MULTILINE)


def _rules_dir() -> Path:
    import licensedcode

    return Path(licensedcode.__file__).parent / "data" / "rules"


def _read_pairs() -> dict[str, list[str]]:
    """Exception key -> the license keys ScanCode's rules put before it with WITH."""
    pairs: dict[str, set[str]] = {}
    with os.scandir(_rules_dir()) as entries:
        for entry in entries:
            if not entry.name.endswith(".RULE"):
                continue
            with open(entry.path, encoding="utf-8", errors="replace") as handle:
                head = handle.read(2048)  # the expression is in the YAML front matter
            match = _EXPRESSION_LINE.search(head)
            if match is None:
                continue
            for license_key, exception_key in _WITH.findall(match.group(1)):
                pairs.setdefault(exception_key.lower(), set()).add(license_key.lower())
    return {key: sorted(value) for key, value in sorted(pairs.items())}


@cache
def exception_bases() -> dict[str, frozenset[str]]:
    """Exception key -> ScanCode keys of the licenses its rules attach it to (cached on disk)."""
    path = _catalog_path().with_name(f"exception-bases-{scancode_version()}.json")
    pairs = cached_json(path, _read_pairs)
    return {key: frozenset(value) for key, value in pairs.items()}


def _key(token: str) -> str | None:
    """The ScanCode key of a license or exception token (key, SPDX id), None when unknown."""
    info = license_catalog().get(token)
    return info.key if info else None


def _is_bare_exception(node: Expression) -> bool:
    if type(node) is not LicenseSymbol or node.key.lower().startswith("licenseref-"):
        return False  # a LicenseRef- is a license of its own, whatever it names
    info = license_catalog().get(node.key)
    return bool(info and info.is_exception)


def bare_exception_ref(token: str) -> str:
    """The ``LicenseRef-`` that names an exception standing on its own."""
    return f"LicenseRef-scancode-{_key(token) or token}"


def _pick_base(args: list[Expression], at: int) -> int | None:
    """The license of the group that ScanCode's rules use the exception at ``at`` with."""
    bases = exception_bases().get(_key(args[at].key) or "", frozenset())
    order = [*range(at - 1, -1, -1), *range(at + 1, len(args))]
    for index in order:
        node = args[index]
        if type(node) is LicenseSymbol and not _is_bare_exception(node):
            if (_key(node.key) or node.key.lower()) in bases:
                return index
    return None


def _render(node: Expression, top: bool = True) -> str:
    if isinstance(node, (AND, OR)):
        joined = f" {node.operator.strip()} ".join(_render(a, False) for a in node.args)
        return joined if top else f"({joined})"
    if isinstance(node, LicenseWithExceptionSymbol):
        return f"{node.license_symbol.key} WITH {node.exception_symbol.key}"
    return str(node.key)


@dataclass
class _Fixer:
    changed: bool = False

    def fix(self, node: Expression) -> Expression:
        if isinstance(node, (AND, OR)):
            args = [self.fix(a) if isinstance(a, (AND, OR)) else a for a in node.args]
            args = self._attach(args) if isinstance(node, AND) else [self._ref(a) for a in args]
            return node.__class__(*args) if len(args) > 1 else args[0]
        return self._ref(node)

    def _ref(self, node: Expression) -> Expression:
        """A bare exception alone, or in an OR, attached to nothing: a license of its own."""
        if not _is_bare_exception(node):
            return node
        self.changed = True
        return LicenseSymbol(bare_exception_ref(node.key))

    def _attach(self, args: list[Expression]) -> list[Expression]:
        attached = {
            (_key(a.exception_symbol.key) or "")
            for a in args
            if isinstance(a, LicenseWithExceptionSymbol)
        }
        result: list[Expression | None] = list(args)
        for at, node in enumerate(args):
            if not _is_bare_exception(node):
                continue
            self.changed = True
            base = _pick_base(args, at)
            if (_key(node.key) or "") in attached:
                result[at] = None  # the same exception is already attached in this group
            elif base is not None and isinstance(result[base], LicenseSymbol):
                result[base] = LicenseWithExceptionSymbol(args[base], node)
                result[at] = None
                attached.add(_key(node.key) or "")
            else:
                result[at] = LicenseSymbol(bare_exception_ref(node.key))
        return [a for a in result if a is not None]


@lru_cache(maxsize=20_000)
def attach_exceptions(expression: str) -> str:
    """``expression`` with every bare exception made valid SPDX (see the module docstring).

    Tokens keep their spelling (ScanCode keys stay keys, SPDX ids stay ids); an expression with
    no bare exception, or one that does not parse, comes back unchanged.
    """
    try:
        parsed = _licensing.parse(expression, simple=True)
    except (ExpressionError, AssertionError, IndexError, TypeError, AttributeError, ValueError):
        return expression
    if parsed is None:
        return expression
    fixer = _Fixer()
    fixed = fixer.fix(parsed)
    return _render(fixed) if fixer.changed else expression
