"""Checking a reviewer's concluded license: a valid SPDX expression over ScanCode's license DB.

A ``license-expression`` Licensing is built once from the catalog: each SPDX id is a symbol, and
its other SPDX ids, its ScanCode key and ``LicenseRef-scancode-KEY`` are aliases, so whatever a
reviewer types comes back in canonical SPDX form. Exceptions are only accepted after WITH;
``LicenseRef-scancode-<key>`` of an exception that has an SPDX id is a license of its own (what
``exceptions.attach_exceptions`` makes of an exception that modifies no license).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Collection
from functools import cache, lru_cache

from license_expression import ExpressionError, ExpressionParseError, LicenseSymbol, Licensing

from ospo_tui.errors import InputError
from ospo_tui.services.licenses.license_db import LicenseInfo, license_catalog

NONE = "NONE"
NOASSERTION = "NOASSERTION"
SPECIAL_VALUES = (NONE, NOASSERTION)
MAX_EXPRESSION = 2000
_TOKEN = re.compile(r"[^\s()]+")
_OPERATORS = frozenset({"and", "or", "with"})


@cache
def _symbols() -> tuple[dict[str, LicenseInfo], dict[str, str]]:
    """(lower-case SPDX id -> license, lower-case alias -> SPDX id), SPDX ids winning clashes.

    ScanCode key ``bsl-1.0`` (Business Source) and SPDX ``BSL-1.0`` (Boost) differ only in case:
    the SPDX id wins, since SPDX ids are matched case-insensitively by the spec.
    """
    infos = sorted(license_catalog().by_key.values(), key=lambda i: (i.is_deprecated, i.key))
    primary: dict[str, LicenseInfo] = {}
    for info in infos:
        primary.setdefault(info.spdx_license_key.lower(), info)
    aliases: dict[str, str] = {}
    # Other SPDX ids first, then ScanCode keys, then LicenseRef-scancode-KEY forms.
    for level in range(3):
        for info in infos:
            names = (
                info.other_spdx_license_keys
                if level == 0
                else (info.key,)
                if level == 1
                else (f"LicenseRef-scancode-{info.key}",)
            )
            if (
                level == 2
                and info.is_exception
                and not info.spdx_license_key.startswith("LicenseRef-")
            ):
                continue  # a license of its own: see _exception_refs
            for name in names:
                lowered = name.lower()
                if lowered not in primary and lowered not in aliases:
                    aliases[lowered] = primary[info.spdx_license_key.lower()].spdx_license_key
    return primary, aliases


@cache
def _exception_refs() -> dict[str, str]:
    """Lower-case ``LicenseRef-scancode-<key>`` -> itself, for exceptions with an SPDX id."""
    primary, aliases = _symbols()
    refs: dict[str, str] = {}
    for info in license_catalog().by_key.values():
        ref = f"LicenseRef-scancode-{info.key}"
        lowered = ref.lower()
        if info.is_exception and lowered not in primary and lowered not in aliases:
            refs[lowered] = ref
    return refs


@cache
def _base_symbols() -> tuple[LicenseSymbol, ...]:
    primary, aliases = _symbols()
    by_owner: dict[str, list[str]] = {}
    for alias, owner in aliases.items():
        by_owner.setdefault(owner, []).append(alias)
    return tuple(
        [
            LicenseSymbol(
                info.spdx_license_key,
                aliases=tuple(by_owner.get(info.spdx_license_key, ())),
                is_exception=info.is_exception,
            )
            for info in primary.values()
        ]
        + [LicenseSymbol(ref) for ref in _exception_refs().values()]
    )


@lru_cache(maxsize=16)
def _licensing(custom: tuple[str, ...] = ()) -> Licensing:
    """ScanCode's licenses, plus the registered custom ones (a few sets in use at a time)."""
    return Licensing(list(_base_symbols()) + [LicenseSymbol(c) for c in custom])


@cache
def completion_names() -> tuple[str, ...]:
    """Every SPDX id and ScanCode key, sorted case-insensitively, for completion."""
    primary, aliases = _symbols()
    # One spelling per lower-case name: the SPDX id where a ScanCode key differs only in case.
    names = {n.lower(): n for n in SPECIAL_VALUES}
    for info in primary.values():
        names.setdefault(info.spdx_license_key.lower(), info.spdx_license_key)
    for info in license_catalog().by_key.values():
        names.setdefault(info.key.lower(), info.key)
    return tuple(sorted(names.values(), key=str.lower))


@cache
def _completion_index() -> tuple[list[str], tuple[str, ...]]:
    names = completion_names()
    return [n.lower() for n in names], names


def complete_last_token(value: str) -> str | None:
    """``MIT OR apac`` → ``MIT OR apache-1.0``: completes the last word to the first known name
    it starts (typed letters kept as typed; normalisation fixes the case)."""
    match = re.search(r"[^\s()]+$", value)
    if not match or match.group(0).lower() in _OPERATORS:
        return None
    prefix = match.group(0).lower()
    lowered, names = _completion_index()
    position = bisect.bisect_left(lowered, prefix)
    if position < len(lowered) and lowered[position].startswith(prefix):
        return value + names[position][len(prefix) :]  # keep what was typed, as typed
    return None


