"""Free-text columns that PostgreSQL indexes only where a value fits an index entry.

A btree entry on PostgreSQL holds at most 2,704 bytes (after compression), and an insert whose
entry is larger fails: a file whose expression names 400 licenses (12 kB of SPDX ids) made its
whole import fail. So on PostgreSQL the (scan, expression) indexes hold only the values of up
to ``INDEXED_TEXT_BYTES`` bytes, and ``LONG_TEXT_INDEX`` lists the few review items with a
longer value; the queries that seek these indexes ask for the values that fit and add the
long ones (``services/review/indexed_text``). SQLite has no such cap and keeps whole indexes.
"""

from __future__ import annotations

from sqlalchemy import TextClause, text

# Bytes of UTF-8, with room left for the scan id and the entry's headers under 2,704.
INDEXED_TEXT_BYTES = 2000

# PostgreSQL only, made by migration 0009 and not mapped (as models.review.FIGURES_INDEX):
# the review items with any of these columns too long for its index, by scan.
LONG_TEXT_INDEX = "ix_review_items_long_text"
LONG_TEXT_COLUMNS = ("detected_expression", "detected_spdx", "concluded_expression")


def statistics_name(column: str) -> str:
    """PostgreSQL 14+: the statistics over ``column`` and its length, with which the planner
    knows how many rows ``fits_sql`` keeps (else it guesses a third; see migration 0009)."""
    return f"st_review_items_{column}_bytes"


def length_sql(column: str, comparison: str) -> str:
    """``column``'s length in bytes against the bound: the one way every index predicate and
    query condition here says it, so PostgreSQL sees the query imply the index's predicate."""
    return f"octet_length({column}) {comparison} {INDEXED_TEXT_BYTES}"


def fits_sql(column: str) -> str:
    """The SQL condition that ``column``'s value fits its index (PostgreSQL)."""
    return length_sql(column, "<=")


def fits_index(column: str) -> TextClause:
    """``fits_sql`` as the ``postgresql_where`` of a model's index."""
    return text(fits_sql(column))


def long_text_sql() -> str:
    """The condition of ``LONG_TEXT_INDEX``: some column's value is too long to index."""
    return " OR ".join(length_sql(column, ">") for column in LONG_TEXT_COLUMNS)
