"""Declarative base with a naming convention, so SQLite batch migrations can name constraints."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model here maps one table; saying so lets Core inserts and updates on
    # ``Model.__table__`` type-check (the base class only promises a FromClause).
    __table__: ClassVar[Table]
