"""The License text tab: each license's reference text, from the scan, ScanCode or the registry.

The scan's own ``--license-references`` come first, then a custom license registered by a
reviewer, then ScanCode's installed license database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import LicenseReference
from ospo_tui.services.licenses.custom import custom_licenses
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.licenses.license_db import license_catalog


@dataclass(frozen=True)
class LicenseReferenceText:
    key: str
    spdx: str | None
    name: str | None
    category: str | None
    text: str | None
    origin: str  # "scan" (license_references), "scancode" (license DB) or "custom"


def license_texts(
    session: Session, scan_id: int, keys: list[str], concluded: str | None = None
) -> tuple[LicenseReferenceText, ...]:
    """Reference text per key, and per custom license the ``concluded`` expression names."""
    custom = custom_licenses(session)
    named = {k for k in license_keys(concluded) if k.lower() in custom} - set(keys)
    keys = keys + sorted(named)
    if not keys:
        return ()
    shipped = {
        ref.key: ref
        for ref in session.scalars(
            select(LicenseReference).where(
                LicenseReference.scan_id == scan_id, LicenseReference.key.in_(keys)
            )
        )
    }
    catalog = license_catalog()
    out = []
    for key in keys:
        own = custom.get(key.lower())
        if own is not None:
            out.append(
                LicenseReferenceText(key, own.license_id, own.name, "Custom", own.text, "custom")
            )
            continue
        ref = shipped.get(key)
        if ref is not None and ref.text:
            out.append(
                LicenseReferenceText(
                    key, ref.spdx_license_key, ref.name, ref.category, ref.text, "scan"
                )
            )
            continue
        info = catalog.get(key)
        out.append(
            LicenseReferenceText(
                key=key,
                spdx=info.spdx_license_key if info else None,
                name=info.name if info else None,
                category=info.category if info else None,
                text=catalog.license_text(key) if info else None,
                origin="scancode",
            )
        )
    return tuple(out)
