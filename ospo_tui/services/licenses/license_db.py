"""ScanCode's license database as a small, fast catalog: key ↔ SPDX id, category, name, text.

Loading ScanCode's own database takes seconds, too slow for every CLI call and TUI start, so the
few fields we need are extracted once per ScanCode version into a JSON file in the user cache
directory. License texts are read on demand from ScanCode's data files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar, cast

import platformdirs

from ospo_tui.settings import current_settings

T = TypeVar("T")

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---(?:\n|\Z)", re.DOTALL)
COPYLEFT_CATEGORIES = frozenset({"Copyleft", "Copyleft Limited"})


@dataclass(frozen=True)
class LicenseInfo:
    key: str
    spdx_license_key: str
    other_spdx_license_keys: tuple[str, ...]
    name: str
    short_name: str
    category: str
    is_exception: bool
    is_unknown: bool
    is_deprecated: bool

    @property
    def is_copyleft(self) -> bool:
        return self.category in COPYLEFT_CATEGORIES


def scancode_version() -> str:
    from importlib.metadata import version

    return version("scancode-toolkit")


def _catalog_path() -> Path:
    override = current_settings().license_catalog
    if override is not None:
        return override
    cache_dir = Path(platformdirs.user_cache_dir("ospo-tui"))
    return cache_dir / f"license-catalog-{scancode_version()}.json"


def _build_catalog() -> list[dict[str, object]]:
    from licensedcode.cache import get_licenses_db

    entries = []
    for lic in get_licenses_db().values():
        entries.append(
            {
                "key": lic.key,
                "spdx_license_key": lic.spdx_license_key or f"LicenseRef-scancode-{lic.key}",
                "other_spdx_license_keys": list(lic.other_spdx_license_keys or ()),
                "name": lic.name or lic.key,
                "short_name": lic.short_name or lic.key,
                "category": lic.category or "Unstated License",
                "is_exception": bool(lic.is_exception),
                "is_unknown": bool(lic.is_unknown),
                "is_deprecated": bool(lic.is_deprecated),
            }
        )
    entries.sort(key=lambda e: str(e["key"]))
    return entries


class LicenseCatalog:
    """Look-ups by ScanCode key or SPDX id (case-insensitive), as license-expression needs them."""

    def __init__(self, entries: list[dict[str, object]]) -> None:
        self.by_key: dict[str, LicenseInfo] = {}
        self._by_spdx_lower: dict[str, LicenseInfo] = {}
        for entry in entries:
            others = entry["other_spdx_license_keys"]
            info = LicenseInfo(
                key=str(entry["key"]),
                spdx_license_key=str(entry["spdx_license_key"]),
                other_spdx_license_keys=tuple(map(str, others)) if isinstance(others, list) else (),
                name=str(entry["name"]),
                short_name=str(entry["short_name"]),
                category=str(entry["category"]),
                is_exception=bool(entry["is_exception"]),
                is_unknown=bool(entry["is_unknown"]),
                is_deprecated=bool(entry["is_deprecated"]),
            )
            self.by_key[info.key] = info
        # Primary SPDX ids win over "other" ids, and live keys over deprecated ones.
        for info in sorted(self.by_key.values(), key=lambda i: i.is_deprecated, reverse=True):
            for other in info.other_spdx_license_keys:
                self._by_spdx_lower[other.lower()] = info
        for info in sorted(self.by_key.values(), key=lambda i: i.is_deprecated, reverse=True):
            self._by_spdx_lower[info.spdx_license_key.lower()] = info

    def __len__(self) -> int:
        return len(self.by_key)

    def get(self, key_or_spdx: str) -> LicenseInfo | None:
        """A license by ScanCode key, SPDX id or ``LicenseRef-scancode-KEY``.

        An exact ScanCode key (always lower case) wins; otherwise SPDX ids come before keys
        matched case-insensitively, so ``BSL-1.0`` is Boost (SPDX), not ScanCode's ``bsl-1.0``
        (Business Source License).
        """
        info = self.by_key.get(key_or_spdx)
        if info is not None:
            return info
        lowered = key_or_spdx.lower()
        info = self._by_spdx_lower.get(lowered) or self.by_key.get(lowered)
        if info is None and lowered.startswith("licenseref-scancode-"):
            info = self.by_key.get(lowered.removeprefix("licenseref-scancode-"))
        return info

    def category(self, key_or_spdx: str) -> str | None:
        info = self.get(key_or_spdx)
        return info.category if info else None

    def license_text(self, key_or_spdx: str) -> str | None:
        """The reference text from ScanCode's data files, or None for an unknown key."""
        info = self.get(key_or_spdx)
        if info is None:
            return None
        path = _licenses_data_dir() / f"{info.key}.LICENSE"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        # The .LICENSE file starts with YAML front matter between '---' lines; some licenses
        # (public-domain, generic references) have nothing after it.
        text = _FRONT_MATTER.sub("", text, count=1).strip("\n")
        return text or None


def _licenses_data_dir() -> Path:
    import licensedcode

    return Path(licensedcode.__file__).parent / "data" / "licenses"


def cached_json(path: Path, build: Callable[[], T]) -> T:
    """The JSON value in ``path``, else ``build()``'s, written there for the next process."""
    try:
        return cast(T, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        value = build()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, path)  # atomic: concurrent first runs never see half a file
        return value


@cache
def license_catalog() -> LicenseCatalog:
    """The catalog, built from ScanCode's database on first use per ScanCode version."""
    return LicenseCatalog(cached_json(_catalog_path(), _build_catalog))
