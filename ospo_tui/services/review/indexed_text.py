"""Seeking the expression indexes on PostgreSQL, which hold only the values that fit.

There the (scan, expression) indexes are partial (``models.indexed_text``): a query serves
from one only if it says the value fits, and must then add the review items whose value does
not, which ``LONG_TEXT_INDEX`` lists. Every condition here keeps exactly the rows the plain
one keeps; on SQLite, whose indexes are whole, they compile to the plain one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.models import ReviewItem
from ospo_tui.models.indexed_text import INDEXED_TEXT_BYTES, length_sql


class FitsIndex(FunctionElement[bool]):
    """PostgreSQL: the column's value fits its index (``octet_length`` within the bound).

    SQLite indexes every value, so there it is true (and its plans stay as they were)."""

    type = Boolean()
    name = "fits_index"
    inherit_cache = True
    comparison = "<="


class TooLongForIndex(FitsIndex):
    """PostgreSQL: the column's value is too long for its index (true on SQLite)."""

    name = "too_long_for_index"
    inherit_cache = True
    comparison = ">"


@compiles(FitsIndex)
def _fits_index(element: FitsIndex, compiler: Any, **kw: Any) -> str:
    if compiler.dialect.name == "sqlite":
        return "1"
    column = compiler.process(element.clauses, **kw)
    return f"({length_sql(column, element.comparison)})"


def value_fits(value: str) -> bool:
    """Whether ``value`` is one the partial indexes hold (the database keeps UTF-8)."""
    return len(value.encode("utf-8", "surrogatepass")) <= INDEXED_TEXT_BYTES


def among(target: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """``target IN (values)``, said so that PostgreSQL may seek the partial index for the
    values that fit and ``LONG_TEXT_INDEX`` for the others."""
    short = [value for value in values if value_fits(value)]
    long = [value for value in values if not value_fits(value)]
    terms = []
    if short:
        terms.append(and_(target.in_(short), FitsIndex(target)))
    if long:
        terms.append(and_(target.in_(long), TooLongForIndex(target)))
    return or_(*terms)


def equals(target: Any, value: str) -> ColumnElement[bool]:
    """``target = value``, said as ``among`` says it."""
    return among(target, [value])


def long_values(
    session: Session, scan_id: int, target: Any, condition: Callable[[Any], Any], limit: int
) -> list[tuple[Any, Any]]:
    """PostgreSQL: (value, ``condition`` of it) for each distinct value of ``target`` in the
    scan too long for its index, read through ``LONG_TEXT_INDEX`` (up to ``limit``); nothing
    on SQLite, whose index walk meets every value."""
    if session.get_bind().dialect.name == "sqlite":
        return []
    query = (
        select(target, condition(target))
        .where(ReviewItem.scan_id == scan_id, TooLongForIndex(target))
        .distinct()
        .limit(limit)
    )
    return [(value, holds) for value, holds in session.execute(query)]