def closest_names(key: str, n: int = 3) -> list[str]:
    """Known names for a mistyped ``key``: those it begins first (shortest first: ``apach`` →
    ``Apache-1.0``…), then the most similar (``MTI`` → ``MIT``)."""
    lowered, names = _completion_index()
    typed = key.lower()
    position = bisect.bisect_left(lowered, typed)
    prefixed: list[int] = []
    while position < len(lowered) and lowered[position].startswith(typed):
        prefixed.append(position)
        position += 1
    prefixed.sort(key=lambda i: (len(lowered[i]), lowered[i]))
    chosen = [names[i] for i in prefixed[:n]]
    if len(chosen) < n:
        for close in difflib.get_close_matches(typed, lowered, n=n, cutoff=0.6):
            name = names[lowered.index(close)]
            if name not in chosen and len(chosen) < n:
                chosen.append(name)
    return chosen


def _did_you_mean(key: str) -> str:
    close = closest_names(key)
    if not close:
        return ""
    return f" (did you mean {', '.join(repr(name) for name in close)}?)"


def _canonical(token: str) -> str:
    primary, aliases = _symbols()
    lowered = token.lower()
    info = primary.get(lowered)
    if info:
        return info.spdx_license_key
    return aliases.get(lowered) or _exception_refs().get(lowered, token)


def _is_known(token: str) -> bool:
    primary, aliases = _symbols()
    lowered = token.lower()
    known = lowered in primary or lowered in aliases or lowered in _OPERATORS
    return known or lowered in _exception_refs()


def normalise_spdx(text: str | None, custom: Collection[str] = ()) -> str:
    """The canonical form of a concluded license, or InputError saying exactly what is wrong.

    Accepts an SPDX expression over ScanCode's license DB (SPDX ids, ScanCode keys or
    ``LicenseRef-scancode-KEY``; any case) and the ``custom`` license ids registered, or
    ``NONE`` / ``NOASSERTION`` on their own.
    """
    registered = {c.lower(): c for c in custom}
    value = (text or "").strip()
    if not value:
        raise InputError("a concluded license is required: an SPDX expression, NONE or NOASSERTION")
    if len(value) > MAX_EXPRESSION:
        raise InputError(f"the license expression is longer than {MAX_EXPRESSION} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InputError("the license expression contains control characters")
    if value.upper() in SPECIAL_VALUES:
        return value.upper()
    tokens = _TOKEN.findall(value)
    special = [t for t in tokens if t.upper() in SPECIAL_VALUES]
    if special:
        raise InputError(f"{special[0].upper()} must stand alone, not inside an expression")
    unknown = [t for t in dict.fromkeys(tokens) if not _is_known(t) and t.lower() not in registered]
    if unknown:
        keys = ", ".join(repr(k) for k in unknown)
        noun = "key" if len(unknown) == 1 else "keys"
        raise InputError(f"unknown license {noun} {keys}{_did_you_mean(unknown[0])}")
    used = tuple(sorted(registered[t.lower()] for t in tokens if t.lower() in registered))
    licensing = _licensing(tuple(dict.fromkeys(used)))
    try:
        parsed = licensing.parse(value, validate=True, strict=True)
    except (ExpressionParseError, ExpressionError) as exc:
        raise InputError(f"invalid license expression {value!r}: {_reason(exc, tokens)}") from None
    except (AssertionError, IndexError, TypeError, AttributeError, ValueError, RecursionError):
        # The boolean.py parser under license-expression fails this way on shapes it does not
        # expect, such as "()" or "(AND MIT" (found by tests/test_fuzz_expressions.py).
        raise InputError(f"invalid license expression {value!r}: malformed") from None
    if parsed is None:
        raise InputError("a concluded license is required: an SPDX expression, NONE or NOASSERTION")
    return str(licensing.dedup(parsed).render("{symbol.key}"))


def _reason(exc: Exception, tokens: list[str]) -> str:
    token = getattr(exc, "token_string", None)
    message = str(exc)
    if "plain license symbol cannot be used as an exception" in message:
        return f"{token!r} is a license, not an exception: only exceptions may follow WITH"
    if "exception symbol can only be used as an exception" in message:
        # ScanCode ANDs an exception it found on its own; which license it modifies is the
        # reviewer's call, so we only hint at the form, using the license just before it.
        hint = ""
        if token in tokens:
            before = [t for t in tokens[: tokens.index(token)] if t.lower() not in _OPERATORS]
            if before:
                hint = f" (e.g. '{_canonical(before[-1])} WITH {_canonical(token)}')"
        return f"{token!r} is an exception: it must follow a license and WITH{hint}"
    return message.split(" for token:")[0].strip().rstrip(".")
