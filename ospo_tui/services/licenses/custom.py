"""Custom licenses (``LicenseRef-<org>-<name>``) that reviewers registered, as decisions see them.

ScanCode's database is fixed; an organisation's own EULA is not in it. Once registered, such an
id is a license like any other in a concluded expression, and its text travels into exports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.errors import InputError
from ospo_tui.models import CustomLicense

# LicenseRef-<org>-<name>: SPDX idstring characters, an organisation and a name.
_CUSTOM_ID = re.compile(r"LicenseRef-[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*-[A-Za-z0-9.\-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class CustomLicenseText:
    license_id: str
    name: str
    text: str


def checked_custom_id(license_id: str) -> str:
    """``license_id`` if it has the form ``LicenseRef-<org>-<name>``, else InputError."""
    value = license_id.strip()
    if not _CUSTOM_ID.fullmatch(value):
        raise InputError(
            f"{value!r} is not a custom license id: use LicenseRef-<org>-<name> "
            "(letters, digits, '.' and '-')"
        )
    if value.lower().startswith("licenseref-scancode-"):
        raise InputError("LicenseRef-scancode-* ids name ScanCode's own licenses")
    return value


def custom_licenses(session: Session) -> dict[str, CustomLicenseText]:
    """Every registered custom license, by lower-case id."""
    return {
        row.license_id.lower(): CustomLicenseText(row.license_id, row.name, row.text)
        for row in session.scalars(select(CustomLicense).order_by(CustomLicense.license_id))
    }


def custom_license_ids(session: Session) -> tuple[str, ...]:
    """The registered ids, as registered."""
    return tuple(session.scalars(select(CustomLicense.license_id).order_by(CustomLicense.id)))
