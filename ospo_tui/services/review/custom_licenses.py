"""Registering a custom license (reviewers and admins, audited), and the ids decisions accept.

The text is stored as given; the audit event records its SHA-256 and length, so the chain
proves which text was registered without repeating a long document.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError
from ospo_tui.models import CustomLicense
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.licenses.custom import (
    CustomLicenseText,
    checked_custom_id,
    custom_license_ids,
    custom_licenses,
)
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.trail.chain import Actor, append_event

MAX_TEXT = 1_000_000
MAX_NAME = 300


def register_custom_license(
    db: Database, actor: Actor, license_id: str, name: str, text: str
) -> CustomLicenseText:
    """Store a ``LicenseRef-<org>-<name>`` license with its text; refused if the id is taken."""
    require(db, actor, "register_license", license_id.strip()[:200])
    license_id = checked_custom_id(license_id)
    name, text = _checked(name, text)
    if license_catalog().get(license_id) is not None:
        raise InputError(f"{license_id} is already a license of ScanCode's database")
    with db.session() as session:
        taken = session.scalar(
            select(CustomLicense.license_id).where(
                func.lower(CustomLicense.license_id) == license_id.lower()
            )
        )
        if taken is not None:
            raise ConflictError(f"the custom license {taken} is already registered")
        session.add(
            CustomLicense(
                license_id=license_id,
                name=name,
                text=text,
                added_by=actor.name,
                added_at=utc_now(),
            )
        )
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        append_event(
            session,
            actor,
            "license.register",
            "license",
            license_id,
            {
                "license_id": license_id,
                "name": name,
                "text_sha256": digest,
                "text_chars": len(text),
            },
        )
    return CustomLicenseText(license_id, name, text)


def _checked(name: str, text: str) -> tuple[str, str]:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InputError(f"the license name must be one line of 1 to {MAX_NAME} characters")
    if not text.strip():
        raise InputError("the license text is empty")
    if len(text) > MAX_TEXT or "\x00" in text:
        raise InputError(f"the license text must be under {MAX_TEXT} characters, with no NUL")
    return name, text


def registered_ids(reading: Reading) -> tuple[str, ...]:
    """The custom license ids a concluded license may name."""
    return custom_license_ids(reading.session)


def registered_licenses(reading: Reading) -> list[CustomLicenseText]:
    """Every custom license with its text, by id."""
    return list(custom_licenses(reading.session).values())


def accepted_ids(db: Database) -> tuple[str, ...]:
    """The registered ids, read for a write that validates a concluded license first."""
    with db.reader() as session:
        return custom_license_ids(session)
