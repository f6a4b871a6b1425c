"""License names and texts for exports: the scan's own references first, then ScanCode's DB."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import LicenseReference
from ospo_tui.services.licenses.license_db import license_catalog


def catalog_license_text(key: str) -> str | None:
    """The license text from ScanCode's database; None when it holds only metadata."""
    text = license_catalog().license_text(key)
    # A .LICENSE file without a body comes back as its YAML front matter.
    if not text or not text.strip() or text.startswith("---"):
        return None
    return text


def scan_license_texts(session: Session, scan_id: int) -> dict[str, tuple[str | None, str | None]]:
    """(name, text) of each license the scan references, by ScanCode key and SPDX id (lower)."""
    texts: dict[str, tuple[str | None, str | None]] = {}
    query = select(
        LicenseReference.key,
        LicenseReference.spdx_license_key,
        LicenseReference.name,
        LicenseReference.text,
    ).where(LicenseReference.scan_id == scan_id)
    for key, spdx_key, name, text in session.execute(query):
        texts[key.lower()] = (name, text)
        if spdx_key:
            texts.setdefault(spdx_key.lower(), (name, text))
    return texts
