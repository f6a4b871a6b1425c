"""PostgreSQL: the expression indexes hold only values that fit an index entry

A btree entry on PostgreSQL holds at most 2,704 bytes: a file whose expression names 400
licenses made its import fail ("index row size 5440 exceeds btree version 4 maximum 2704").
These indexes now hold the values of up to ``INDEXED_TEXT_BYTES`` bytes, and a small index
lists the review items with a longer value, which the queries add (``models.indexed_text``).

A query seeks a partial index only if it says ``octet_length(column) <= 2000`` too, which
PostgreSQL guessed true of a third of the rows: the walk over a scan's concluded expressions
(none yet) then cost 620 ms at 1,000,000 files, 540 of them compiling it with JIT. Statistics
over each column with its length (PostgreSQL 14 and later) make the guess right again; 13 is
past its end of life and keeps the guess. SQLite has no such cap: nothing changes there. A
downgrade with long values stored fails as the old schema did.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 11:40:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from ospo_tui.models.indexed_text import (
    LONG_TEXT_COLUMNS,
    LONG_TEXT_INDEX,
    fits_sql,
    long_text_sql,
    statistics_name,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# index -> (table, text column after scan_id)
INDEXES = {
    "ix_files_scan_expression": ("files", "detected_license_expression_spdx"),
    "ix_review_items_spdx": ("review_items", "detected_spdx"),
    "ix_review_items_expression": ("review_items", "detected_expression"),
    "ix_review_items_concluded": ("review_items", "concluded_expression"),
}


def _reindex(partial: bool) -> None:
    """Each index again, over the values that fit (``partial``) or over all of them."""
    for name, (table, column) in INDEXES.items():
        op.drop_index(name, table_name=table)
        where = text(fits_sql(column)) if partial else None
        op.create_index(name, table, ["scan_id", column], postgresql_where=where)


def _has_expression_statistics() -> bool:
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    return bind.dialect.name == "postgresql" and version >= (14,)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _reindex(partial=True)
    op.create_index(
        LONG_TEXT_INDEX, "review_items", ["scan_id"], postgresql_where=text(long_text_sql())
    )
    if _has_expression_statistics():
        for column in LONG_TEXT_COLUMNS:
            op.execute(
                f"CREATE STATISTICS {statistics_name(column)} (mcv) "
                f"ON {column}, (octet_length({column})) FROM review_items"
            )
        op.execute("ANALYZE review_items")  # else the guess stands until the next import


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in LONG_TEXT_COLUMNS:
        op.execute(f"DROP STATISTICS IF EXISTS {statistics_name(column)}")
    op.drop_index(LONG_TEXT_INDEX, table_name="review_items")
    _reindex(partial=False)
