"""What reviewers add to ScanCode's findings: custom licenses and copyrights found not to be ones.

Both are current state kept in step with audit events written in the same transaction (the
events are the record; a false positive that is restored loses its row and gains an event).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CustomLicense(Base):
    """A ``LicenseRef-<org>-<name>`` license a reviewer registered, with its text."""

    __tablename__ = "custom_licenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[str] = mapped_column(String(32))


class CopyrightFalsePositive(Base):
    """A copyright, holder or author detection a reviewer marked as not one."""

    __tablename__ = "copyright_false_positives"

    copyright_id: Mapped[int] = mapped_column(
        ForeignKey("copyrights.id"), primary_key=True, autoincrement=False
    )
    marked_by: Mapped[str] = mapped_column(String(200))
    marked_at: Mapped[str] = mapped_column(String(32))
    event_seq: Mapped[int | None] = mapped_column(Integer)
