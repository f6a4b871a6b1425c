"""License expressions: ScanCode keys to SPDX ids, and the set of keys an expression names.

Parsing uses ``license-expression`` without a symbol table (fast, accepts any key); the catalog
supplies the SPDX id of each key. Older ScanCode formats carry no SPDX expressions, so the
importer derives them here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from license_expression import ExpressionError, Licensing

from ospo_tui.services.licenses.license_db import license_catalog

_OPERATORS = frozenset({"AND", "OR", "WITH", "and", "or", "with"})
_TOKEN = re.compile(r"[^\s()]+")
_licensing = Licensing()


@lru_cache(maxsize=50_000)
def license_keys(expression: str | None) -> frozenset[str]:
    """Every license and exception key in the expression; empty for blank or unparsable text."""
    if not expression or not expression.strip():
        return frozenset()
    try:
        return frozenset(_licensing.license_keys(_licensing.parse(expression, simple=True)))
    except ExpressionError:
        return frozenset(t for t in _TOKEN.findall(expression) if t not in _OPERATORS)


def key_to_spdx(key: str) -> str:
    info = license_catalog().get(key)
    if info is not None and info.is_exception and key.lower().startswith("licenseref-"):
        return key  # an exception standing alone, named as a license (see exceptions.py)
    if info is not None:
        return info.spdx_license_key
    return key if key.startswith("LicenseRef-") else f"LicenseRef-scancode-{key}"


@lru_cache(maxsize=50_000)
def scancode_to_spdx(expression: str | None) -> str | None:
    """``gpl-2.0 WITH classpath-exception-2.0`` → ``GPL-2.0-only WITH Classpath-exception-2.0``."""
    if not expression or not expression.strip():
        return None
    try:
        rendered = _licensing.parse(expression, simple=True).render("{symbol.key}")
    except ExpressionError:
        rendered = expression
    return _TOKEN.sub(
        lambda m: m.group(0) if m.group(0) in _OPERATORS else key_to_spdx(m.group(0)), rendered
    )


def combine_and(expressions: list[str]) -> str | None:
    """Several detections of one file as one expression, as ScanCode 32 does (deduplicated AND)."""
    unique = list(dict.fromkeys(e for e in expressions if e))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    try:
        combined = _licensing.parse(" AND ".join(f"({e})" for e in unique), simple=True)
        return str(_licensing.dedup(combined))
    except ExpressionError:
        return " AND ".join(f"({e})" if " " in e else e for e in unique)
