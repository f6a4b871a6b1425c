"""PostgreSQL: a review item's parent directory compares byte by byte (the "C" collation)

The directory tree reads a subtree as a range of ``dir_path`` in byte order
(``under_directory``: ``COLLATE "C"``, the order SQLite has). An index in the database's own
collation cannot serve that range, even when that collation sorts by code point ("C.UTF-8"
is not "C" to the planner): opening a directory of 100 files walked the whole scan's entries
of the index (50-70 ms at 1,000,000 files). With the column itself in "C" the range is an
index seek (2-4 ms), and its GROUP BY still follows the index. SQLite compares bytes already:
nothing changes there. Changing a collation rebuilds the column's index, not the table (2 s at
1,000,000 files).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE review_items ALTER COLUMN dir_path TYPE text COLLATE {collation}")
        # The new type drops the column's statistics: without them the top of the tree was
        # planned for 200 directories instead of 98,825 and sorted on disk (275 ms, not 210).
        op.execute("ANALYZE review_items")


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('pg_catalog."default"')
