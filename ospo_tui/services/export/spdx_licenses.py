"""License expressions as an SPDX 2.3 document states them, with the ``LicenseRef-`` they need.

ScanCode names licenses by its own keys, of which SPDX knows only some; spdx-tools refuses an
id its license list lacks. Each such key becomes a ``LicenseRef-scancode-<key>`` declared once
in the document, with the license text from the scan or from ScanCode's database.
"""

from __future__ import annotations

import re
from functools import lru_cache

from license_expression import ExpressionError, Licensing
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo

from ospo_tui.services.export.license_texts import catalog_license_text
from ospo_tui.services.licenses.custom import CustomLicenseText
from ospo_tui.services.licenses.exceptions import attach_exceptions
from ospo_tui.services.licenses.expressions import combine_and, scancode_to_spdx
from ospo_tui.services.licenses.license_db import license_catalog

_TOKEN = re.compile(r"[^\s()]+")
_WITH_REF = re.compile(r"\b(?:WITH|with) (LicenseRef-[^\s()]+)")
_OPERATORS = frozenset({"AND", "OR", "WITH", "and", "or", "with"})
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.\-]")
_plain_licensing = Licensing()


def idstring(text: str) -> str:
    """``text`` with every character an SPDX idstring does not allow turned into "-"."""
    return _NOT_IDSTRING.sub("-", text)


def _known_spdx() -> dict[str, str]:
    """Lower-case id -> canonical id for every license and exception spdx-tools knows."""
    return {key.lower(): key for key in spdx_licensing.known_symbols}


class LicenseRefs:
    """Maps expressions to what spdx-tools accepts, declaring each ``LicenseRef-`` it needs.

    Ids that spdx-tools' license list lacks (ScanCode-only keys, or SPDX ids newer than the list)
    become ``LicenseRef-scancode-<key>`` with the license text from the scan or ScanCode's DB.
    """

    def __init__(
        self,
        scan_texts: dict[str, tuple[str | None, str | None]],
        custom: dict[str, CustomLicenseText] | None = None,
    ) -> None:
        self._known = _known_spdx()
        self._scan_texts = scan_texts  # scancode key or spdx key (lower) -> (name, text)
        self._custom = custom or {}  # registered LicenseRef-<org>-<name>, by lower-case id
        self.declared: dict[str, ExtractedLicensingInfo] = {}
        self.expression = lru_cache(maxsize=20_000)(self._expression)
        self.info_in_file = lru_cache(maxsize=20_000)(self._info_in_file)

    def _symbol(self, token: str) -> str:
        canonical = self._known.get(token.lower())
        if canonical is not None and not canonical.startswith("LicenseRef-"):
            return canonical
        own = self._custom.get(token.lower())
        if own is not None:  # declared under its own id, with the text registered
            if own.license_id not in self.declared:
                self.declared[own.license_id] = ExtractedLicensingInfo(
                    license_id=own.license_id,
                    extracted_text=own.text,
                    license_name=own.name,
                    comment="custom license registered in ospo-tui",
                )
            return own.license_id
        info = license_catalog().get(token)
        key = info.key if info else token.removeprefix("LicenseRef-").removeprefix("scancode-")
        ref = "LicenseRef-scancode-" + idstring(key)
        if ref not in self.declared:
            self.declared[ref] = self._declaration(ref, key, token)
        return ref

    def _declaration(self, ref: str, key: str, token: str) -> ExtractedLicensingInfo:
        info = license_catalog().get(key) or license_catalog().get(token)
        name, text = self._scan_texts.get(key.lower()) or self._scan_texts.get(
            token.lower(), (None, None)
        )
        if not text and info is not None:
            text = catalog_license_text(info.key)
        name = name or (info.name if info else key)
        comment = f"ScanCode license key {info.key}, category {info.category}" if info else None
        return ExtractedLicensingInfo(
            license_id=ref,
            extracted_text=text or f"The text of the license {key!r} was not available.",
            license_name=name,
            comment=comment,
        )

    def _rewrite(self, text: str) -> str:
        spdx = scancode_to_spdx(attach_exceptions(text)) or text
        rewritten = _TOKEN.sub(
            lambda m: m.group(0) if m.group(0) in _OPERATORS else self._symbol(m.group(0)), spdx
        )
        # SPDX 2.3 has no custom exceptions: one SPDX lacks becomes a license of its own, ANDed
        # (AND binds tighter than OR, so the grouping stays what WITH gave).
        return _WITH_REF.sub(r"AND \1", rewritten)

    def _expression(self, text: str | None) -> str:
        """The SPDX form spdx-tools writes (its own parse and rendering), NONE or NOASSERTION."""
        if text is None or not text.strip() or text.strip().upper() == "NOASSERTION":
            return "NOASSERTION"
        if text.strip().upper() == "NONE":
            return "NONE"
        return str(spdx_licensing.parse(self._rewrite(text)))

    def _info_in_file(self, detected: tuple[str, ...]) -> tuple[str, ...]:
        """Each license (with its exception) named by the detections, once."""
        # One expression, so that an exception found apart from its license is attached to it.
        combined = combine_and(list(detected))
        if combined is None:
            return ("NONE",)
        rewritten = self._rewrite(combined)
        try:
            parsed = _plain_licensing.parse(rewritten, simple=True)
            symbols = _plain_licensing.license_symbols(parsed, unique=True, decompose=False)
            seen = [str(s) for s in symbols]
        except ExpressionError:
            seen = [t for t in _TOKEN.findall(rewritten) if t not in _OPERATORS]
        return tuple(str(spdx_licensing.parse(s)) for s in dict.fromkeys(seen)) or ("NONE",)
